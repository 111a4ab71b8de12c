package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.incident.Incident;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * Scoring jobs through the real server on SQLite and PostgreSQL: a pipeline's dataset of 120 applicants with 63 features, models of
 * the testing runtime (one answers 0.7 for every row, one always fails), runs into a table of Keel's store, their progress, the
 * incident of a failing job, project scoping and hostile requests.
 */
@OnEachStore
class ScoringRoutesTest {
    private static final int ROWS = 120;

    @Parameter
    StoreKind kind;

    private TestingServer server;
    private String admin;
    private String operator;
    private String viewer;
    private String outsider;

    @BeforeEach
    void start() throws IOException {
        server = TestingServer.start(kind);
        admin = server.adminToken();
        expect(server.postJson("/v1/projects", admin, "{\"name\": \"credit\"}"), 201);
        expect(server.postJson("/v1/projects", admin, "{\"name\": \"other\"}"), 201);
        operator = server.token("ops", Map.of("credit", Role.OPERATOR));
        viewer = server.token("viewer", Map.of("credit", Role.VIEWER));
        outsider = server.token("outsider", Map.of("other", Role.OPERATOR));
        Path csv = server.sources().resolve("applicants.csv");
        StringBuilder text = new StringBuilder("applicant");
        IntStream.range(0, 63).forEach(f -> text.append(",f").append(f));
        text.append('\n');
        for (int row = 0; row < ROWS; row++) {
            text.append(row);
            for (int f = 0; f < 63; f++) {
                text.append(',').append((row * 7 + f) % 11);
            }
            text.append('\n');
        }
        Files.writeString(csv, text);
        String pipeline = """
                pipeline: applicants
                project: credit
                sources:
                  - {name: applicants, type: csv, path: '%s', header: true}
                outputs:
                  - {dataset: applicants, from: applicants}
                """.formatted(csv);
        expect(server.send("POST", "/v1/pipelines", admin, pipeline.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of()), 201);
        expect(server.send("POST", "/v1/pipelines/applicants/runs?wait=true", admin, new byte[0], "text/plain", Map.of()), 200);
        register("scorer", "constant:0.7");
        register("broken", "fail");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void register(String model, String behaviour) {
        server.keel().registry().createModel("credit", model, "scoring tests", PromotionGate.open(), "test");
        List<FeatureSpec> features = IntStream.range(0, 63).mapToObj(f -> FeatureSpec.number("f" + f)).toList();
        server.keel().registry().registerVersion(model, behaviour.getBytes(StandardCharsets.UTF_8), new NewVersion("testing", features, Map.of(),
                Map.of(), null, ""), "test");
    }

    private String spec(String name, String model, String extra) {
        return """
                name: %s
                project: credit
                model: {name: %s, version: 1}
                input: {dataset: applicants}
                keys: [applicant]
                outputs: {probabilities: true, label: true}
                destination: {kind: %s, connection: keel, table: %s_scores, mode: upsert}
                chunk_size: 50
                """.formatted(name, model, kind.name().toLowerCase(Locale.ROOT), name.replace('-', '_')) + extra;
    }

    private TestingServer.Response apply(String token, String yaml) {
        return server.send("POST", "/v1/scoring/jobs", token, yaml.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
    }

    private JsonNode awaitEnd(String runId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = expect(server.get("/v1/scoring/runs/" + runId, operator), 200).json();
            if (!run.get("inProgress").asBoolean()) {
                return run;
            }
            sleep(20);
        }
        throw new AssertionError("scoring run " + runId + " did not end within 60 s");
    }

    @Test
    void applyRunAndShow_fillTheTable_andReportTheRunsProgress() {
        TestingServer.Response applied = apply(operator, spec("nightly", "scorer", ""));
        expect(applied, 201);
        assertThat(applied.json().get("version").asInt()).isEqualTo(1);
        TestingServer.Response again = expect(apply(operator, spec("nightly", "scorer", "")), 200);
        assertThat(again.json().get("changed").asBoolean()).isFalse();
        assertThat(expect(server.get("/v1/scoring/jobs?project=credit", viewer), 200).json().get("jobs")).extracting(job -> job.get("name").asText())
                .containsExactly("nightly");

        TestingServer.Response started = expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "{\"runId\": \"nightly-1\"}"), 202);
        assertThat(started.json().get("id").asText()).isEqualTo("nightly-1");
        JsonNode run = awaitEnd("nightly-1");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("rowsRead").asLong()).isEqualTo(ROWS);
        assertThat(run.path("rowsTotal").asLong(ROWS)).as("when the input counted its rows").isEqualTo(ROWS);
        assertThat(run.get("rowsWritten").asLong()).isEqualTo(ROWS);
        assertThat(run.get("rowsQuarantined").asLong()).isZero();
        assertThat(run.get("chunks").asInt()).isEqualTo(3);
        assertThat(run.get("model").asText()).isEqualTo("scorer");
        assertThat(run.get("modelVersion").asInt()).isEqualTo(1);
        assertThat(run.get("trigger").asText()).isEqualTo("manual");
        assertThat(run.get("attempts").asInt()).isEqualTo(1);
        List<Double> scores = server.keel().database().query("SELECT p_1 FROM nightly_scores ORDER BY applicant", row -> row.getDouble(1));
        assertThat(scores).hasSize(ROWS).allSatisfy(p -> assertThat(p).isCloseTo(0.7, org.assertj.core.api.Assertions.within(1e-6)));

        TestingServer.Response repeated = expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "{\"runId\": \"nightly-1\"}"), 202);
        assertThat(repeated.json().get("status").asText()).as("a run id that succeeded is answered as it is").isEqualTo("SUCCEEDED");
        assertThat(expect(server.get("/v1/scoring/runs?job=nightly", viewer), 200).json().get("runs")).hasSize(1);
        assertThat(expect(server.get("/v1/scoring/jobs/nightly", viewer), 200).json().get("lastRun").get("id").asText()).isEqualTo("nightly-1");
        assertThat(expect(server.send("POST", "/v1/scoring/runs/nightly-1/resume", operator, new byte[0], "application/json", Map.of()), 202)
                .json().get("status").asText()).isEqualTo("SUCCEEDED");
        expect(server.send("DELETE", "/v1/scoring/jobs/nightly", operator, null, null, Map.of()), 200);
        expect(server.get("/v1/scoring/jobs/nightly", operator), 404);
        assertThat(expect(server.get("/v1/scoring/runs/nightly-1", operator), 200).json().get("status").asText()).as("runs outlive their job")
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void aFailingJob_isRetried_andItsFailuresBecomeOneIncident() throws Exception {
        expect(apply(operator, spec("fragile", "broken", "retries: 1\nretry_delay: 0s\n")), 201);
        String first = expect(server.postJson("/v1/scoring/jobs/fragile/runs", operator, "{}"), 202).json().get("id").asText();
        JsonNode failed = awaitEnd(first);
        String second = expect(server.postJson("/v1/scoring/jobs/fragile/runs", operator, "{}"), 202).json().get("id").asText();
        awaitEnd(second);
        server.keel().incidents().sink().flush();

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("message").asText()).contains("fails on purpose");
        assertThat(failed.get("attempts").asInt()).isEqualTo(2);
        List<Incident> incidents = server.keel().incidents().list("credit", Set.of(), 50).stream()
                .filter(incident -> incident.kind().equals("scoring.run_failed")).toList();
        assertThat(incidents).as("four failed attempts of one job, one cause: one incident").hasSize(1);
        assertThat(server.keel().incidents().list("other", Set.of(), 50)).isEmpty();
    }

    @Test
    void jobsAndRuns_areScopedToTheirProject_andReadersCannotStartRuns() {
        expect(apply(operator, spec("nightly", "scorer", "")), 201);
        expect(apply(outsider, spec("nightly", "scorer", "")), 403);
        expect(apply(viewer, spec("viewer-job", "scorer", "")), 403);
        expect(server.get("/v1/scoring/jobs/nightly", outsider), 403);
        expect(server.get("/v1/scoring/jobs?project=credit", outsider), 403);
        expect(server.postJson("/v1/scoring/jobs/nightly/runs", viewer, "{}"), 403);
        String runId = expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "{}"), 202).json().get("id").asText();
        awaitEnd(runId);
        expect(server.get("/v1/scoring/runs/" + runId, outsider), 403);
        expect(server.postJson("/v1/scoring/runs/" + runId + "/cancel", outsider, "{}"), 403);
        expect(server.get("/v1/scoring/runs?job=nightly", outsider), 403);
        assertThat(expect(server.get("/v1/scoring/runs?project=other", outsider), 200).json().get("runs")).isEmpty();
        assertThat(expect(server.get("/v1/scoring/jobs?project=other", outsider), 200).json().get("jobs")).isEmpty();
        TestingServer.Response otherProject = apply(admin, spec("nightly", "scorer", "").replace("project: credit", "project: other"));
        expect(otherProject, 409);
    }

    @Test
    void hostileRequests_getProblemsNamingTheField_neverAServerError() {
        expect(apply(operator, spec("nightly", "scorer", "")), 201);
        TestingServer.Response badYaml = expect(apply(operator, "name: [unclosed"), 422);
        assertThat(badYaml.contentType()).startsWith("application/problem+json");
        TestingServer.Response unknownKey = expect(apply(operator, spec("nightly", "scorer", "colour: blue\n")), 422);
        assertThat(unknownKey.json().get("errors").toString()).contains("colour");
        TestingServer.Response unknownModel = expect(apply(operator, spec("other-job", "nobody", "")), 422);
        assertThat(unknownModel.json().get("errors").get(0).get("field").asText()).isEqualTo("model");
        TestingServer.Response missingColumn = expect(apply(operator, spec("other-job", "scorer", "").replace("keys: [applicant]", "keys: [customer]")),
                422);
        assertThat(missingColumn.body()).contains("customer");
        assertThat(server.send("POST", "/v1/scoring/jobs", operator, "x".repeat(5_000_000).getBytes(StandardCharsets.UTF_8), "application/yaml",
                Map.of()).status()).isIn(413, 422);
        expect(server.send("POST", "/v1/scoring/jobs", operator, new byte[] {1, 2}, "text/plain", Map.of()), 415);
        expect(server.get("/v1/scoring/jobs/unknown", operator), 404);
        expect(server.get("/v1/scoring/runs/" + "x".repeat(300), operator), 404);
        expect(server.get("/v1/scoring/runs/%2E%2E", operator), 404);
        expect(server.postJson("/v1/scoring/runs/unknown/cancel", operator, "{}"), 404);
        expect(server.postJson("/v1/scoring/runs/unknown/resume", operator, "{}"), 404);
        expect(server.postJson("/v1/scoring/jobs/unknown/runs", operator, "{}"), 404);
        TestingServer.Response bogusField = expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "{\"bogus\": 1}"), 400);
        assertThat(bogusField.json().get("errors").get(0).get("field").asText()).isEqualTo("bogus");
        expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "{\"runId\": 5}"), 400);
        TestingServer.Response badId = expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "{\"runId\": \"../../etc\"}"), 400);
        assertThat(badId.json().get("errors").get(0).get("field").asText()).isEqualTo("runId");
        expect(server.postJson("/v1/scoring/jobs/nightly/runs", operator, "[1, 2"), 400);
        expect(server.get("/v1/scoring/runs?project=credit&limit=0", operator), 400);
        expect(server.get("/v1/scoring/runs", operator), 400);
        expect(server.get("/v1/scoring/jobs?project=nowhere", admin), 404);
    }

    private static TestingServer.Response expect(TestingServer.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
