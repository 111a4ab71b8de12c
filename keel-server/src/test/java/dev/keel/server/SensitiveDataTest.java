package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;

/**
 * Column-level access on real German credit applications: a pipeline output declares four columns sensitive (an account number
 * and the applicant's personal status hashed, the age redacted, the credit amount nulled), a model declares its age and amount
 * features sensitive. A scientist, who lacks SENSITIVE_READ, never sees one raw value of them in any answer of any read route
 * the server publishes; a steward of the same project sees them as stored.
 */
@OnEachStore
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SensitiveDataTest {
    private static final String PROJECT = "lending";
    private static final List<String> FEATURES = List.of("duration", "credit_amount", "installment_commitment", "residence_since", "age",
            "existing_credits", "num_dependents", "checking_status_lt_0", "checking_status_no_checking", "credit_history_critical",
            "savings_status_lt_100");

    @Parameter
    StoreKind kind;

    private TestingServer server;
    private String scientist;
    private String steward;
    private String runId;

    @BeforeEach
    void start() throws Exception {
        if (server != null && server.kind() == kind) {
            return;
        }
        stop();
        server = TestingServer.start(kind);
        String admin = server.adminToken();
        expect(server.postJson("/v1/projects", admin, "{\"name\": \"" + PROJECT + "\"}"), 201);
        scientist = server.token("scientist", Map.of(PROJECT, Role.SCIENTIST));
        steward = server.token("steward", Map.of(PROJECT, Role.STEWARD));
        expect(server.send("POST", "/v1/pipelines", admin, pipeline().getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of()), 201);
        TestingServer.Response run = server.send("POST", "/v1/pipelines/applicants/runs?wait=true", admin, new byte[0], "text/plain", Map.of());
        expect(run, 200);
        assertThat(run.json().get("status").asText()).as(run.body()).isEqualTo("SUCCEEDED");
        runId = run.json().get("id").asText();

        expect(server.postJson("/v1/models", admin, "{\"name\": \"credit\", \"project\": \"" + PROJECT + "\"}"), 201);
        List<Map<String, Object>> schema = new ArrayList<>();
        for (String feature : FEATURES) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("name", feature);
            spec.put("type", "number");
            if (feature.equals("age")) {
                spec.putAll(Map.of("sensitive", true, "mask", "hash", "min", 18, "max", 120));
            } else if (feature.equals("credit_amount")) {
                spec.put("sensitive", true);
            }
            schema.add(spec);
        }
        expect(server.upload("credit", TestModels.creditGOnnx(), Json.write(Map.of("features", schema))), 201);
        expect(server.postJson("/v1/models/credit/aliases/champion", admin, "{\"version\": 1, \"reason\": \"first\"}"), 200);
        expect(server.postJson("/v1/endpoints", admin, "{\"name\": \"credit\", \"model\": \"credit\"}"), 201);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static String pipeline() {
        Path csv = Path.of("..", "examples", "credit-g", "credit-g.csv").toAbsolutePath().normalize();
        return """
                pipeline: applicants
                project: %s
                quarantine: applicants-quarantine
                sources:
                  - {name: applications, type: csv, path: '%s', header: true}
                steps:
                  - name: accounts
                    type: derive
                    input: applications
                    columns:
                      account: "'DE-ACCT-' || CAST(duration AS VARCHAR) || '-' || CAST(credit_amount AS VARCHAR) || '-' || CAST(age AS VARCHAR)"
                expectations:
                  - {name: under-seventy, dataset: accounts, rule: range, column: age, max: 70, action: quarantine}
                outputs:
                  - dataset: applicants
                    from: accounts
                    sensitive: {account: hash, personal_status: hash, age: redact, credit_amount: 'null'}
                """.formatted(PROJECT, csv);
    }

    @Test
    void steward_readsRawValues_scientistReadsThemMaskedAsDeclared() {
        JsonNode raw = server.get("/v1/datasets/applicants/versions/latest/rows?limit=10000", steward).json();
        JsonNode masked = server.get("/v1/datasets/applicants/versions/latest/rows?limit=10000", scientist).json();
        assertThat(raw.get("rows")).hasSize(masked.get("rows").size()).hasSizeGreaterThan(900);
        int account = column(raw, "account");
        int status = column(raw, "personal_status");
        int age = column(raw, "age");
        int amount = column(raw, "credit_amount");
        int duration = column(raw, "duration");
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int row = 0; row < raw.get("rows").size(); row++) {
            JsonNode stored = raw.get("rows").get(row);
            JsonNode shown = masked.get("rows").get(row);
            assertThat(stored.get(account).asText()).startsWith("DE-ACCT-");
            assertThat(stored.get(age).isNumber()).isTrue();
            assertThat(shown.get(account).asText()).matches("h:[0-9a-f]{16}");
            assertThat(shown.get(age).asText()).isEqualTo("***");
            assertThat(shown.get(amount).isNull()).isTrue();
            assertThat(shown.get(duration)).isEqualTo(stored.get(duration));
            // a hash stands for one value: equal values hash alike, different ones differently
            String previous = hashes.putIfAbsent(stored.get(status).asText(), shown.get(status).asText());
            assertThat(previous == null ? shown.get(status).asText() : previous).isEqualTo(shown.get(status).asText());
        }
        assertThat(new LinkedHashSet<>(hashes.values())).hasSameSizeAs(hashes.keySet()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(masked.get("types").get(age).asText()).isEqualTo("string");
        assertThat(raw.get("types").get(age).asText()).isEqualTo("integer");
    }

    @Test
    void profile_ofSensitiveColumn_keepsCountsButNoValueStatistics() {
        JsonNode raw = server.get("/v1/datasets/applicants/versions/latest/profile", steward).json();
        JsonNode masked = server.get("/v1/datasets/applicants/versions/latest/profile", scientist).json();
        JsonNode storedAge = profileColumn(raw, "age");
        JsonNode shownAge = profileColumn(masked, "age");
        assertThat(storedAge.get("min").asText()).isNotEmpty();
        assertThat(storedAge.get("quantiles")).isNotEmpty();
        assertThat(shownAge.get("count")).isEqualTo(storedAge.get("count"));
        assertThat(shownAge.get("distinct")).isEqualTo(storedAge.get("distinct"));
        assertThat(shownAge.path("min").isNull() || shownAge.path("min").isMissingNode()).as(shownAge.toString()).isTrue();
        assertThat(shownAge.get("quantiles")).isEmpty();
        assertThat(shownAge.get("histogram")).isEmpty();
        assertThat(shownAge.get("topValues")).isEmpty();
        JsonNode shownStatus = profileColumn(masked, "personal_status");
        assertThat(shownStatus.get("topValues")).isNotEmpty();
        shownStatus.get("topValues").forEach(value -> assertThat(value.get("value").asText()).matches("h:[0-9a-f]{16}"));
        assertThat(profileColumn(masked, "duration")).isEqualTo(profileColumn(raw, "duration"));
    }

    @Test
    void scientist_neverSeesARawSensitiveValue_onAnyPublishedReadRoute() {
        JsonNode raw = server.get("/v1/datasets/applicants/versions/latest/rows?limit=10000", steward).json();
        Set<String> secrets = new LinkedHashSet<>();
        for (String name : List.of("account", "personal_status")) {
            int index = column(raw, name);
            raw.get("rows").forEach(row -> secrets.add(row.get(index).asText()));
        }
        JsonNode quarantine = server.get("/v1/datasets/applicants-quarantine/versions/latest/rows?limit=10000", steward).json();
        assertThat(quarantine.get("rows")).as("rows over seventy are quarantined with their values").isNotEmpty();
        int quarantinedAccount = column(quarantine, "account");
        quarantine.get("rows").forEach(row -> secrets.add(row.get(quarantinedAccount).asText()));
        assertThat(secrets).hasSizeGreaterThan(900);

        Map<String, String> parameters = Map.of("dataset", "applicants", "version", "1", "pipeline", "applicants", "model", "credit",
                "name", "credit", "id", runId);
        List<String> urls = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = server.get("/openapi.json", server.adminToken()).json().get("paths").properties().iterator();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getValue().has("get")) {
                continue;
            }
            String url = path.getKey();
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                url = url.replace("{" + parameter.getKey() + "}", parameter.getValue());
            }
            if (!url.contains("{")) {
                urls.add(url);
            }
        }
        for (String dataset : List.of("applicants", "applicants-quarantine")) {
            urls.add("/v1/datasets/" + dataset + "/versions/latest/rows?limit=10000");
            urls.add("/v1/datasets/" + dataset + "/versions/latest");
            urls.add("/v1/datasets/" + dataset + "/versions/latest/profile");
            urls.add("/v1/datasets/" + dataset + "/diff?from=1&to=1");
            urls.add("/v1/datasets/" + dataset + "/explain?record=x");
        }
        assertThat(urls).contains("/v1/datasets/applicants/versions/1/rows", "/v1/models/credit/predictions",
                "/v1/pipeline-runs/" + runId);
        int answered = 0;
        for (String url : urls) {
            TestingServer.Response stewardAnswer = server.get(url, steward);
            TestingServer.Response answer = server.get(url, scientist);
            assertThat(answer.status()).as(url).isLessThan(500);
            if (answer.status() == 200) {
                answered++;
            }
            String body = answer.body();
            for (String secret : secrets) {
                assertThat(body).as("%s shows the raw value '%s' to a scientist", url, secret).doesNotContain(secret);
            }
            if (url.contains("/rows") && stewardAnswer.status() == 200) {
                assertThat(secrets.stream().anyMatch(stewardAnswer.body()::contains)).as(url).isTrue();
            }
        }
        assertThat(answered).as("routes that answered the scientist").isGreaterThan(20);
    }

    @Test
    void predictionLog_masksSensitiveFeaturesForScientist_andShowsThemToSteward() throws Exception {
        Map<String, Object> instance = new LinkedHashMap<>();
        FEATURES.forEach(feature -> instance.put(feature, 1));
        instance.put("age", 47);
        instance.put("credit_amount", 5951);
        expect(server.postJson("/v1/endpoints/credit/predict", steward, Json.write(Map.of("instances", List.of(instance)))), 200);
        JsonNode stewardView = awaitPredictions(steward);
        JsonNode inputs = stewardView.get("predictions").get(0).get("inputs");
        assertThat(inputs.get("age").asDouble()).isEqualTo(47);
        assertThat(inputs.get("credit_amount").asDouble()).isEqualTo(5951);
        JsonNode scientistView = server.get("/v1/models/credit/predictions", scientist).json();
        JsonNode masked = scientistView.get("predictions").get(0).get("inputs");
        assertThat(masked.get("age").asText()).matches("h:[0-9a-f]{16}");
        assertThat(masked.get("credit_amount").asText()).isEqualTo("***");
        assertThat(masked.get("duration")).isEqualTo(inputs.get("duration"));
        assertThat(scientistView.toString()).doesNotContain("5951");
    }

    @Test
    void predict_withABadSensitiveValue_answersWhatWasExpectedWithoutEchoingIt() {
        Map<String, Object> instance = new LinkedHashMap<>();
        FEATURES.forEach(feature -> instance.put(feature, 1));
        instance.put("age", 987654);
        TestingServer.Response answer = server.postJson("/v1/endpoints/credit/predict", scientist, Json.write(Map.of("instances",
                List.of(instance))));
        assertThat(answer.status()).as(answer.body()).isEqualTo(422);
        assertThat(answer.body()).doesNotContain("987654").contains("instances[0].age").contains("sensitive").contains("at most 120");
        instance.put("age", "Ms. Example");
        TestingServer.Response text = server.postJson("/v1/endpoints/credit/predict", scientist, Json.write(Map.of("instances",
                List.of(instance))));
        assertThat(text.status()).as(text.body()).isEqualTo(422);
        assertThat(text.body()).doesNotContain("Ms. Example").contains("expected a number");
        // a feature that is not sensitive still has its value named
        instance.put("age", 47);
        instance.put("duration", "twelve");
        TestingServer.Response open = server.postJson("/v1/endpoints/credit/predict", scientist, Json.write(Map.of("instances",
                List.of(instance))));
        assertThat(open.status()).as(open.body()).isEqualTo(422);
        assertThat(open.body()).contains("instances[0].duration").contains("twelve");
    }

    @Test
    void trainingSlicedByASensitiveColumn_storesHashedSliceValues_notTheRawOnes() {
        String spec = """
                model: credit-sliced
                project: %s
                dataset: applicants
                target: class
                classes: [good, bad]
                features: [duration, installment_commitment, existing_credits]
                trainer: logistic-regression
                gate: {rules: ["auc >= 0.5"], slices: [{column: personal_status, metric: auc, tolerance: 0.5, min_rows: 10}]}
                promotion: {mode: approval, alias: champion}
                """.formatted(PROJECT);
        expect(server.postJson("/v1/models", server.adminToken(), "{\"name\": \"credit-sliced\", \"project\": \"" + PROJECT + "\"}"), 201);
        expect(server.send("PUT", "/v1/training/specs", server.adminToken(), spec.getBytes(StandardCharsets.UTF_8), "application/yaml",
                Map.of()), 201);
        String id = server.postJson("/v1/training/runs", steward, "{\"model\": \"credit-sliced\"}").json().get("id").asText();
        dev.keel.core.training.TrainingRun ended = server.keel().training().awaitEnd(id, 120_000);
        assertThat(ended.status()).as(ended.toString()).isEqualTo(dev.keel.core.training.TrainingRun.Status.SUCCEEDED);
        // a second run compares with the first as champion: now the gate checks each slice, by value
        expect(server.postJson("/v1/models/credit-sliced/aliases/champion", server.adminToken(), "{\"version\": 1, \"reason\": \"first\"}"), 200);
        id = server.postJson("/v1/training/runs", steward, "{\"model\": \"credit-sliced\"}").json().get("id").asText();
        ended = server.keel().training().awaitEnd(id, 120_000);
        assertThat(ended.status()).as(ended.toString()).isEqualTo(dev.keel.core.training.TrainingRun.Status.SUCCEEDED);
        String run = server.get("/v1/training/runs/" + id, steward).body();
        String evaluation = server.get("/v1/models/credit-sliced/versions/2/evaluation", steward).body();
        assertThat(run).as(run).containsPattern("slice personal_status=h:[0-9a-f]{16} auc");
        for (String value : List.of("male single", "female div/dep/mar", "male div/sep", "male mar/wid")) {
            assertThat(run).doesNotContain(value);
            assertThat(evaluation).doesNotContain(value);
            assertThat(server.get("/v1/training/runs/" + id + "/log", steward).body()).doesNotContain(value);
        }
    }

    @Test
    void roles_stewardHoldsSensitiveRead_operatorDoesNot() {
        assertThat(Role.STEWARD.grants(dev.keel.core.security.Permission.SENSITIVE_READ)).isTrue();
        assertThat(Role.ADMIN.grants(dev.keel.core.security.Permission.SENSITIVE_READ)).isTrue();
        for (Role role : List.of(Role.VIEWER, Role.CONSUMER, Role.SCIENTIST, Role.OPERATOR)) {
            assertThat(role.grants(dev.keel.core.security.Permission.SENSITIVE_READ)).as(role.name()).isFalse();
        }
        String operator = server.token("operator", Map.of(PROJECT, Role.OPERATOR));
        JsonNode shown = server.get("/v1/datasets/applicants/versions/latest/rows?limit=5", operator).json();
        assertThat(shown.get("rows").get(0).get(column(shown, "account")).asText()).matches("h:[0-9a-f]{16}");
    }

    private JsonNode awaitPredictions(String token) throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            JsonNode answer = server.get("/v1/models/credit/predictions", token).json();
            if (answer.get("predictions").size() > 0) {
                return answer;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no prediction was logged");
    }

    private static int column(JsonNode table, String name) {
        for (int index = 0; index < table.get("columns").size(); index++) {
            if (table.get("columns").get(index).asText().equals(name)) {
                return index;
            }
        }
        throw new AssertionError("no column " + name + " in " + table.get("columns"));
    }

    private static JsonNode profileColumn(JsonNode profile, String name) {
        for (JsonNode column : profile.get("columns")) {
            if (column.get("name").asText().equals(name)) {
                return column;
            }
        }
        throw new AssertionError("no column " + name + " in the profile");
    }

    private static void expect(TestingServer.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
    }
}
