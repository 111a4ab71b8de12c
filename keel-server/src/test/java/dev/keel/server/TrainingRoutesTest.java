package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.incident.Incident;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * Retraining through the real server on SQLite and PostgreSQL: a pipeline's dataset (credit-g), in-JVM and external trainers
 * (real processes), Keel's own evaluation in ONNX Runtime, the comparison gate, approvals, rollouts on a live endpoint,
 * the incidents of every refusal, and lineage.
 */
@OnEachStore
class TrainingRoutesTest {
    private static final Path FIXTURES = Path.of("..", "build", "fixtures", "models").toAbsolutePath().normalize();
    /** Declared commands: the external trainers these tests run. */
    private static final String COMMANDS = """
            training:
              trigger-interval: 1s
              commands:
                crashes:
                  command: ["/bin/sh", "-c", "echo 'loading the data' && echo 'ValueError: the lab script broke' >&2 && exit 3"]
                sleeps:
                  command: ["/bin/sh", "-c", "echo started && sleep 600"]
                  timeout: 2s
                wrong-signature:
                  command: ["/bin/sh", "-c", "cp '%s' \\"$KEEL_MODEL_OUT\\" && echo '{\\"auc\\": 0.99}' > \\"$KEEL_METRICS_OUT\\""]
            """.formatted(FIXTURES.resolve("multi_input.onnx"));
    private static final String FEATURES = "[duration, credit_amount, installment_commitment, residence_since, age, existing_credits, num_dependents]";

    @Parameter
    StoreKind kind;

    private TestingServer server;
    private String operator;
    private String scientist;
    private String viewer;

