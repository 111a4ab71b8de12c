package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.testing.StoreKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pipelines and datasets over HTTP on a real server, with the demo pipeline on the committed credit-g data. */
class PipelineRoutesTest {
    private TestingServer server;

    @BeforeEach
    void start() {
        server = TestingServer.start(StoreKind.SQLITE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestingServer.Response postYaml(String path, String yaml) {
        return server.send("POST", path, server.adminToken(), yaml.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
    }

    @Test
    void demoPipeline_registersRunsAndPublishesAProfiledDataset() throws Exception {
        Path csv = Path.of("..", "examples", "credit-g", "credit-g.csv").toAbsolutePath().normalize();
        String spec = Files.readString(Path.of("..", "examples", "pipelines", "credit-g.yaml"))
                .replace("path: examples/credit-g/credit-g.csv", "path: '" + csv + "'");

        TestingServer.Response registered = postYaml("/v1/pipelines", spec);
        TestingServer.Response run = server.send("POST", "/v1/pipelines/credit-g/runs?wait=true", server.adminToken(), new byte[0],
                "text/plain", Map.of());
        TestingServer.Response datasets = server.get("/v1/datasets", server.adminToken());
        TestingServer.Response profile = server.get("/v1/datasets/credit-g-features/versions/latest/profile", server.adminToken());
        TestingServer.Response history = server.get("/v1/pipelines/credit-g/runs", server.adminToken());

        assertThat(registered.status()).isEqualTo(201);
        assertThat(registered.json().get("version").asInt()).isEqualTo(1);
        assertThat(run.status()).isEqualTo(200);
        JsonNode accounting = run.json().get("accounting");
        assertThat(run.json().get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(accounting.get("rowsIn").asLong()).isEqualTo(1000);
        assertThat(accounting.get("rowsOut").asLong()).isEqualTo(1000);
        assertThat(datasets.json().get("datasets").get(0).get("dataset").asText()).isEqualTo("credit-g-features");
        assertThat(profile.json().get("rows").asLong()).isEqualTo(1000);
        assertThat(profile.json().get("columns").get(0).get("name").asText()).isEqualTo("duration");
        assertThat(history.json().get("runs").get(0).get("id").asText()).isEqualTo(run.json().get("id").asText());
    }

    @Test
    void run_withoutWait_answers202WithALocationThatShowsTheRunToItsEnd() throws Exception {
        Files.writeString(server.sources().resolve("scores.csv"), "id,amount\n1,10.5\n2,3\n");
        postYaml("/v1/pipelines", """
                pipeline: scores
                sources: [{name: raw, type: csv, path: '%s'}]
                outputs: [{dataset: scores, from: raw}]
                """.formatted(server.sources().resolve("scores.csv")));

        TestingServer.Response started = server.send("POST", "/v1/pipelines/scores/runs", server.adminToken(), new byte[0],
                "text/plain", Map.of());

        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String id = started.json().get("id").asText();
        assertThat(started.json().get("status").asText()).isEqualTo("RUNNING");
        assertThat(started.headers().firstValue("Location")).contains("/v1/pipeline-runs/" + id);
        JsonNode run = server.get("/v1/pipeline-runs/" + id, server.adminToken()).json();
        for (int poll = 0; poll < 600 && run.get("status").asText().equals("RUNNING"); poll++) {
            Thread.sleep(50);
            run = server.get("/v1/pipeline-runs/" + id, server.adminToken()).json();
        }
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("accounting").get("rowsOut").asLong()).isEqualTo(2);
        // A run without probabilistic matching steps has no linkage reports, and says so.
        assertThat(run.get("linkage").isArray()).isTrue();
        assertThat(run.get("linkage")).isEmpty();
    }

    @Test
    void quarantine_isReadableAsTypedRows() throws Exception {
        Files.writeString(server.sources().resolve("scores.csv"), "id,amount\n1,10.5\n2,not-a-number\n3,-7\n");
        postYaml("/v1/pipelines", """
                pipeline: scores
                sources: [{name: raw, type: csv, path: '%s', types: {amount: string}}]
                steps:
                  - {name: typed, type: clean, input: raw, columns: {amount: {cast: double, on-error: quarantine}}}
                outputs: [{dataset: scores, from: typed}]
                """.formatted(server.sources().resolve("scores.csv")));
        TestingServer.Response run = server.send("POST", "/v1/pipelines/scores/runs?wait=true", server.adminToken(), new byte[0],
                "text/plain", Map.of());
        assertThat(run.json().get("datasets").toString()).contains("scores-quarantine@1");

        TestingServer.Response rows = server.get("/v1/datasets/scores-quarantine/versions/latest/rows", server.adminToken());
        TestingServer.Response picked = server.get("/v1/datasets/scores/versions/1/rows?columns=amount&limit=1", server.adminToken());
        TestingServer.Response unknown = server.get("/v1/datasets/scores/versions/1/rows?columns=amnt", server.adminToken());

        assertThat(rows.status()).as(rows.toString()).isEqualTo(200);
        assertThat(rows.json().get("columns").toString()).isEqualTo("[\"_quarantine_stage\",\"_quarantine_rules\",\"id\",\"amount\"]");
        assertThat(rows.json().get("types").toString()).isEqualTo("[\"string\",\"string\",\"integer\",\"string\"]");
        assertThat(rows.json().get("rows").toString()).isEqualTo("[[\"typed\",\"typed.amount.cast-double\",2,\"not-a-number\"]]");
        assertThat(picked.json().get("rows").toString()).isEqualTo("[[10.5]]");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("detail").asText()).contains("no column [amnt]");
    }

    @Test
    void run_badWaitParameter_isRefusedAndStartsNothing() throws Exception {
        Files.writeString(server.sources().resolve("scores.csv"), "id,amount\n1,10.5\n2,3\n");
        postYaml("/v1/pipelines", """
                pipeline: scores
                sources: [{name: raw, type: csv, path: '%s'}]
                outputs: [{dataset: scores, from: raw}]
                """.formatted(server.sources().resolve("scores.csv")));

        TestingServer.Response response = server.send("POST", "/v1/pipelines/scores/runs?wait=forever", server.adminToken(),
                new byte[0], "text/plain", Map.of());
        TestingServer.Response tooLong = server.send("POST", "/v1/pipelines/scores/runs?wait=601", server.adminToken(),
                new byte[0], "text/plain", Map.of());

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("detail").asText()).contains("'wait'");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(server.get("/v1/pipelines/scores/runs", server.adminToken()).json().get("runs")).isEmpty();
    }

    @Test
    void schedule_pauseResumeAndDelete_overHttp() throws Exception {
        Files.writeString(server.sources().resolve("scores.csv"), "id,amount\n1,10.5\n2,3\n");
        postYaml("/v1/pipelines", """
                pipeline: nightly
                schedule: "0 2 * * *"
                sources: [{name: raw, type: csv, path: '%s'}]
                outputs: [{dataset: nightly, from: raw}]
                """.formatted(server.sources().resolve("scores.csv")));

        TestingServer.Response paused = server.send("POST", "/v1/pipelines/nightly/schedule/pause", server.adminToken(), new byte[0],
                "text/plain", Map.of());
        TestingServer.Response shown = server.get("/v1/pipelines/nightly/schedule", server.adminToken());
        TestingServer.Response resumed = server.send("POST", "/v1/pipelines/nightly/schedule/resume", server.adminToken(),
                new byte[0], "text/plain", Map.of());
        TestingServer.Response deleted = server.send("DELETE", "/v1/pipelines/nightly/schedule", server.adminToken(), null,
                "text/plain", Map.of());
        TestingServer.Response resumeDeleted = server.send("POST", "/v1/pipelines/nightly/schedule/resume", server.adminToken(),
                new byte[0], "text/plain", Map.of());

        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(shown.json().get("status").asText()).isEqualTo("paused");
        assertThat(shown.json().get("cron").get(0).asText()).isEqualTo("0 2 * * *");
        assertThat(shown.json().get("changedBy").asText()).contains("admin");
        assertThat(resumed.json().get("status").asText()).isEqualTo("active");
        assertThat(deleted.json().get("status").asText()).isEqualTo("deleted");
        assertThat(resumeDeleted.status()).isEqualTo(409);
    }

    @Test
    void validate_badSpec_returnsEveryErrorWithItsPath() {
        TestingServer.Response response = postYaml("/v1/pipelines/validate", """
                pipeline: p
                sources: [{name: raw, type: csv}]
                outputs: [{dataset: out, from: missing}]
                """);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("valid").asBoolean()).isFalse();
        assertThat(response.json().get("errors").findValuesAsText("path")).contains("sources[0].path", "outputs[0].from");
    }

