package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.incident.Incidents;
import dev.keel.core.json.Json;
import dev.keel.spi.event.PipelineRunFailed;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentPatternsCommandTest {
    @TempDir
    Path directory;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... arguments) {
        Cli.Run ran = Cli.run(new String[0], arguments);
        return new Run(ran.code(), ran.out(), ran.err());
    }

    @Test
    void patterns_printsAReadableReportAndJson_fromARealServer() throws Exception {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("data").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            new KeelClient(url, Optional.of(token)).post("/v1/projects", Map.of("name", "fraud"));
            Incidents incidents = started.server().keel().incidents();
            for (int episode = 0; episode < 2; episode++) {
                started.server().keel().events().publish(new PipelineRunFailed("fraud", "orders", "run-" + episode + "abc", 1, false,
                        "source 'raw' could not be read: /srv/in/orders.csv does not exist", Instant.now()));
                incidents.sink().flush();
                String id = incidents.list("fraud", List.of(), 10).getFirst().id();
                incidents.recordAction(id, "policy:retry-orders", "retried", Map.of("policy", "retry-orders", "action", "retry",
                        "target", "pipeline:orders", "outcome", episode == 0 ? "succeeded" : "failed", "reason", ""));
                incidents.resolve(id, "alice", "");
            }

            Run text = run("incident", "patterns", "--project", "fraud", "--since", "7d", "--url", url, "--token", token);
            Run json = run("incident", "patterns", "--project", "fraud", "-o", "json", "--url", url, "--token", token);
            Run bad = run("incident", "patterns", "--project", "fraud", "--since", "forever", "--url", url, "--token", token);

            assertThat(text.code()).as(text.err()).isZero();
            assertThat(text.out()).startsWith("Incident patterns of project fraud, ")
                    .contains("Top recurring causes", "EPISODES", "Pipeline run failed: source 'raw' could not be read", "pipeline orders",
                            "Escalated patterns", "recurring pattern (reopened): came back after it was resolved",
                            "Time to automated remediation", "1 of 2 episodes remediated; median ", "Policies", "retry-orders", "50%", "retry");
            assertThat(json.code()).as(json.err()).isZero();
            JsonNode report = Json.MAPPER.readTree(json.out());
            assertThat(report.get("causes").get(0).get("episodes").asInt()).isEqualTo(2);
            assertThat(report.get("policies").get(0).get("success_rate").asDouble()).isEqualTo(0.5);
            assertThat(bad.code()).isNotZero();
        } finally {
            started.server().close();
        }
    }

    @Test
    void durations_readAsDaysHoursMinutesAndSeconds() {
        assertThat(IncidentPatternsCommand.duration(Json.MAPPER.valueToTree(86_400.0))).isEqualTo("1 d");
        assertThat(IncidentPatternsCommand.duration(Json.MAPPER.valueToTree(640.0))).isEqualTo("10 min 40 s");
        assertThat(IncidentPatternsCommand.duration(Json.MAPPER.valueToTree(7_260.0))).isEqualTo("2 h 1 min");
        assertThat(IncidentPatternsCommand.duration(Json.MAPPER.valueToTree(0.0))).isEqualTo("0 s");
        assertThat(IncidentPatternsCommand.duration(Json.MAPPER.nullNode())).isEqualTo("-");
    }
}
