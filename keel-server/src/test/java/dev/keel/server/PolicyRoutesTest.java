package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.security.AuditLog;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.spi.event.PipelineRunFailed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/** Remediation policies through the real server on SQLite and PostgreSQL: apply, list, show, delete, dry run, and a policy acting. */
@OnEachStore
class PolicyRoutesTest {
    private static final String POLICY = """
            name: hold-scores
            project: fraud
            when: {kind: pipeline.run_failed, count: 2, within: 10m}
            actions:
              - stop_publish: {}
            """;

    @Parameter
    StoreKind kind;

    private TestingServer server;
    private String operator;
    private String viewer;

    @BeforeEach
    void start() {
        server = TestingServer.start(kind);
        assertThat(server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"fraud\"}").status()).isEqualTo(201);
        assertThat(server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"other\"}").status()).isEqualTo(201);
        operator = server.token("ops", Map.of("fraud", Role.OPERATOR));
        viewer = server.token("viewer", Map.of("fraud", Role.VIEWER));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestingServer.Response apply(String token, String yaml) {
        return server.send("PUT", "/v1/policies", token, yaml.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
    }

    @Test
    void apply_createsThenKeepsThenVersions_andViewersReadButCannotWrite() {
        TestingServer.Response created = apply(operator, POLICY);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("version").asInt()).isEqualTo(1);
        assertThat(created.json().get("actions")).extracting(JsonNode::asText).containsExactly("stop_publish");

        TestingServer.Response same = apply(operator, POLICY);
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("changed").asBoolean()).isFalse();
        TestingServer.Response json = server.send("POST", "/v1/policies", operator, Json.write(Map.of("name", "hold-scores", "project", "fraud",
                "when", Map.of("kind", "pipeline.run_failed"), "actions", List.of(Map.of("stop_publish", Map.of())))).getBytes(StandardCharsets.UTF_8),
                "application/json", Map.of());
        assertThat(json.status()).as(json.body()).isEqualTo(200);
        assertThat(json.json().get("version").asInt()).isEqualTo(2);

        assertThat(server.get("/v1/policies?project=fraud", viewer).json().get("policies")).extracting(policy -> policy.get("name").asText())
                .containsExactly("hold-scores");
        JsonNode shown = server.get("/v1/policies/hold-scores", viewer).json();
        assertThat(shown.get("spec").asText()).contains("\"stop_publish\"");
        assertThat(shown.get("recentActions")).isEmpty();
        assertThat(apply(viewer, POLICY.replace("count: 2", "count: 3")).status()).isEqualTo(403);
        assertThat(server.send("DELETE", "/v1/policies/hold-scores", viewer, null, null, Map.of()).status()).isEqualTo(403);

        assertThat(server.send("DELETE", "/v1/policies/hold-scores", operator, null, null, Map.of()).status()).isEqualTo(200);
        assertThat(server.get("/v1/policies/hold-scores", operator).status()).isEqualTo(404);
    }

    @Test
    void apply_invalidSpec_isAProblemNamingEveryPath() {
        TestingServer.Response refused = apply(operator, """
                name: hold-scores
                project: fraud
                when: {kind: pipeline.exploded, count: 0}
                actions: [{retry: {attempts: 99}}, {pause: {}}]
                """);

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("errors")).extracting(error -> error.get("field").asText()).containsExactly("when.kind", "when.count",
                "actions[0].retry.attempts", "actions[1].pause");
        TestingServer.Response unknownProject = apply(server.adminToken(), POLICY.replace("project: fraud", "project: nowhere"));
        assertThat(unknownProject.status()).isEqualTo(422);
        assertThat(unknownProject.json().get("errors").get(0).get("field").asText()).isEqualTo("project");
        TestingServer.Response yamlAsText = server.send("PUT", "/v1/policies", operator, POLICY.getBytes(StandardCharsets.UTF_8), "text/plain",
                Map.of());
        assertThat(yamlAsText.status()).isEqualTo(415);
    }

    @Test
    void apply_aNameOfAnotherProject_isCheckedInThatProjectAndRefused() {
        assertThat(apply(operator, POLICY).status()).isEqualTo(201);
        String otherOperator = server.token("other-ops", Map.of("other", Role.OPERATOR));

        // the stored policy's project decides who may write it, not the project the new text names
        assertThat(apply(otherOperator, POLICY.replace("project: fraud", "project: other")).status()).isEqualTo(403);
        TestingServer.Response moved = apply(server.adminToken(), POLICY.replace("project: fraud", "project: other"));
        assertThat(moved.status()).isEqualTo(409);
        assertThat(moved.body()).contains("belongs to project 'fraud'");
    }

    @Test
    void aPolicyActs_throughTheServersServices_auditedAsThePolicy_andDryRunAnswersWithoutActing() {
        Path csv = Path.of("..", "examples", "credit-g", "credit-g.csv").toAbsolutePath().normalize();
        String pipeline = """
                pipeline: scores
                project: fraud
                sources:
                  - {name: applications, type: csv, path: '%s', header: true}
                outputs:
                  - {dataset: scores, from: applications}
                """.formatted(csv);
        assertThat(server.send("POST", "/v1/pipelines", server.adminToken(), pipeline.getBytes(StandardCharsets.UTF_8), "application/yaml",
                Map.of()).status()).isEqualTo(201);
        assertThat(apply(operator, POLICY).status()).isEqualTo(201);

        for (int i = 0; i < 2; i++) {
            server.keel().events().publish(new PipelineRunFailed("fraud", "scores", "run-" + i, 1, false, "source 'applications' could not be read",
                    Instant.now()));
        }
        server.keel().incidents().sink().flush();
        assertThat(server.keel().policies().engine().awaitIdle(Duration.ofSeconds(30))).isTrue();

        assertThat(server.keel().data().service().publishHold("scores")).hasValueSatisfying(hold ->
                assertThat(hold.actor()).isEqualTo("policy:hold-scores"));
        List<AuditLog.Entry> audited = server.keel().audit().list(Optional.of("fraud"), 100, Optional.empty()).stream()
                .filter(entry -> entry.actor().equals("policy:hold-scores")).toList();
        assertThat(audited).extracting(AuditLog.Entry::action, AuditLog.Entry::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("policy.stop_publish", "success"));
        JsonNode actions = server.get("/v1/policies/hold-scores", viewer).json().get("recentActions");
        assertThat(actions).extracting(action -> action.get("outcome").asText()).containsExactly("succeeded");

        TestingServer.Response dryRun = server.postJson("/v1/policies/dry-run", viewer, Json.write(Map.of("project", "fraud", "days", 1,
                "spec", POLICY.replace("hold-scores", "would-hold").replace("count: 2", "count: 1"))));
        assertThat(dryRun.status()).as(dryRun.body()).isEqualTo(200);
        assertThat(dryRun.json().get("actions")).extracting(action -> action.get("action").asText(), action -> action.get("outcome").asText())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("stop_publish", "would_run"));
        assertThat(server.get("/v1/policies/would-hold", viewer).status()).isEqualTo(404);
        assertThat(server.postJson("/v1/policies/dry-run", viewer, "{\"name\": \"hold-scores\", \"days\": 91}").json().get("errors").get(0)
                .get("field").asText()).isEqualTo("days");
        String outsider = server.token("outsider", Map.of("other", Role.VIEWER));
        assertThat(server.postJson("/v1/policies/dry-run", outsider, "{\"name\": \"hold-scores\"}").status()).isEqualTo(403);
    }
}
