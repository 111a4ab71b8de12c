package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.runtime.onnx.OnnxModelRuntime;
import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointApiTest {
    @TempDir
    static Path directory;
    static ServingServer server;
    static List<float[]> rows;

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory);
        server.registerCredit("credit");
        server.promote("credit", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit", "alias", "champion")), 201);
        rows = ServingServer.creditRows().subList(0, 40);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void predict_recordsEqualDirectOnnxRuntimeOutputs() {
        JsonNode body = expect(server.post("/v1/endpoints/credit-risk/predict", ServingServer.instances(rows)), 200).body();

        assertThat(body.path("model").asText()).isEqualTo("credit");
        assertThat(body.path("version").asInt()).isEqualTo(1);
        assertThat(body.path("requestId").asText()).isNotBlank();
        assertThat(body.path("fallback").asBoolean()).isFalse();
        Map<String, Tensor> direct = direct(rows);
        float[] probabilities = (float[]) direct.get("probabilities").data();
        long[] labels = (long[]) direct.get("label").data();
        for (int row = 0; row < rows.size(); row++) {
            JsonNode outputs = body.path("outputs");
            assertThat((float) outputs.path("probabilities").get(row).get(0).doubleValue()).isEqualTo(probabilities[2 * row]);
            assertThat((float) outputs.path("probabilities").get(row).get(1).doubleValue()).isEqualTo(probabilities[2 * row + 1]);
            assertThat(outputs.path("label").get(row).asLong()).isEqualTo(labels[row]);
            JsonNode prediction = body.path("predictions").get(row);
            assertThat((float) prediction.path("probabilities").path("bad").doubleValue()).isEqualTo(probabilities[2 * row + 1]);
            assertThat(prediction.path("label").asLong()).isEqualTo(labels[row]);
        }
    }

    @Test
    void predict_columnFormGivesTheSameAnswerAsRecords() {
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        List<String> names = ServingServer.creditFeatures();
        for (int i = 0; i < names.size(); i++) {
            List<Object> values = new ArrayList<>();
            for (float[] row : rows.subList(0, 5)) {
                values.add(row[i]);
            }
            columns.put(names.get(i), values);
        }
        JsonNode byColumns = expect(server.post("/v1/endpoints/credit-risk/predict", Map.of("columns", columns)), 200).body();
        JsonNode byRecords = expect(server.post("/v1/endpoints/credit-risk/predict", ServingServer.instances(rows.subList(0, 5))), 200).body();

        assertThat(byColumns.path("outputs")).isEqualTo(byRecords.path("outputs"));
    }

    @Test
    void predict_namesEveryBadFieldAndRow() {
        List<Map<String, Object>> records = new ArrayList<>();
        for (float[] row : rows.subList(0, 4)) {
            records.add(new LinkedHashMap<>(ServingServer.record(row)));
        }
        records.get(0).remove("duration");
        records.get(1).put("shoe_size", 44);
        records.get(2).put("age", "old");
        records.get(3).put("credit_amount", -5);

        ServingServer.Response response = server.post("/v1/endpoints/credit-risk/predict", Map.of("instances", records));

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body().path("code").asText()).isEqualTo("INVALID_INPUT");
        List<String> fields = new ArrayList<>();
        response.body().path("errors").forEach(error -> fields.add(error.path("field").asText()));
        assertThat(fields).contains("instances[0].duration", "instances[1].shoe_size", "instances[2].age", "instances[3].credit_amount");
        assertThat(response.body().path("rows").toString()).isEqualTo("[0,1,2,3]");
        assertThat(response.body().path("detail").asText()).contains("rows [0, 1, 2, 3]");
    }

    @Test
    void predict_refusesNaN() {
        Map<String, Object> record = new LinkedHashMap<>(ServingServer.record(rows.getFirst()));
        String body = dev.keel.core.json.Json.write(Map.of("instances", List.of(record))).replaceFirst("\"age\":[0-9.]+", "\"age\":NaN");

        ServingServer.Response response = server.post("/v1/endpoints/credit-risk/predict", body);

        // 400 as on the v2 path: JSON has no NaN, so the body is refused as malformed input, naming the field
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().path("errors").get(0).path("field").asText()).isEqualTo("instances[0].age");
        assertThat(response.body().path("errors").get(0).path("message").asText()).contains("NaN");
    }

    @Test
    void endpoints_areListedShownAndDeleted() {
        expect(server.post("/v1/endpoints", Map.of("name", "scratch", "model", "credit", "alias", "1",
                "batching", Map.of("enabled", false), "maxConcurrency", 4, "queue", 8)), 201);

        JsonNode listed = expect(server.get("/v1/endpoints"), 200).body();
        JsonNode shown = expect(server.get("/v1/endpoints/scratch"), 200).body();
        expect(server.delete("/v1/endpoints/scratch"), 204);

        assertThat(listed.path("endpoints").findValuesAsText("name")).contains("credit-risk", "scratch");
        assertThat(shown.path("config").path("batching").path("enabled").asBoolean()).isFalse();
        assertThat(shown.path("config").path("maxConcurrency").asInt()).isEqualTo(4);
        assertThat(shown.path("routes").path("main").asInt()).isEqualTo(1);
        assertThat(server.get("/v1/endpoints/scratch").status()).isEqualTo(404);
        assertThat(server.post("/v1/endpoints/scratch/predict", ServingServer.instances(rows.subList(0, 1))).status()).isEqualTo(404);
    }

    @Test
    void create_refusesUnknownAliasAndBadSettings() {
        ServingServer.Response unknownAlias = server.post("/v1/endpoints", Map.of("name", "nope", "model", "credit", "alias", "gold"));
        ServingServer.Response badPercent = server.post("/v1/endpoints", Map.of("name", "nope", "model", "credit",
                "canary", Map.of("version", 1, "percent", 150)));
        ServingServer.Response duplicate = server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit"));

        assertThat(unknownAlias.status()).isEqualTo(404);
        assertThat(unknownAlias.body().path("detail").asText()).contains("gold");
        assertThat(badPercent.status()).isEqualTo(400);
        assertThat(badPercent.body().path("detail").asText()).contains("canary.percent", "150");
        assertThat(duplicate.status()).isEqualTo(409);
    }

    @Test
    void predict_needsPredictPermissionAndIsNotAudited() {
        JsonNode viewer = expect(server.post("/v1/tokens", Map.of("name", "viewer", "grants", Map.of("default", "viewer"))), 201).body();
        JsonNode consumer = expect(server.post("/v1/tokens", Map.of("name", "consumer", "grants", Map.of("default", "consumer"))), 201).body();

        ServingServer.Response refused = server.post("/v1/endpoints/credit-risk/predict", ServingServer.instances(rows.subList(0, 1)),
                viewer.path("secret").asText());
        ServingServer.Response allowed = server.post("/v1/endpoints/credit-risk/predict", ServingServer.instances(rows.subList(0, 1)),
                consumer.path("secret").asText());
        ServingServer.Response cannotCreate = server.post("/v1/endpoints", Map.of("name", "sneaky", "model", "credit"),
                consumer.path("secret").asText());

        assertThat(refused.status()).isEqualTo(403);
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(cannotCreate.status()).isEqualTo(403);
        JsonNode audit = expect(server.get("/v1/audit?limit=1000"), 200).body();
        assertThat(audit.toString()).doesNotContain("endpoint.predict").contains("endpoint.create");
    }

    static Map<String, Tensor> direct(List<float[]> rows) {
        int width = rows.getFirst().length;
        float[] data = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, data, i * width, width);
        }
        try (LoadedModel model = new OnnxModelRuntime().load(ServingServer.creditArtifact(), RuntimeOptions.defaults())) {
            return model.predict(Map.of("features", new Tensor(DataType.FP32, new long[] {rows.size(), width}, data)));
        }
    }
}