    @Test
    void validate_plansOnTheSourcesOnlyForCallersWhoMayWriteThePipeline() throws Exception {
        Files.writeString(server.sources().resolve("scores.csv"), "id,amount\n1,10.5\n");
        String spec = """
                pipeline: scores
                sources: [{name: raw, type: csv, path: '%s'}]
                expectations: [{dataset: raw, rule: not-null, column: secret_column, action: fail}]
                outputs: [{dataset: scores, from: raw}]
                """.formatted(server.sources().resolve("scores.csv"));
        String viewer = server.token("viewer", Map.of("default", dev.keel.core.security.Role.VIEWER));

        JsonNode asAdmin = postYaml("/v1/pipelines/validate", spec).json();
        JsonNode asViewer = server.send("POST", "/v1/pipelines/validate", viewer, spec.getBytes(StandardCharsets.UTF_8),
                "application/yaml", Map.of()).json();

        assertThat(asAdmin.get("planned").asBoolean()).isTrue();
        assertThat(asAdmin.get("errors").findValuesAsText("message")).singleElement().asString()
                .contains("'secret_column' does not exist").contains("[id, amount]");
        assertThat(asViewer.get("planned").asBoolean()).isFalse();
        assertThat(asViewer.get("valid").asBoolean()).isTrue();
        assertThat(asViewer.toString()).doesNotContain("amount");
    }

    @Test
    void register_badSpec_isUnprocessableWithFieldErrors() {
        TestingServer.Response response = postYaml("/v1/pipelines", "pipeline: p\n");

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("code").asText()).isEqualTo("INVALID_SPEC");
        assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("sources", "outputs");
    }
}
