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

/** Incidents through the real server on SQLite and PostgreSQL: list, show, timeline, acknowledge, resolve, notes, bad input. */
@OnEachStore
class IncidentRoutesTest {
    @Parameter
    StoreKind kind;

    private TestingServer server;

    @BeforeEach
    void start() {
        server = TestingServer.start(kind);
        assertThat(server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"fraud\"}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String fail(String run) {
        server.keel().events().publish(new PipelineRunFailed("fraud", "orders", run, 3, false,
                "source 'orders' could not be read: /srv/in/" + run + ".csv does not exist", Instant.now()));
        server.keel().incidents().sink().flush();
        return server.keel().incidents().list("fraud", java.util.Set.of(), 1).getFirst().id();
    }

    @Test
    void anOperatorFollowsAnIncidentFromOpenToResolved_andAViewerOnlyReads() {
        String id = fail("run-aa11");
        fail("run-bb22");
        String operator = server.token("ops", Map.of("fraud", Role.OPERATOR));
        String viewer = server.token("viewer", Map.of("fraud", Role.VIEWER));

        JsonNode listed = server.get("/v1/incidents?project=fraud", viewer).json().get("incidents");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(listed.get(0).get("status").asText()).isEqualTo("open");
        assertThat(listed.get(0).get("objects").get("pipeline").get(0).asText()).isEqualTo("orders");
        assertThat(listed.get(0).get("link").asText()).isEqualTo("/v1/incidents/" + id);

        assertThat(server.postJson("/v1/incidents/" + id + "/ack", viewer, "{}").status()).isEqualTo(403);
        TestingServer.Response acked = server.postJson("/v1/incidents/" + id + "/ack", operator, "{\"comment\": \"on it\"}");
        assertThat(acked.status()).as(acked.body()).isEqualTo(200);
        assertThat(acked.json().get("acknowledged_by").asText()).startsWith("ops (tk_");
        assertThat(server.postJson("/v1/incidents/" + id + "/notes", operator, "{\"text\": \"the upstream export moved\"}").status()).isEqualTo(201);
        TestingServer.Response resolved = server.postJson("/v1/incidents/" + id + "/resolve", operator, "");
        assertThat(resolved.json().get("status").asText()).isEqualTo("resolved");

        assertThat(server.get("/v1/incidents?project=fraud", viewer).json().get("incidents")).isEmpty();
        assertThat(server.get("/v1/incidents?project=fraud&status=resolved", viewer).json().get("incidents")).hasSize(1);
        JsonNode shown = server.get("/v1/incidents/" + id, viewer).json();
        assertThat(shown.get("timeline").findValuesAsText("type")).containsExactly("status", "event", "alert", "status", "note", "status", "alert");
        JsonNode timeline = server.get("/v1/incidents/" + id + "/timeline", viewer).json().get("timeline");
        assertThat(timeline.get(1).get("count").asLong()).isEqualTo(2);
        assertThat(timeline.get(4).get("actor").asText()).startsWith("ops (tk_");

        JsonNode audit = server.get("/v1/audit?project=fraud", server.adminToken()).json();
        assertThat(audit.toString()).contains("incident.acknowledge").contains("incident.resolve").contains("incident.note");
    }

    @Test
    void hostileOrWrongInputIsA4xxNamingTheField() {
        String id = fail("run-cc33");
        String operator = server.token("ops", Map.of("fraud", Role.OPERATOR));
        TestingServer.Response status = server.get("/v1/incidents?project=fraud&status=burning", operator);
        assertThat(status.status()).isEqualTo(400);
        assertThat(status.body()).contains("status 'burning' is not one of");
        assertThat(server.get("/v1/incidents", operator).status()).isEqualTo(400);
        assertThat(server.get("/v1/incidents?project=nope", server.adminToken()).status()).isEqualTo(404);
        assertThat(server.get("/v1/incidents/inc-000000000000", server.adminToken()).status()).isEqualTo(404);
        TestingServer.Response extra = server.postJson("/v1/incidents/" + id + "/ack", operator, "{\"comment\": \"x\", \"status\": \"resolved\"}");
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.body()).contains("field 'status' is not one of [comment]");
        TestingServer.Response huge = server.postJson("/v1/incidents/" + id + "/notes", operator, "{\"text\": \"" + "x".repeat(5000) + "\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.body()).contains("at most 2000");
        assertThat(server.postJson("/v1/incidents/" + id + "/notes", operator, "{\"text\": 42}").status()).isEqualTo(400);
        assertThat(server.postJson("/v1/incidents/" + id + "/notes", operator, "[1]").status()).isEqualTo(400);
    }
}
