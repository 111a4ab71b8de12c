package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.spi.event.PipelineRunFailed;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/** The pattern report through the real server on SQLite and PostgreSQL: wiring, roles, and refusal of a bad {@code since}. */
@OnEachStore
class IncidentPatternRoutesTest {
    @Parameter
    StoreKind kind;

    private TestingServer server;

    @BeforeEach
    void start() {
        server = TestingServer.start(kind);
        assertThat(server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"fraud\"}").status()).isEqualTo(201);
        assertThat(server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"other\"}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void fail(String pipeline) {
        server.keel().events().publish(new PipelineRunFailed("fraud", pipeline, "run-" + System.nanoTime() + "x", 1, false, "disk full",
                Instant.now()));
        server.keel().incidents().sink().flush();
    }

    @Test
    void report_answersAViewerWithTheCausesAndEscalationsKeelRecorded() {
        fail("orders");
        String id = server.keel().incidents().list("fraud", java.util.List.of(), 10).getFirst().id();
        server.keel().incidents().resolve(id, "alice", "");
        fail("orders");
        String viewer = server.token("viewer", Map.of("fraud", Role.VIEWER));

        TestingServer.Response answer = server.get("/v1/incident-patterns?project=fraud&since=30d", viewer);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode report = answer.json();
        assertThat(report.get("project").asText()).isEqualTo("fraud");
        assertThat(report.get("causes")).hasSize(1);
        assertThat(report.get("causes").get(0).get("episodes").asInt()).isEqualTo(2);
        assertThat(report.get("causes").get(0).get("occurrences").asLong()).isEqualTo(2);
        assertThat(report.get("escalations")).hasSize(1);
        assertThat(report.get("escalations").get(0).get("rule").asText()).isEqualTo("reopened");
        assertThat(report.get("time_to_remediation").get("episodes").asInt()).isEqualTo(2);
        assertThat(report.get("time_to_remediation").get("median_seconds").isNull()).isTrue();
        assertThat(server.get("/v1/incident-patterns?project=fraud", viewer).status()).isEqualTo(200);
        assertThat(server.get("/v1/incident-patterns?project=fraud&since=PT12H", viewer).status()).isEqualTo(200);
        assertThat(server.get("/v1/incident-patterns?project=other", viewer).status()).isEqualTo(403);
    }

    @Test
    void badSince_isA400NamingSince() {
        String viewer = server.token("viewer", Map.of("fraud", Role.VIEWER));
        for (String since : new String[] {"forever", "0d", "367d", "P400D", "-5d", "PT-1H", "30D", "9".repeat(60) + "d", "999999999999d"}) {
            TestingServer.Response answer = server.get("/v1/incident-patterns?project=fraud&since=" + since, viewer);
            assertThat(answer.status()).as(since + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.body()).contains("since");
        }
        TestingServer.Response missing = server.get("/v1/incident-patterns", viewer);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body()).contains("project");
        assertThat(server.get("/v1/incident-patterns?project=nowhere", server.adminToken()).status()).isEqualTo(404);
    }
}
