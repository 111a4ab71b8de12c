package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.AuditLog;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * Pipelines, runs and datasets belong to a project: tokens with roles only in project b neither change nor read project a's
 * pipeline, its runs, its datasets, their versions, profiles, quarantine and diffs; lists show what the caller may read.
 */
@OnEachStore
class PipelineScopingTest {
    @Parameter
    StoreKind kind;

    private static final String SPEC = """
            pipeline: %s
            project: %s
            quarantine: %s-quarantine
            sources:
              - {name: raw, type: csv, path: '%s', header: true, types: {amount: string}}
            steps:
              - name: cleaned
                type: clean
                input: raw
                columns:
                  amount: {trim: true, cast: double, on-error: quarantine}
            outputs:
              - {dataset: %s-out, from: cleaned}
            """;

    private TestingServer server;
    private Path csv;
    private String scientistB;
    private String adminB;
    private String viewerA;
    private String runA;

    @BeforeEach
    void start() throws IOException {
        server = TestingServer.start(kind);
        server.keel().projects().create("a", "project a", "test");
        server.keel().projects().create("b", "project b", "test");
        scientistB = server.token("scientist-b", Map.of("b", Role.SCIENTIST));
        adminB = server.token("admin-b", Map.of("b", Role.ADMIN));
        viewerA = server.token("viewer-a", Map.of("a", Role.VIEWER));
        csv = Files.writeString(server.sources().resolve("scores.csv"), "id,amount\n1,10.5\n2,not-a-number\n3,7\n");
        assertThat(register(server.adminToken(), spec("a-scores", "a")).status()).isEqualTo(201);
        TestingServer.Response run = run(server.adminToken(), "a-scores");
        assertThat(run.json().get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        runA = run.json().get("id").asText();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String spec(String name, String project) {
        return SPEC.formatted(name, project, name, csv.toAbsolutePath().toString().replace("'", "''"), name);
    }

    private TestingServer.Response register(String token, String yaml) {
        return server.send("POST", "/v1/pipelines", token, yaml.getBytes(StandardCharsets.UTF_8), "application/yaml", Map.of());
    }

    private TestingServer.Response run(String token, String pipeline) {
        return server.send("POST", "/v1/pipelines/" + pipeline + "/runs?wait=true", token, new byte[0], "text/plain", Map.of());
    }

    private static List<String> names(TestingServer.Response list, String field, String key) {
        return StreamSupport.stream(list.json().get(field).spliterator(), false).map(node -> node.get(key).asText()).toList();
    }

    @Test
    void tokensOfAnotherProject_areForbiddenEveryReadOfThePipelineItsRunsAndItsDatasets() {
        List<String> reads = List.of("/v1/pipelines/a-scores", "/v1/pipelines/a-scores/runs", "/v1/pipeline-runs/" + runA,
                "/v1/datasets/a-scores-out", "/v1/datasets/a-scores-out/versions/1", "/v1/datasets/a-scores-out/versions/latest",
                "/v1/datasets/a-scores-out/versions/1/profile", "/v1/datasets/a-scores-out/diff", "/v1/datasets/a-scores-quarantine",
                "/v1/datasets/a-scores-quarantine/versions/latest", "/v1/datasets/a-scores-quarantine/versions/1/profile",
                "/v1/datasets/a-scores-quarantine/versions/1/rows", "/v1/datasets/a-scores-out/versions/latest/rows");
        assertThat(server.get("/v1/datasets/a-scores-quarantine", server.adminToken()).status()).as("the run quarantined a row")
                .isEqualTo(200);

        for (String token : List.of(scientistB, adminB)) {
            for (String path : reads) {
                TestingServer.Response response = server.get(path, token);
                assertThat(response.status()).as("GET " + path + ": " + response).isEqualTo(403);
                assertThat(response.json().get("detail").asText()).as(path).matches("token '(scientist|admin)-b' lacks permission "
                        + "(PIPELINE_READ|DATASET_READ) in project 'a'");
            }
        }
        assertThat(server.get("/v1/datasets/a-scores-out/versions/1/profile", viewerA).status()).isEqualTo(200);
        assertThat(server.get("/v1/pipeline-runs/" + runA, viewerA).status()).isEqualTo(200);
    }

    @Test
    void tokensOfAnotherProject_cannotRegisterAVersionOfThePipelineNorRunIt() {
        for (String token : List.of(scientistB, adminB)) {
            TestingServer.Response sameProject = register(token, spec("a-scores", "a") + "# changed by b\n");
            TestingServer.Response movedToB = register(token, spec("a-scores", "b"));
            TestingServer.Response run = run(token, "a-scores");

            assertThat(sameProject.status()).as(sameProject.toString()).isEqualTo(403);
            assertThat(movedToB.status()).as(movedToB.toString()).isEqualTo(403);
            assertThat(movedToB.json().get("detail").asText()).endsWith("lacks permission PIPELINE_WRITE in project 'a'");
            assertThat(run.status()).as(run.toString()).isEqualTo(403);
            assertThat(run.json().get("detail").asText()).endsWith("lacks permission PIPELINE_RUN in project 'a'");
        }
        JsonNode pipeline = server.get("/v1/pipelines/a-scores", server.adminToken()).json();
        assertThat(pipeline.get("version").asInt()).isEqualTo(1);
        assertThat(pipeline.get("project").asText()).isEqualTo("a");
        assertThat(server.get("/v1/pipelines/a-scores/runs", server.adminToken()).json().get("runs")).hasSize(1);
    }

    @Test
    void aNewPipeline_needsPipelineWriteInTheProjectItNames() {
        TestingServer.Response intoA = register(scientistB, spec("b-scores", "a"));
        TestingServer.Response byViewer = register(viewerA, spec("a-other", "a"));
        TestingServer.Response intoB = register(scientistB, spec("b-scores", "b"));

        assertThat(intoA.status()).as(intoA.toString()).isEqualTo(403);
        assertThat(byViewer.status()).as(byViewer.toString()).isEqualTo(403);
        assertThat(intoB.status()).as(intoB.toString()).isEqualTo(201);
        assertThat(intoB.json().get("project").asText()).isEqualTo("b");
    }

    @Test
    void theOwnersAdmin_movingThePipelineToAnotherProject_isAConflictNamingTheField() {
        String adminA = server.token("admin-a", Map.of("a", Role.ADMIN, "b", Role.ADMIN));

        TestingServer.Response moved = register(adminA, spec("a-scores", "b"));

        assertThat(moved.status()).as(moved.toString()).isEqualTo(409);
        assertThat(moved.json().get("detail").asText()).contains("belongs to project 'a'").contains("field 'project' is 'b'");
        assertThat(moved.json().get("errors").findValuesAsText("field")).containsExactly("project");
    }

    @Test
    void aPipelineOfAnotherProject_cannotPublishIntoItsDataset() {
        String stolen = spec("b-scores", "b").replace("{dataset: b-scores-out, from: cleaned}", "{dataset: a-scores-out, from: cleaned}");

        TestingServer.Response refused = register(scientistB, stolen);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains("dataset 'a-scores-out' is published in another project")
                .doesNotContain("'a'");
        assertThat(server.get("/v1/datasets/a-scores-out", server.adminToken()).json().get("versions")).hasSize(1);
    }

    @Test
    void lists_showOnlyPipelinesAndDatasetsOfProjectsTheCallerMayRead() {
        assertThat(register(scientistB, spec("b-scores", "b")).status()).isEqualTo(201);
        assertThat(run(scientistB, "b-scores").status()).isEqualTo(200);

        assertThat(names(server.get("/v1/pipelines", scientistB), "pipelines", "pipeline")).containsExactly("b-scores");
        assertThat(names(server.get("/v1/datasets", scientistB), "datasets", "dataset"))
                .containsExactlyInAnyOrder("b-scores-out", "b-scores-quarantine");
        assertThat(names(server.get("/v1/pipelines", viewerA), "pipelines", "pipeline")).containsExactly("a-scores");
        assertThat(names(server.get("/v1/datasets", viewerA), "datasets", "dataset"))
                .containsExactlyInAnyOrder("a-scores-out", "a-scores-quarantine");
        assertThat(names(server.get("/v1/pipelines", server.adminToken()), "pipelines", "pipeline")).containsExactly("a-scores", "b-scores");
        assertThat(names(server.get("/v1/pipelines?project=b", server.adminToken()), "pipelines", "project")).containsOnly("b");
        assertThat(names(server.get("/v1/datasets?project=a", server.adminToken()), "datasets", "project")).containsOnly("a");
    }

    @Test
    void unknownObjects_areNotFoundForEveryToken() {
        for (String path : List.of("/v1/pipelines/nope", "/v1/pipelines/nope/runs", "/v1/pipeline-runs/nope", "/v1/datasets/nope",
                "/v1/datasets/nope/versions/1/profile")) {
            assertThat(server.get(path, scientistB).status()).as(path).isEqualTo(404);
        }
    }

    @Test
    void aModelReferenceFromAnotherProjectsDataset_isForbidden() {
        assertThat(server.postJson("/v1/models", server.adminToken(), "{\"name\": \"model-b\", \"project\": \"b\"}").status())
                .isEqualTo(201);
        assertThat(server.upload("model-b", dev.keel.core.testing.TestModels.creditGOnnx(), "{\"metrics\": {\"auc\": 0.7}}").status())
                .isEqualTo(201);

        TestingServer.Response reference = server.postJson("/v1/models/model-b/versions/1/reference", scientistB,
                "{\"dataset\": \"a-scores-out@1\"}");

        assertThat(reference.status()).as(reference.toString()).isEqualTo(403);
        assertThat(reference.json().get("detail").asText()).isEqualTo("token 'scientist-b' lacks permission DATASET_READ in project 'a'");
    }

    @Test
    void aRun_isAuditedAtStartAndFinishInThePipelinesProject() {
        List<AuditLog.Entry> entries = server.keel().audit().list(Optional.of("a"), 100, Optional.empty()).stream()
                .filter(entry -> entry.action().startsWith("pipeline.run-")).toList();

        assertThat(entries).extracting(AuditLog.Entry::action).containsExactly("pipeline.run-finish", "pipeline.run-start");
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.actor()).startsWith("admin (");
            assertThat(entry.target()).contains("/v1/pipeline-runs/" + runA);
        });
        assertThat(entries.getFirst().outcome()).isEqualTo("success");
        assertThat(entries.getFirst().detail().orElseThrow()).startsWith("pipeline 'a-scores': succeeded");
    }
}
