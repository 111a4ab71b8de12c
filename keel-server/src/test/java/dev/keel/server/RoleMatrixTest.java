package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.security.Permission;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;

/**
 * Every operation the server publishes in {@code /openapi.json}, called with a token of every role granted on project
 * {@code alpha} only, once on alpha's objects and once on project {@code beta}'s. A cell passes when the answer is what the
 * role table and project scoping promise: 403 where the role lacks the permission or the object is beta's, never 401 or 5xx,
 * and no answer to an alpha token that names one of beta's objects.
 */
@OnEachStore
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMatrixTest {
    private static final List<String> PROJECTS = List.of("alpha", "beta");
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "DELETE");

    @Parameter
    StoreKind kind;

    private TestingServer server;
    private final Map<String, String> runIds = new LinkedHashMap<>();
    private final Map<String, String> incidentIds = new LinkedHashMap<>();
    private final Map<String, String> trainingRunIds = new LinkedHashMap<>();
    private final Map<String, String> approvalIds = new LinkedHashMap<>();
    private final Map<String, String> scoringRunIds = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        if (server != null && server.kind() == kind) {
            return;
        }
        stop();
        server = TestingServer.start(kind);
        String admin = server.adminToken();
        for (String project : PROJECTS) {
            expect(server.postJson("/v1/projects", admin, "{\"name\": \"" + project + "\"}"), 201);
            expect(server.postJson("/v1/models", admin, "{\"name\": \"model-" + project + "\", \"project\": \"" + project + "\"}"), 201);
            expect(server.send("POST", "/v1/models/model-" + project + "/versions", admin, TestModels.creditGOnnx(),
                    "application/octet-stream", Map.of()), 201);
            expect(server.postJson("/v1/models/model-" + project + "/aliases/champion", admin, "{\"version\": 1, \"reason\": \"first\"}"), 200);
            expect(server.postJson("/v1/endpoints", admin, "{\"name\": \"endpoint-" + project + "\", \"model\": \"model-" + project + "\"}"), 201);
            expect(server.postJson("/v1/monitors", admin, Json.write(Map.of("name", "monitor-" + project, "model", "model-" + project,
                    "statistic", "psi", "features", List.of("duration"), "window", "100 predictions", "limit", 0.2))), 201);
            expect(server.send("POST", "/v1/pipelines", admin, pipeline(project).getBytes(StandardCharsets.UTF_8), "application/yaml",
                    Map.of()), 201);
            TestingServer.Response run = server.send("POST", "/v1/pipelines/pipeline-" + project + "/runs?wait=true", admin, new byte[0],
                    "text/plain", Map.of());
            expect(run, 200);
            runIds.put(project, run.json().get("id").asText());
            server.keel().events().publish(new dev.keel.spi.event.PipelineRunFailed(project, "pipeline-" + project, "run-x1", 1, false,
                    "source applications could not be read", java.time.Instant.now()));
            server.keel().incidents().sink().flush();
            incidentIds.put(project, server.keel().incidents().list(project, Set.of(), 1).getFirst().id());
            expect(server.send("PUT", "/v1/training/specs", admin, trainingSpec(project).getBytes(StandardCharsets.UTF_8), "application/yaml",
                    Map.of()), 201);
            String trainingRun = server.postJson("/v1/training/runs", admin, "{\"model\": \"model-" + project + "\"}").json().get("id").asText();
            trainingRunIds.put(project, trainingRun);
            dev.keel.core.training.TrainingRun ended = server.keel().training().awaitEnd(trainingRun, 60_000);
            assertThat(ended.status()).as(ended.toString()).isEqualTo(dev.keel.core.training.TrainingRun.Status.SUCCEEDED);
            approvalIds.put(project, server.keel().training().approvals(project, true, 1).getFirst().id());
            expect(server.send("POST", "/v1/scoring/jobs", admin, scoringJob(project, kind).getBytes(StandardCharsets.UTF_8), "application/yaml",
                    Map.of()), 201);
            String scoringRun = server.postJson("/v1/scoring/jobs/job-" + project + "/runs", admin, "{}").json().get("id").asText();
            assertThat(server.keel().scoring().awaitIdle("job-" + project, java.time.Duration.ofSeconds(60))).isTrue();
            assertThat(server.keel().scoring().requireRun(scoringRun).status()).isEqualTo(dev.keel.core.batch.BatchRun.Status.SUCCEEDED);
            scoringRunIds.put(project, scoringRun);
            expect(server.send("PUT", "/v1/policies", admin, ("name: policy-" + project + "\nproject: " + project
                    + "\nwhen: {kind: pipeline.run_failed}\nactions:\n  - raise_severity: {to: critical}\n").getBytes(StandardCharsets.UTF_8),
                    "application/yaml", Map.of()), 201);
        }
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void everyPublishedOperation_timesEveryRole_onTwoProjects_answersWhatTheRoleTableSays() {
        JsonNode paths = server.get("/openapi.json", server.adminToken()).json().get("paths");
        Map<Role, String> tokens = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            tokens.put(role, server.token(role.wireName() + "-on-alpha", Map.of("alpha", role)));
        }
        List<String> mismatches = new ArrayList<>();
        int cells = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields(); operations.hasNext();) {
                Map.Entry<String, JsonNode> operation = operations.next();
                if (!operation.getValue().has("x-keel-permission")) {
                    continue;
                }
                String method = operation.getKey().toUpperCase(Locale.ROOT);
                Permission permission = Permission.valueOf(operation.getValue().get("x-keel-permission").asText());
                boolean changes = operation.getValue().get("x-keel-audited").asBoolean();
                for (Role role : Role.values()) {
                    for (String project : PROJECTS) {
                        String target = concrete(path.getKey(), project);
                        TestingServer.Response response = server.send(method, target, tokens.get(role), body(method, project),
                                "application/json", Map.of());
                        cells++;
                        String problem = judge(changes, target, permission, role, project, response);
                        if (problem != null) {
                            mismatches.add(role.wireName() + " on alpha, " + method + " " + target + " (" + permission + "): " + problem
                                    + " -> " + abbreviated(response));
                        }
                    }
                }
            }
        }

        assertThat(cells).as("cells checked").isGreaterThan(Role.values().length * PROJECTS.size() * 40);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void aGlobalAdmin_stillReachesBothProjects() {
        for (String project : PROJECTS) {
            assertThat(server.get("/v1/pipelines/pipeline-" + project, server.adminToken()).status()).isEqualTo(200);
            assertThat(server.get("/v1/pipeline-runs/" + runIds.get(project), server.adminToken()).status()).isEqualTo(200);
            assertThat(server.get("/v1/datasets/dataset-" + project, server.adminToken()).status()).isEqualTo(200);
            assertThat(server.get("/v1/endpoints/endpoint-" + project, server.adminToken()).status()).isEqualTo(200);
        }
    }

    /** Null when the answer is right for the cell, else what is wrong with it. */
    private static String judge(boolean changes, String target, Permission permission, Role role, String project,
                                TestingServer.Response response) {
        int status = response.status();
        if (status == 401 || status >= 500) {
            return "never 401 or 5xx for a valid token";
        }
        boolean granted = permission.projectScoped() && role.grants(permission);
        if (!granted) {
            return status == 403 ? null : "expected 403: the role lacks " + permission + " in alpha or it is not granted per project";
        }
        if (project.equals("alpha")) {
            return status == 403 ? "expected the call to pass authorization on alpha's objects" : null;
        }
        if (status == 403) {
            return null;
        }
        if (target.contains("beta")) {
            return "expected 403 for an object of project beta";
        }
        if (status < 300 && changes) {
            return "a change reached project beta";
        }
        if (status < 300 && response.body().contains("beta")) {
            return "the answer names an object of project beta";
        }
        return null;
    }

    private String concrete(String path, String project) {
        return path.replace("{model}", "model-" + project).replace("{m}", "model-" + project).replace("{version}", "1")
                .replace("{v}", "1").replace("{alias}", "champion").replace("{name}", "endpoint-" + project)
                .replace("{pipeline}", "pipeline-" + project).replace("{dataset}", "dataset-" + project)
                .replace("/v1/monitors/{id}", "/v1/monitors/monitor-" + project)
                .replace("/v1/pipeline-runs/{id}", "/v1/pipeline-runs/" + runIds.get(project))
                .replace("/v1/incidents/{id}", "/v1/incidents/" + incidentIds.get(project))
                .replace("/v1/policies/{id}", "/v1/policies/policy-" + project)
                .replace("/v1/training/runs/{id}", "/v1/training/runs/" + trainingRunIds.get(project))
                .replace("/v1/approvals/{id}", "/v1/approvals/" + approvalIds.get(project))
                .replace("/v1/scoring/runs/{id}", "/v1/scoring/runs/" + scoringRunIds.get(project)).replace("{job}", "job-" + project)
                .replace("{id}", "tk_000000000000");
    }

    /** A body naming the project's objects that no route accepts as a complete request, so nothing is created. */
    private static byte[] body(String method, String project) {
        if (!MUTATING.contains(method) || method.equals("DELETE")) {
            return null;
        }
        return ("{\"project\": \"" + project + "\", \"model\": \"model-" + project + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** A training spec of the project's model on its dataset whose challengers wait for an approval. */
    private static String trainingSpec(String project) {
        return """
                model: model-%s
                project: %s
                dataset: dataset-%s
                target: class
                classes: [good, bad]
                features: [duration, credit_amount, age]
                trainer: logistic-regression
                gate: {rules: ["auc >= champion.auc"]}
                promotion: {mode: approval, alias: challenger}
                """.formatted(project, project, project);
    }

    /** A scoring job of the project's dataset with the version its training run produced, into a table of Keel's store. */
    private static String scoringJob(String project, StoreKind kind) {
        return """
                name: job-%s
                project: %s
                model: {name: model-%s, version: 2}
                input: {dataset: dataset-%s}
                outputs: {probabilities: true}
                destination: {kind: %s, connection: keel, table: scores_%s}
                """.formatted(project, project, project, project, kind.name().toLowerCase(Locale.ROOT), project);
    }

    private static String pipeline(String project) {
        Path csv = Path.of("..", "examples", "credit-g", "credit-g.csv").toAbsolutePath().normalize();
        return """
                pipeline: pipeline-%s
                project: %s
                sources:
                  - {name: applications, type: csv, path: '%s', header: true}
                outputs:
                  - {dataset: dataset-%s, from: applications}
                """.formatted(project, project, csv, project);
    }

    private static void expect(TestingServer.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
    }

    private static String abbreviated(TestingServer.Response response) {
        String text = response.toString();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
