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
        TestingServer.Response run = server.send("POST", "/v1/pipelines/credit-g/runs", server.adminToken(), new byte[0], "text/plain",
                Map.of());
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
    void register_badSpec_isUnprocessableWithFieldErrors() {
        TestingServer.Response response = postYaml("/v1/pipelines", "pipeline: p\n");

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("code").asText()).isEqualTo("INVALID_SPEC");
        assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("sources", "outputs");
    }
}
