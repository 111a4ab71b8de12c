package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A run as the HTTP API writes it (Keel's one JSON mapper): its linkage reports are part of the body and read back whole. */
class PipelineRunJsonTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void run_withLinkageReports_writesThemUnderLinkageAndReadsBackEqual() throws Exception {
        PipelineRun run = PipelineRun.started("run-1", new PipelineVersion("airports", 2, "x", "1".repeat(64), T0), Trigger.API, T0)
                .finish(RunStatus.SUCCEEDED, T0.plusSeconds(3), new RowAccounting(5, 3, 0, 2, 0), List.of(), List.of(),
                        List.of("airports@1"), Optional.empty()).withLinkage(List.of(LinkageReports.evaluated("airports")));

        String json = Json.write(run);
        JsonNode body = Json.MAPPER.readTree(json);

        JsonNode report = body.get("linkage").get(0);
        assertThat(report.get("step").asText()).isEqualTo("airports");
        assertThat(report.get("rules").get(1).get("compared").asLong()).isEqualTo(1);
        assertThat(report.get("model").get("lambda").asDouble()).isEqualTo(0.0123);
        assertThat(report.get("evaluation").get("bcubedF1").asDouble()).isEqualTo(0.847);
        assertThat(report.get("model").get("comparisons").get(0).get("levels").get(1).get("weight").asText()).isEqualTo("-Infinity");
        assertThat(Json.read(json, PipelineRun.class)).isEqualTo(run);
    }

    @Test
    void run_withoutLinkage_hasAnEmptyList() throws Exception {
        PipelineRun run = PipelineRun.started("run-2", new PipelineVersion("a", 1, "x", "1".repeat(64), T0), Trigger.API, T0);

        assertThat(Json.MAPPER.readTree(Json.write(run)).get("linkage").isEmpty()).isTrue();
    }
}