    @BeforeEach
    void start() {
        server = TestingServer.start(kind, COMMANDS);
        String admin = server.adminToken();
        expect(server.postJson("/v1/projects", admin, "{\"name\": \"credit\"}"), 201);
        expect(server.postJson("/v1/projects", admin, "{\"name\": \"other\"}"), 201);
        operator = server.token("ops", Map.of("credit", Role.OPERATOR));
        scientist = server.token("lab", Map.of("credit", Role.SCIENTIST));
        viewer = server.token("viewer", Map.of("credit", Role.VIEWER));
        expect(server.postJson("/v1/models", admin, "{\"name\": \"risk\", \"project\": \"credit\"}"), 201);
        Path csv = Path.of("..", "examples", "credit-g", "credit-g.csv").toAbsolutePath().normalize();
        String pipeline = """
                pipeline: applications
                project: credit
                sources:
                  - {name: applications, type: csv, path: '%s', header: true}
                outputs:
                  - {dataset: applications, from: applications}
                """.formatted(csv);
        expect(server.send("POST", "/v1/pipelines", admin, pipeline.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of()), 201);
        expect(server.send("POST", "/v1/pipelines/applications/runs?wait=true", admin, new byte[0], "text/plain", Map.of()), 200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String spec(String trainer, String parameters, String gate, String promotion) {
        return """
                model: risk
                project: credit
                dataset: applications
                target: class
                classes: [good, bad]
                positive: bad
                features: %s
                trainer: %s
                parameters: %s
                holdout: {fraction: 0.25, seed: 7}
                gate: %s
                promotion: %s
                """.formatted(FEATURES, trainer, parameters, gate, promotion);
    }

    private TestingServer.Response apply(String token, String yaml) {
        return server.send("PUT", "/v1/training/specs", token, yaml.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
    }

    /** Starts a run by hand and waits for it to end; the run as the API shows it then. */
    private JsonNode runToEnd(String token) {
        TestingServer.Response started = server.postJson("/v1/training/runs", token, "{\"model\": \"risk\"}");
        expect(started, 202);
        return awaitEnd(started.json().get("id").asText());
    }

    private JsonNode awaitEnd(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = server.get("/v1/training/runs/" + id, operator).json();
            if (!Set.of("QUEUED", "RUNNING").contains(run.get("status").asText())) {
                return run;
            }
            sleep(50);
        }
        throw new AssertionError("training run " + id + " did not end within 120 s");
    }

    private List<Incident> trainingIncidents() {
        server.keel().events().awaitDelivered(Duration.ofSeconds(5));
        server.keel().incidents().sink().flush();
        return server.keel().incidents().list("credit", Set.of(), 50).stream().filter(incident -> incident.kind().equals("training.failed")).toList();
    }

    @Test
    void aChallenger_isEvaluatedByKeel_againstTheChampion_andAWorseOneIsRefusedAtTheGate() {
        expect(apply(operator, spec("logistic-regression", "{}", "{rules: [\"auc >= 0.6\"], min_holdout_rows: 100}", "{mode: auto}")), 201);

        JsonNode first = runToEnd(scientist);
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(first.get("trigger").asText()).isEqualTo("manual");
        assertThat(first.get("modelVersion").asInt()).isEqualTo(1);
        assertThat(first.get("datasetSha256").asText()).matches("[0-9a-f]{64}");
        assertThat(first.get("detail").get("code_version").asText()).startsWith("keel ").contains("trainer logistic-regression");
        JsonNode verified = first.get("detail").get("verified_metrics");
        assertThat(verified.get("auc").asDouble()).isGreaterThan(0.6).isLessThan(1.0);
        assertThat(verified.get("rows").asInt()).isEqualTo(250);
        assertThat(first.get("detail").get("verdict").get("passed").asBoolean()).isTrue();
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(1);

        JsonNode shown = server.get("/v1/models/risk/versions/1", viewer).json();
        assertThat(shown.get("metrics").has("log_loss")).as("the trainer's claim, as it made it").isTrue();
        assertThat(shown.get("verifiedMetrics").get("logloss").asDouble()).isEqualTo(verified.get("logloss").asDouble());
        assertThat(shown.get("gatePassed").asBoolean()).isTrue();
        JsonNode evaluation = server.get("/v1/models/risk/versions/1/evaluation", viewer).json();
        assertThat(evaluation.get("passed").asBoolean()).isTrue();
        assertThat(evaluation.get("metrics").get("auc").asDouble()).isEqualTo(verified.get("auc").asDouble());
        assertThat(evaluation.has("championVersion") && !evaluation.get("championVersion").isNull()).isFalse();

        // an undertrained challenger: its log loss is far above the champion's, so the relative rule refuses it
        expect(apply(operator, spec("logistic-regression", "{epochs: 1, learning-rate: 0.000001}",
                "{rules: [\"auc >= 0.5\", \"logloss <= champion.logloss * 1.02\"], min_holdout_rows: 100}", "{mode: auto}")), 200);
        JsonNode second = runToEnd(operator);
        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("REFUSED");
        assertThat(second.get("code").asText()).isEqualTo("GATE_FAILED");
        assertThat(second.get("message").asText()).contains("logloss");
        assertThat(second.get("modelVersion").asInt()).isEqualTo(2);
        JsonNode checks = second.get("detail").get("verdict").get("checks");
        assertThat(checks.findValuesAsText("status")).contains("FAILED");
        JsonNode refused = server.get("/v1/models/risk/versions/2/evaluation", viewer).json();
        assertThat(refused.get("passed").asBoolean()).isFalse();
        assertThat(refused.get("championVersion").asInt()).isEqualTo(1);
        assertThat(refused.get("metrics").get("logloss").asDouble()).isGreaterThan(refused.get("championMetrics").get("logloss").asDouble() * 1.02);
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(1);
        assertThat(trainingIncidents()).hasSize(1).first().satisfies(incident -> assertThat(incident.objects().get("model")).contains("risk"));

        String log = server.get("/v1/training/runs/" + second.get("id").asText() + "/log", viewer).body();
        assertThat(log).contains("champion risk:1 on the same holdout").contains("gate failed");

        JsonNode lineage = server.get("/v1/models/risk/versions/1/lineage", viewer).json();
        assertThat(lineage.get("trainingRun").get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(lineage.get("dataset").get("name").asText()).isEqualTo("applications");
        assertThat(lineage.get("dataset").get("sha256").asText()).isEqualTo(first.get("datasetSha256").asText());
        assertThat(lineage.get("pipelineRun").get("pipeline").asText()).isEqualTo("applications");
        assertThat(lineage.get("pipelineRun").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(lineage.get("pipelineRun").get("sources").fieldNames()).toIterable().contains("applications");
    }

    @Test
    void aTrainerThatCrashes_timesOut_orEmitsTheWrongSignature_isRefusedWithItsReason_andAnIncident() {
        expect(apply(operator, spec("command:crashes", "{}", "{rules: [\"auc >= 0.5\"]}", "{mode: auto}")), 201);
        JsonNode crashed = runToEnd(operator);
        assertThat(crashed.get("status").asText()).isEqualTo("FAILED");
        assertThat(crashed.get("code").asText()).isEqualTo("TRAINER_CRASHED");
        assertThat(crashed.get("detail").get("code_version").asText()).contains("trainer command:crashes").containsPattern("/bin/sh sha256 [0-9a-f]{64}");
        assertThat(crashed.get("message").asText()).contains("3");
        assertThat(server.get("/v1/training/runs/" + crashed.get("id").asText() + "/log", operator).body()).contains("the lab script broke");

        expect(apply(operator, spec("command:sleeps", "{}", "{rules: [\"auc >= 0.5\"]}", "{mode: auto}")), 200);
        JsonNode slept = runToEnd(operator);
        assertThat(slept.get("status").asText()).isEqualTo("FAILED");
        assertThat(slept.get("code").asText()).isEqualTo("TRAINER_TIMED_OUT");

        expect(apply(operator, spec("command:wrong-signature", "{}", "{rules: [\"auc >= 0.5\"]}", "{mode: auto}")), 200);
        JsonNode wrong = runToEnd(operator);
        assertThat(wrong.get("status").asText()).isEqualTo("REFUSED");
        assertThat(wrong.get("code").asText()).isEqualTo("BAD_MODEL");
        assertThat(wrong.get("message").asText()).contains("input");
        assertThat(wrong.has("modelVersion")).as("a refused artifact is never registered").isFalse();
        assertThat(server.get("/v1/models/risk/versions", operator).json().get("versions")).isEmpty();

        List<Incident> incidents = trainingIncidents();
        assertThat(incidents).isNotEmpty();
        assertThat(incidents.stream().mapToLong(Incident::count).sum()).isEqualTo(3);
    }

    @Test
    void aHeldPromotion_waitsForAnOperator_whoApprovesOrRejectsIt() {
        expect(apply(operator, spec("logistic-regression", "{}", "{rules: [\"auc >= 0.6\"]}", "{mode: approval}")), 201);
        JsonNode run = runToEnd(scientist);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("detail").get("promotion").get("state").asText()).isEqualTo("awaiting_approval");
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").has("champion")).isFalse();

        JsonNode pending = server.get("/v1/approvals?project=credit", viewer).json().get("approvals");
        assertThat(pending).hasSize(1);
        String id = pending.get(0).get("id").asText();
        assertThat(pending.get(0).get("version").asInt()).isEqualTo(1);
        assertThat(server.postJson("/v1/approvals/" + id + "/approve", scientist, "{}").status()).isEqualTo(403);
        assertThat(server.postJson("/v1/approvals/" + id + "/approve", server.token("elsewhere", Map.of("other", Role.OPERATOR)), "{}").status())
                .isEqualTo(403);
        TestingServer.Response approved = server.postJson("/v1/approvals/" + id + "/approve", operator, "{\"reason\": \"checked the slices\"}");
        expect(approved, 200);
        assertThat(approved.json().get("status").asText()).isEqualTo("APPROVED");
        assertThat(approved.json().get("decidedBy").asText()).startsWith("ops");
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(1);
        assertThat(server.postJson("/v1/approvals/" + id + "/reject", operator, "{\"reason\": \"too late\"}").status()).isEqualTo(409);

        JsonNode again = runToEnd(operator);
        String second = server.get("/v1/approvals?project=credit", viewer).json().get("approvals").get(0).get("id").asText();
        assertThat(again.get("detail").get("promotion").get("approval").asText()).isEqualTo(second);
        assertThat(server.postJson("/v1/approvals/" + second + "/reject", operator, "{}").status()).isEqualTo(400);
        expect(server.postJson("/v1/approvals/" + second + "/reject", operator, "{\"reason\": \"not this week\"}"), 200);
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(1);
        assertThat(server.get("/v1/approvals?project=credit", viewer).json().get("approvals")).isEmpty();
    }

    @Test
    void aRollout_givesTheChallengerACanaryShare_thenPromotesIt_orRollsItBackWithTheReason() {
        expect(apply(operator, spec("logistic-regression", "{}", "{rules: [\"auc >= 0.6\"]}", "{mode: auto}")), 201);
        assertThat(runToEnd(operator).get("status").asText()).isEqualTo("SUCCEEDED");
        expect(server.postJson("/v1/endpoints", operator, "{\"name\": \"scoring\", \"model\": \"risk\"}"), 201);

        expect(apply(operator, spec("logistic-regression", "{seed: 11}", "{rules: [\"auc >= 0.5\"]}",
                "{mode: auto, rollout: {endpoint: scoring, percent: 50, requests: 20, duration: 5m, max_error_rate: 0.05}}")), 200);
        JsonNode run = runToEnd(operator);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("detail").get("promotion").get("state").asText()).as(run.toString()).isEqualTo("rolling_out");
        String rollout = run.get("detail").get("promotion").get("rollout").asText();
        assertThat(server.get("/v1/endpoints/scoring", operator).body()).contains("canary");
        String row = "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 7], \"datatype\": \"FP32\", \"data\": [12, 2000, 2, 3, 35, 1, 1]}]}";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode state = server.get("/v1/rollouts/" + rollout, operator).json();
        while (state.get("status").asText().equals("RUNNING") && System.nanoTime() < deadline) {
            for (int i = 0; i < 10; i++) {
                expect(server.postJson("/v2/models/risk/infer", operator, row), 200);
            }
            sleep(100);
            state = server.get("/v1/rollouts/" + rollout, operator).json();
        }
        assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("PROMOTED");
        assertThat(state.get("requests").asInt()).isGreaterThanOrEqualTo(20);
        assertThat(state.get("errors").asInt()).isZero();
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(2);
        assertThat(server.get("/v1/endpoints/scoring", operator).json().path("canary").isMissingNode()
                || server.get("/v1/endpoints/scoring", operator).json().path("canary").isNull()).isTrue();

        // no traffic reaches the next canary within its time: rolled back, with the reason and an incident
        expect(apply(operator, spec("logistic-regression", "{seed: 12}", "{rules: [\"auc >= 0.5\"]}",
                "{mode: auto, rollout: {endpoint: scoring, percent: 10, requests: 1000, duration: 2s}}")), 200);
        JsonNode quiet = runToEnd(operator);
        assertThat(quiet.get("status").asText()).as(quiet.toString()).isEqualTo("SUCCEEDED");
        assertThat(quiet.get("detail").get("promotion").get("state").asText()).as(quiet.toString()).isEqualTo("rolling_out");
        String second = quiet.get("detail").get("promotion").get("rollout").asText();
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        state = server.get("/v1/rollouts/" + second, operator).json();
        while (state.get("status").asText().equals("RUNNING") && System.nanoTime() < deadline) {
            sleep(100);
            state = server.get("/v1/rollouts/" + second, operator).json();
        }
        assertThat(state.get("status").asText()).isEqualTo("ABORTED");
        assertThat(state.get("reason").asText()).contains("no request reached the canary");
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(2);
        server.keel().events().awaitDelivered(Duration.ofSeconds(5));
        server.keel().incidents().sink().flush();
        assertThat(server.keel().incidents().list("credit", Set.of(), 50)).extracting(Incident::kind).contains("rollout.aborted");

        // labels that contradict every canary answer and confirm every stable one: the canary's accuracy falls behind, rolled back
        expect(apply(operator, spec("logistic-regression", "{seed: 13}", "{rules: [\"auc >= 0.5\"]}",
                "{mode: auto, rollout: {endpoint: scoring, percent: 50, requests: 30, duration: 5m, max_accuracy_drop: 0.1, min_labels: 10}}")), 200);
        JsonNode contradicted = runToEnd(operator);
        String third = contradicted.get("detail").get("promotion").get("rollout").asText();
        int canaryVersion = contradicted.get("modelVersion").asInt();
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        state = server.get("/v1/rollouts/" + third, operator).json();
        while (state.get("status").asText().equals("RUNNING") && System.nanoTime() < deadline) {
            TestingServer.Response answer = server.postJson("/v1/endpoints/scoring/predict", operator,
                    "{\"instances\": [{\"duration\": 12, \"credit_amount\": 2000, \"installment_commitment\": 2, \"residence_since\": 3,"
                    + " \"age\": 35, \"existing_credits\": 1, \"num_dependents\": 1}]}");
            expect(answer, 200);
            JsonNode probabilities = answer.json().get("outputs").get("probabilities").get(0);
            String predicted = probabilities.get(0).asDouble() >= probabilities.get(1).asDouble() ? "good" : "bad";
            String other = predicted.equals("good") ? "bad" : "good";
            String label = answer.json().get("version").asInt() == canaryVersion ? other : predicted;
            expect(server.postJson("/v1/labels?project=credit", operator, "{\"labels\": [{\"requestId\": \"" + answer.json().get("requestId").asText()
                    + "\", \"label\": \"" + label + "\"}]}"), 200);
            state = server.get("/v1/rollouts/" + third, operator).json();
        }
        assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("ABORTED");
        assertThat(state.get("reason").asText()).contains("labelled canary answers is more than 0.1000 below the stable version's 1.0000");
        assertThat(server.get("/v1/models/risk", viewer).json().get("aliases").get("champion").asInt()).isEqualTo(2);
    }

    @Test
    void recentLabelledTraffic_isScoredToo_apartFromTheHoldout() throws Exception {
        expect(apply(operator, spec("logistic-regression", "{}", "{rules: [\"auc >= 0.6\"], min_holdout_rows: 50}", "{mode: auto}")), 201);
        assertThat(runToEnd(operator).get("status").asText()).isEqualTo("SUCCEEDED");
        expect(server.postJson("/v1/endpoints", operator, "{\"name\": \"scoring\", \"model\": \"risk\"}"), 201);

        List<String> lines = java.nio.file.Files.readAllLines(Path.of("..", "examples", "credit-g", "credit-g.csv"));
        List<String> header = List.of(lines.getFirst().split(","));
        List<String> features = List.of(FEATURES.substring(1, FEATURES.length() - 1).split(", "));
        List<Map<String, Object>> labels = new java.util.ArrayList<>();
        for (String line : lines.subList(1, 201)) {
            String[] values = line.split(",");
            Map<String, Object> instance = new java.util.LinkedHashMap<>();
            for (String feature : features) {
                instance.put(feature, Double.parseDouble(values[header.indexOf(feature)]));
            }
            TestingServer.Response answer = server.postJson("/v1/endpoints/scoring/predict", operator,
                    dev.keel.core.json.Json.write(Map.of("instances", List.of(instance))));
            expect(answer, 200);
            labels.add(Map.of("requestId", answer.json().get("requestId").asText(), "label", values[header.indexOf("class")]));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode stats = server.get("/v1/predictions/log/stats", server.adminToken()).json();
        while ((stats.get("queued").asLong() > 0 || stats.get("written").asLong() < stats.get("accepted").asLong()) && System.nanoTime() < deadline) {
            sleep(50);
            stats = server.get("/v1/predictions/log/stats", server.adminToken()).json();
        }
        expect(server.postJson("/v1/labels", operator, dev.keel.core.json.Json.write(Map.of("labels", labels))), 200);

        JsonNode second = runToEnd(operator);
        JsonNode traffic = second.get("detail").get("traffic");
        assertThat(traffic).as(second.toString()).isNotNull();
        assertThat(traffic.get("rows").asInt()).isEqualTo(200);
        assertThat(traffic.get("challenger").get("auc").asDouble()).isBetween(0.5, 1.0);
        assertThat(traffic.get("champion").get("rows").asInt()).isEqualTo(200);
        assertThat(server.get("/v1/training/runs/" + second.get("id").asText() + "/log", operator).body())
                .contains("on 200 recent labelled predictions");
    }

    @Test
    void anotherProjectsRunsAndDatasets_areNeitherTrainedOnNorShownInLineage() {
        expect(apply(operator, spec("logistic-regression", "{}", "{rules: [\"auc >= 0.6\"]}", "{mode: auto}")), 201);
        JsonNode run = runToEnd(operator);
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        String admin = server.adminToken();
        expect(server.postJson("/v1/models", admin, "{\"name\": \"spy\", \"project\": \"other\"}"), 201);
        String spyOperator = server.token("spy-ops", Map.of("other", Role.OPERATOR));

        // a holdout dataset of another project is refused when the spec is applied
        String stealing = spec("logistic-regression", "{}", "{}", "{mode: auto}").replace("model: risk", "model: spy").replace("project: credit",
                "project: other").replace("holdout: {fraction: 0.25, seed: 7}", "holdout: {dataset: applications}");
        TestingServer.Response refused = apply(spyOperator, stealing);
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("errors").get(0).get("field").asText()).isIn("dataset", "holdout.dataset");

        // an uploaded version whose lineage names the other project's training run and dataset shows neither
        String lineage = "{\"lineage\": {\"runId\": \"" + run.get("id").asText() + "\", \"datasetUri\": \"dataset:applications@1\"}}";
        expect(server.upload("spy", dev.keel.core.testing.TestModels.creditGOnnx(), lineage), 201);
        TestingServer.Response shown = server.get("/v1/models/spy/versions/1/lineage", spyOperator);
        expect(shown, 200);
        assertThat(shown.json().has("trainingRun")).isFalse();
        assertThat(shown.json().has("pipelineRun")).isFalse();
        assertThat(shown.json().get("dataset").has("rows")).isFalse();
        assertThat(shown.body()).doesNotContain(run.get("datasetSha256").asText());
    }

    @Test
    void runsAreDebounced_cancellable_andChecked() {
        expect(apply(operator, spec("command:sleeps", "{}", "{rules: [\"auc >= 0.5\"]}", "{mode: auto}")), 201);
        TestingServer.Response first = server.postJson("/v1/training/runs", scientist, "{\"model\": \"risk\"}");
        expect(first, 202);
        assertThat(first.json().get("created").asBoolean()).isTrue();
        TestingServer.Response second = server.postJson("/v1/training/runs", scientist, "{\"model\": \"risk\"}");
        expect(second, 202);
        assertThat(second.json().get("created").asBoolean()).isFalse();
        assertThat(second.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        for (int i = 0; i < 20; i++) {
            server.keel().training().hook().retrain(new dev.keel.core.incident.policy.RetrainHook.Request("credit", "risk", "incident-" + i,
                    "monitor breached", "policy:retrain"));
        }
        assertThat(server.get("/v1/training/runs?model=risk", viewer).json().get("runs")).hasSize(1);

        String id = first.json().get("id").asText();
        assertThat(server.postJson("/v1/training/runs/" + id + "/cancel", viewer, "{}").status()).isEqualTo(403);
        TestingServer.Response cancelled = server.postJson("/v1/training/runs/" + id + "/cancel", scientist, "{}");
        expect(cancelled, 200);
        assertThat(cancelled.json().get("status").asText()).isEqualTo("CANCELLED");
        assertThat(server.postJson("/v1/training/runs/" + id + "/cancel", scientist, "{}").status()).isEqualTo(409);

        assertThat(apply(scientist, spec("logistic-regression", "{}", "{}", "{}")).status()).as("a spec decides promotion").isEqualTo(403);
        assertThat(server.postJson("/v1/training/runs", server.token("outsider", Map.of("other", Role.OPERATOR)), "{\"model\": \"risk\"}").status())
                .isEqualTo(403);
        assertThat(server.get("/v1/training/runs/" + id, server.token("nosy", Map.of("other", Role.ADMIN))).status()).isEqualTo(403);
        assertThat(server.postJson("/v1/training/runs", operator, "{\"model\": \"risk\", \"priority\": 1}").status()).isEqualTo(400);
        assertThat(server.postJson("/v1/training/runs", operator, "{\"model\": \"nobody\"}").status()).isEqualTo(404);
        assertThat(server.postJson("/v1/training/runs", operator, "[1, 2").status()).isEqualTo(400);
    }

    @Test
    void anInvalidSpec_isAProblemNamingEveryPath() {
        TestingServer.Response refused = apply(operator, """
                model: risk
                project: credit
                dataset: applications
                target: class
                classes: [good]
                features: [age, age, class]
                trainer: "rm -rf /"
                parameters: {epochs: [1]}
                holdout: {fraction: 1.5}
                gate: {rules: ["auc >= champion.auc -", "rmse < 3"], min_holdout_rows: 0}
                promotion: {mode: sometimes, rollout: {endpoint: scoring, percent: 100}}
                triggers: {schedule: "every day"}
                """);
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("errors").findValuesAsText("field")).contains("classes", "features[1]", "features[2]", "trainer",
                "parameters.epochs", "holdout.fraction", "gate.rules[0]", "gate.rules[1]", "gate.min_holdout_rows", "promotion.mode",
                "promotion.rollout.percent", "triggers.schedule");
        assertThat(apply(operator, spec("gradient-magic", "{}", "{}", "{}")).json().get("errors").get(0).get("field").asText())
                .isEqualTo("trainer");
        assertThat(apply(operator, "model: [").status()).isEqualTo(422);
        assertThat(apply(operator, "x".repeat(70_000)).status()).isEqualTo(422);
        assertThat(server.send("PUT", "/v1/training/specs", operator, "model: risk".getBytes(StandardCharsets.UTF_8), "text/plain", Map.of())
                .status()).isEqualTo(415);
        String admin = server.adminToken();
        expect(server.postJson("/v1/models", admin, "{\"name\": \"elsewhere\", \"project\": \"other\"}"), 201);
        assertThat(apply(operator, spec("logistic-regression", "{}", "{}", "{}").replace("model: risk", "model: elsewhere")).status())
                .as("the model's project decides").isEqualTo(403);
    }

    private static void expect(TestingServer.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
