package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/** Alert channels and silences through the real server on SQLite and PostgreSQL. */
@OnEachStore
class AlertRoutesTest {
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

    @Test
    void channels_areAddedListedAndDeletedWithSecretsAsReferencesOnly() {
        String operator = server.token("ops", Map.of("fraud", Role.OPERATOR));
        TestingServer.Response added = server.postJson("/v1/alert-channels", operator, """
                {"project": "fraud", "name": "oncall", "kind": "email", "host": "smtp.example.com", "port": 587,
                 "username": "keel", "password": "env:SMTP_PASSWORD", "from": "keel@example.com", "to": ["oncall@example.com"]}""");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("password").asText()).isEqualTo("env:SMTP_PASSWORD");

        TestingServer.Response pasted = server.postJson("/v1/alert-channels", operator, """
                {"project": "fraud", "name": "hook", "kind": "webhook", "url": "https://hooks.example.com/a", "secret": "hunter2-pasted"}""");
        assertThat(pasted.status()).isEqualTo(400);
        assertThat(pasted.body()).contains("secret must be a reference").doesNotContain("hunter2-pasted");

        TestingServer.Response local = server.postJson("/v1/alert-channels", operator, """
                {"project": "fraud", "name": "local", "kind": "slack", "url": "http://127.0.0.1:8080/hook"}""");
        assertThat(local.status()).isEqualTo(400);
        assertThat(local.body()).contains("alerts.http.allow-private");

        JsonNode listed = server.get("/v1/alert-channels?project=fraud", operator).json().get("channels");
        assertThat(listed).hasSize(1);
        assertThat(server.get("/v1/alert-channels/oncall/deliveries", operator).json().get("deliveries")).isEmpty();
        String viewer = server.token("viewer", Map.of("fraud", Role.VIEWER));
        assertThat(server.get("/v1/alert-channels?project=fraud", viewer).status()).isEqualTo(403);
        assertThat(server.send("DELETE", "/v1/alert-channels/oncall", operator, null, null, Map.of()).status()).isEqualTo(200);
        assertThat(server.get("/v1/alert-channels/oncall", operator).status()).isEqualTo(404);
    }

    @Test
    void silences_areAddedListedAndExpired() {
        String operator = server.token("ops", Map.of("fraud", Role.OPERATOR));
        TestingServer.Response added = server.postJson("/v1/silences", operator,
                "{\"project\": \"fraud\", \"matchers\": {\"endpoint\": \"churn\"}, \"duration\": \"2h\", \"comment\": \"deploying\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        String id = added.json().get("id").asText();
        assertThat(server.get("/v1/silences?project=fraud", operator).json().get("silences")).hasSize(1);

        TestingServer.Response expired = server.send("DELETE", "/v1/silences/" + id, operator, null, null, Map.of());
        assertThat(expired.status()).isEqualTo(200);
        assertThat(expired.json().get("endsAt").asText()).isNotEqualTo(added.json().get("endsAt").asText());

        TestingServer.Response bad = server.postJson("/v1/silences", operator,
                "{\"project\": \"fraud\", \"matchers\": {\"endpoint\": \"churn\"}, \"duration\": \"forever\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("field 'duration' is 'forever'");
    }
}
