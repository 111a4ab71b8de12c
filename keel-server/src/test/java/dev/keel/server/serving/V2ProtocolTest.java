package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Open Inference Protocol v2 REST API, route by route, as kserve/kserve docs/predict-api/v2/required_api.md describes it. */
class V2ProtocolTest {
    @TempDir
    static Path directory;
    static ServingServer server;

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory);
        server.registerCredit("credit");
        server.promote("credit", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit")), 201);
        server.registerPlain("multi", "multi_input.onnx");
        server.registerPlain("scalar", "scalar.onnx");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void health_liveAndReadyAnswer200WithoutToken() {
        ServingServer.Response live = server.getAnonymous("/v2/health/live");
        ServingServer.Response ready = server.getAnonymous("/v2/health/ready");

        assertThat(live.status()).isEqualTo(200);
        assertThat(live.raw().body()).isEmpty();
        assertThat(ready.status()).isEqualTo(200);
    }

    @Test
    void serverMetadata_namesServerVersionAndExtensions() {
        JsonNode body = expect(server.get("/v2"), 200).body();

        assertThat(body.path("name").asText()).isEqualTo("keel");
        assertThat(body.path("version").asText()).isNotBlank();
        assertThat(body.path("extensions").isArray()).isTrue();
    }

    @Test
    void modelMetadata_ofEndpointAndOfModelVersion() {
        JsonNode endpoint = expect(server.get("/v2/models/credit-risk"), 200).body();
        JsonNode version = expect(server.get("/v2/models/multi/versions/1"), 200).body();

        assertThat(endpoint.path("name").asText()).isEqualTo("credit-risk");
        assertThat(endpoint.path("platform").asText()).isEqualTo("onnxruntime_onnx");
        assertThat(endpoint.path("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(endpoint.path("inputs").toString()).isEqualTo("[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,63]}]");
        assertThat(endpoint.path("outputs").findValuesAsText("name")).containsExactly("label", "probabilities");
        assertThat(version.path("inputs").findValuesAsText("name")).containsExactlyInAnyOrder("a", "b", "count", "tag");
        assertThat(version.path("inputs").findValuesAsText("datatype")).contains("FP32", "INT32", "BYTES");
    }

    @Test
    void modelReady_200ForServedModels404ForUnknown() {
        assertThat(server.get("/v2/models/credit-risk/ready").status()).isEqualTo(200);
        assertThat(server.get("/v2/models/credit-risk/versions/1/ready").status()).isEqualTo(200);
        assertThat(server.get("/v2/models/multi/ready").status()).isEqualTo(200);
        ServingServer.Response unknown = server.get("/v2/models/nothing/ready");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("error").asText()).contains("nothing");
    }

    @Test
    void infer_onEndpointEqualsDirectOnnxRuntimeAndEchoesId() {
        List<float[]> rows = ServingServer.creditRows().subList(0, 3);
        List<List<Float>> nested = new ArrayList<>();
        for (float[] row : rows) {
            List<Float> values = new ArrayList<>();
            for (float value : row) {
                values.add(value);
            }
            nested.add(values);
        }
        Map<String, Object> request = Map.of("id", "42", "inputs", List.of(Map.of("name", "features", "shape", List.of(3, 63),
                "datatype", "FP32", "data", nested)), "outputs", List.of(Map.of("name", "probabilities")));

        JsonNode body = expect(server.post("/v2/models/credit-risk/infer", request), 200).body();

        assertThat(body.path("id").asText()).isEqualTo("42");
        assertThat(body.path("model_name").asText()).isEqualTo("credit-risk");
        assertThat(body.path("model_version").asText()).isEqualTo("1");
        assertThat(body.path("outputs")).hasSize(1);
        JsonNode output = body.path("outputs").get(0);
        assertThat(output.path("name").asText()).isEqualTo("probabilities");
        assertThat(output.path("datatype").asText()).isEqualTo("FP32");
        assertThat(output.path("shape").toString()).isEqualTo("[3,2]");
        float[] direct = (float[]) EndpointApiTest.direct(rows).get("probabilities").data();
        for (int i = 0; i < direct.length; i++) {
            assertThat((float) output.path("data").get(i).doubleValue()).isEqualTo(direct[i]);
        }
    }

    @Test
    void infer_modelWithSeveralInputsOfSeveralTypes() {
        Map<String, Object> request = Map.of("inputs", List.of(
                tensor("a", "FP32", List.of(2, 3), List.of(1, 2, 3, 4, 5, 6)),
                tensor("b", "FP32", List.of(2, 3), List.of(List.of(1, 1, 1), List.of(2, 2, 2))),
                tensor("count", "INT32", List.of(2), List.of(2, 3)),
                tensor("tag", "BYTES", List.of(2), List.of("x", "y"))));

        JsonNode body = expect(server.post("/v2/models/multi/infer", request), 200).body();

        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        body.path("outputs").forEach(output -> outputs.put(output.path("name").asText(), output));
        assertThat(outputs.get("sum").path("data").toString()).isEqualTo("[2.0,3.0,4.0,6.0,7.0,8.0]");
        assertThat(outputs.get("dot").path("data").toString()).isEqualTo("[6.0,30.0]");
        assertThat(outputs.get("scaled").path("data").toString()).isEqualTo("[12.0,90.0]");
        assertThat(outputs.get("tag_out").path("datatype").asText()).isEqualTo("BYTES");
        assertThat(outputs.get("tag_out").path("data").toString()).isEqualTo("[\"x\",\"y\"]");
    }

    @Test
    void infer_scalarInputs() {
        Map<String, Object> request = Map.of("inputs", List.of(tensor("x", "FP32", List.of(), List.of(2.5)),
                tensor("k", "INT64", List.of(), List.of(41))));

        JsonNode body = expect(server.post("/v2/models/scalar/versions/1/infer", request), 200).body();

        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        body.path("outputs").forEach(output -> outputs.put(output.path("name").asText(), output));
        assertThat(outputs.get("y").path("shape").toString()).isEqualTo("[]");
        assertThat(outputs.get("y").path("data").get(0).doubleValue()).isEqualTo(5.0);
        assertThat(outputs.get("next").path("data").get(0).asLong()).isEqualTo(42);
        assertThat(outputs.get("next").path("datatype").asText()).isEqualTo("INT64");
    }

    @ParameterizedTest
    @CsvSource({"bool,BOOL,'[true,false,false,true]'", "int8,INT8,'[-128,0,5,127]'", "uint8,UINT8,'[0,1,200,255]'",
        "int16,INT16,'[-32768,0,7,32767]'", "int32,INT32,'[-2147483648,0,9,2147483647]'",
        "int64,INT64,'[-9223372036854775808,0,11,9223372036854775807]'", "float16,FP16,'[0.5,-2.0,1024.0,0.25]'",
        "float,FP32,'[1.5,-2.25,3.0E10,0.0]'", "double,FP64,'[1.0E-300,-2.5,3.141592653589793,0.0]'",
        "string,BYTES,'[\"a\",\"\",\"ü\",\"keel\"]'"})
    void infer_roundTripsEveryDatatype(String file, String datatype, String data) throws Exception {
        String model = "identity-" + file;
        if (server.get("/v1/models/" + model).status() == 404) {
            server.registerPlain(model, "types/identity_" + file + ".onnx");
        }
        JsonNode values = dev.keel.core.json.Json.MAPPER.readTree(data);
        Map<String, Object> request = Map.of("inputs", List.of(Map.of("name", "x", "shape", List.of(2, 2), "datatype", datatype, "data", values)));

        JsonNode body = expect(server.post("/v2/models/" + model + "/infer", request), 200).body();

        JsonNode output = body.path("outputs").get(0);
        assertThat(output.path("datatype").asText()).isEqualTo(datatype);
        assertThat(output.path("shape").toString()).isEqualTo("[2,2]");
        assertThat(output.path("data")).isEqualTo(values);
    }

    @Test
    void errors_areErrorObjectsWith4xx() {
        Map<String, Object> wrongType = Map.of("inputs", List.of(tensor("features", "FP64", List.of(1, 63), zeros(63))));
        Map<String, Object> wrongShape = Map.of("inputs", List.of(tensor("features", "FP32", List.of(1, 62), zeros(62))));
        Map<String, Object> wrongCount = Map.of("inputs", List.of(tensor("features", "FP32", List.of(2, 63), zeros(63))));
        Map<String, Object> unknownType = Map.of("inputs", List.of(tensor("features", "FLOAT", List.of(1, 63), zeros(63))));
        Map<String, Object> missingInput = Map.of("inputs", List.of(tensor("a", "FP32", List.of(1, 3), zeros(3))));
        List<Object> negative = new ArrayList<>(zeros(63));
        negative.set(4, -1);
        Map<String, Object> outOfRange = Map.of("inputs", List.of(tensor("features", "FP32", List.of(1, 63), negative)));

        assertError(server.post("/v2/models/credit-risk/infer", wrongType), 422, "FP64");
        assertError(server.post("/v2/models/credit-risk/infer", wrongShape), 422, "shape");
        assertError(server.post("/v2/models/credit-risk/infer", wrongCount), 422, "126");
        assertError(server.post("/v2/models/credit-risk/infer", unknownType), 400, "FLOAT");
        assertError(server.post("/v2/models/multi/infer", missingInput), 422, "missing");
        assertError(server.post("/v2/models/credit-risk/infer", outOfRange), 422, "features[0].duration");
        assertError(server.post("/v2/models/nothing/infer", wrongType), 404, "nothing");
        assertError(server.get("/v2/models/credit/versions/9"), 404, "version 9");
        assertError(server.post("/v2/models/credit-risk/infer", "{not json"), 400, "JSON");
        assertError(server.post("/v2/models/credit-risk/infer", wrongShape, null), 401, "token");
        assertError(server.get("/v2/nowhere"), 404, "/v2/nowhere");
    }

    private static void assertError(ServingServer.Response response, int status, String mention) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.body().size()).as(response.raw().body()).isEqualTo(1);
        assertThat(response.body().path("error").asText()).contains(mention);
    }

    private static Map<String, Object> tensor(String name, String datatype, List<Integer> shape, Object data) {
        return Map.of("name", name, "datatype", datatype, "shape", shape, "data", data);
    }

    private static List<Object> zeros(int count) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(0);
        }
        return values;
    }

    static double value(Tensor tensor, int index) {
        return tensor.doubleAt(index);
    }
}
