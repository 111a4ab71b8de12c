package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies built to hurt the prediction routes: too many rows or values, deep nesting, huge numbers, wrong content types,
 * non-finite numbers, odd datatypes. Each is a clear 4xx naming the field and the limit, never a 5xx. The server runs with
 * small input limits so that the tests stay small.
 */
class HostileInputTest {
    private static final int MAX_ROWS = 100;
    private static final int MAX_ELEMENTS = 10_000;

    @TempDir
    static Path directory;
    static ServingServer server;
    static String feature;

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory, Map.of("KEEL_SERVING_MAX_ROWS_PER_REQUEST", Integer.toString(MAX_ROWS),
                "KEEL_SERVING_MAX_TENSOR_ELEMENTS", Integer.toString(MAX_ELEMENTS)));
        server.registerCredit("credit");
        server.promote("credit", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit")), 201);
        feature = ServingServer.creditFeatures().getFirst();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String repeat(String value, int times) {
        return String.join(",", java.util.Collections.nCopies(times, value));
    }

    private static ServingServer.Response json(String path, String body) {
        return server.send("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertProblem(ServingServer.Response response, int status, String code, String... detail) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body().path("code").asText()).isEqualTo(code);
        assertThat(response.body().path("detail").asText()).contains(detail);
    }

    private static void assertV2Error(ServingServer.Response response, int status, String... error) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.body().path("error").asText()).contains(error);
    }

    @Test
    void predict_columnsWithMoreRowsThanTheLimit_is413NamingTheLimit() {
        ServingServer.Response response = json("/v1/endpoints/credit-risk/predict",
                "{\"columns\":{\"duration\":[" + repeat("1", MAX_ROWS + 1) + "]}}");

        assertProblem(response, 413, "PAYLOAD_TOO_LARGE", "serving.max-rows-per-request", Integer.toString(MAX_ROWS));
        assertThat(response.body().path("errors").get(0).path("field").asText()).isEqualTo("columns.duration");
    }

    @Test
    void predict_instancesWithMoreRowsThanTheLimit_is413() {
        ServingServer.Response response = json("/v1/endpoints/credit-risk/predict", "{\"instances\":[" + repeat("{}", MAX_ROWS + 1) + "]}");

        assertProblem(response, 413, "PAYLOAD_TOO_LARGE", "serving.max-rows-per-request");
    }

    @Test
    void predict_bodyWithMoreValuesThanTheLimit_is413BeforeTheTreeIsBuilt() {
        ServingServer.Response response = json("/v1/endpoints/credit-risk/predict",
                "{\"instances\":[{\"x\":[" + repeat("1", 3 * MAX_ELEMENTS) + "]}]}");

        assertProblem(response, 413, "PAYLOAD_TOO_LARGE", "serving.max-tensor-elements");
    }

    @Test
    void predict_manyMissingCells_listsTheFirstHundredErrorsAndCountsThemAll() {
        int rows = MAX_ROWS;
        ServingServer.Response response = json("/v1/endpoints/credit-risk/predict", "{\"instances\":[" + repeat("{}", rows) + "]}");

        assertThat(response.status()).as(response.raw().body()).isEqualTo(422);
        int total = rows * ServingServer.creditFeatures().size();
        assertThat(response.body().path("errors").size()).isEqualTo(100);
        assertThat(response.body().path("errorsTotal").asInt()).isEqualTo(total);
        assertThat(response.body().path("detail").asText()).startsWith(total + " invalid inputs");
        assertThat(response.raw().body().length()).isLessThan(64 * 1024);
    }

    @Test
    void anEndpointsOwnLowerLimits_holdOnBothProtocols_andCannotRaiseTheServers() {
        expect(server.post("/v1/endpoints", Map.of("name", "credit-small", "model", "credit", "maxRowsPerRequest", 5,
                "maxTensorElements", 5 * 63)), 201);
        expect(server.post("/v1/endpoints", Map.of("name", "credit-big", "model", "credit", "maxRowsPerRequest", MAX_ROWS * 10)), 201);
        String fiveRows = "{\"columns\":{\"" + feature + "\":[" + repeat("1", 5) + "]}}";
        String sixRows = "{\"columns\":{\"" + feature + "\":[" + repeat("1", 6) + "]}}";
        String sixRowsV2 = "{\"inputs\":[{\"name\":\"features\",\"shape\":[6,63],\"datatype\":\"FP32\",\"data\":["
                + repeat("0", 6 * 63) + "]}]}";

        ServingServer.Response withinItsLimit = json("/v1/endpoints/credit-small/predict", fiveRows);
        ServingServer.Response overItsLimit = json("/v1/endpoints/credit-small/predict", sixRows);
        ServingServer.Response overItsLimitOnV2 = json("/v2/models/credit-small/infer", sixRowsV2);
        ServingServer.Response sameCallElsewhere = json("/v2/models/credit-risk/infer", sixRowsV2);
        ServingServer.Response overTheServersLimit = json("/v1/endpoints/credit-big/predict",
                "{\"columns\":{\"" + feature + "\":[" + repeat("1", MAX_ROWS + 1) + "]}}");

        assertThat(withinItsLimit.status()).as(withinItsLimit.toString()).isNotEqualTo(413);
        assertProblem(overItsLimit, 413, "PAYLOAD_TOO_LARGE", "at most 5 rows", "maxRowsPerRequest");
        assertV2Error(overItsLimitOnV2, 413, "maxTensorElements");
        assertThat(sameCallElsewhere.status()).as(sameCallElsewhere.toString()).isEqualTo(200);
        assertProblem(overTheServersLimit, 413, "PAYLOAD_TOO_LARGE", "at most " + MAX_ROWS + " rows");
    }

    @Test
    void v2_shapeWhoseElementCountOverflows_is413NamingTheInput() {
        long big = 1L << 40;
        ServingServer.Response response = json("/v2/models/credit-risk/infer",
                "{\"inputs\":[{\"name\":\"features\",\"shape\":[" + big + "," + big + "],\"datatype\":\"FP32\",\"data\":[1]}]}");

        assertV2Error(response, 413, "input 'features'", "serving.max-tensor-elements");
    }

    @Test
    void v2_moreDataThanTheLimit_is413() {
        int rows = MAX_ELEMENTS / 63 + 1;
        ServingServer.Response response = json("/v2/models/credit-risk/infer", "{\"inputs\":[{\"name\":\"features\",\"shape\":[" + rows
                + ",63],\"datatype\":\"FP32\",\"data\":[" + repeat("0", rows * 63) + "]}]}");

        assertV2Error(response, 413, "serving.max-tensor-elements");
    }

    @Test
    void deepNesting_is400NamingTheLimitOnEveryJsonRoute() {
        String deep = "[".repeat(1001) + "]".repeat(1001);

        assertProblem(json("/v1/endpoints/credit-risk/predict", "{\"instances\":" + deep + "}"), 400, "INVALID_JSON", "nested deeper than");
        assertProblem(json("/v1/endpoints", "{\"name\":" + deep + "}"), 400, "INVALID_JSON", "nested deeper than");
        assertProblem(json("/v1/models", "{\"name\":" + deep + "}"), 400, "INVALID_JSON", "nested deeper than");
        assertV2Error(json("/v2/models/credit-risk/infer", "{\"inputs\":" + deep + "}"), 400, "nested deeper than");
    }

    @Test
    void hugeNumber_is400NamingTheLimit() {
        String number = "1".repeat(10_000);

        assertProblem(json("/v1/endpoints/credit-risk/predict", "{\"instances\":[{\"" + feature + "\":" + number + "}]}"), 400,
                "INVALID_JSON", "a number is longer than");
        assertProblem(json("/v1/endpoints", "{\"name\":" + number + "}"), 400, "INVALID_JSON", "a number is longer than");
        assertV2Error(json("/v2/models/credit-risk/infer", "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,1],\"datatype\":\"FP32\","
                + "\"data\":[" + number + "]}]}"), 400, "a number is longer than");
    }

    @Test
    void syntaxError_namesLineAndColumn() {
        assertProblem(json("/v1/endpoints", "{\"name\": }"), 400, "INVALID_JSON", "at line 1, column");
    }

    @Test
    void nonJsonContentTypes_are415NamingTheExpectedType() {
        byte[] body = "{\"instances\":[{}]}".getBytes(StandardCharsets.UTF_8);
        for (String type : new String[] {"text/plain", "application/xml", "application/x-www-form-urlencoded"}) {
            assertProblem(server.send("POST", "/v1/endpoints/credit-risk/predict", type, body), 415, "UNSUPPORTED_MEDIA_TYPE",
                    "application/json", type);
            assertProblem(server.send("POST", "/v1/endpoints", type, "{\"name\":\"x\",\"model\":\"credit\"}".getBytes(StandardCharsets.UTF_8)),
                    415, "UNSUPPORTED_MEDIA_TYPE", "application/json");
            assertV2Error(server.send("POST", "/v2/models/credit-risk/infer", type, body), 415, "application/json");
        }
        assertProblem(server.send("POST", "/v1/endpoints/credit-risk/predict", null, body), 415, "UNSUPPORTED_MEDIA_TYPE", "no Content-Type");
    }

    @Test
    void jsonWithParametersAndPlusJsonTypes_areAccepted() {
        String row = "{\"instances\":[" + Json.record() + "]}";
        for (String type : new String[] {"application/json; charset=utf-8", "Application/JSON", "application/vnd.keel+json"}) {
            ServingServer.Response response = server.send("POST", "/v1/endpoints/credit-risk/predict", type, row.getBytes(StandardCharsets.UTF_8));
            assertThat(response.status()).as(type + ": " + response.raw().body()).isEqualTo(200);
        }
    }

    @Test
    void v2_nonFiniteValues_are400NamingInputAndIndex() {
        for (String value : new String[] {"Infinity", "-Infinity", "NaN"}) {
            String data = "0," + value + ",0";
            ServingServer.Response response = json("/v2/models/credit-risk/infer",
                    "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}");
            assertV2Error(response, 400, "features[1]", value, "finite");
        }
    }

    @Test
    void v2_nonFiniteValues_areRefusedForModelsWithoutASchemaToo() {
        server.registerPlain("multi", "multi_input.onnx");

        ServingServer.Response response = json("/v2/models/multi/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\","
                + "\"data\":[1,NaN]}]}");

        assertV2Error(response, 400, "a[1]", "NaN");
    }

    @Test
    void predict_nonFiniteValues_are400NamingFeatureAndRow() {
        ServingServer.Response records = json("/v1/endpoints/credit-risk/predict", "{\"instances\":[{}, {\"" + feature + "\":Infinity}]}");
        ServingServer.Response columns = json("/v1/endpoints/credit-risk/predict", "{\"columns\":{\"" + feature + "\":[1,-Infinity]}}");

        assertProblem(records, 400, "INVALID_REQUEST", "instances[1]." + feature, "Infinity", "finite");
        assertProblem(columns, 400, "INVALID_REQUEST", "columns." + feature + "[1]", "-Infinity");
    }

    @Test
    void v2_lowerCaseDatatype_isRefusedNamingTheAllowedValues() {
        ServingServer.Response response = json("/v2/models/credit-risk/infer",
                "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,1],\"datatype\":\"fp32\",\"data\":[1]}]}");

        assertV2Error(response, 400, "\"fp32\"", "FP32, FP64", "upper case");
    }

    @Test
    void referenceUpload_malformedBodies_are4xx() {
        String path = "/v1/models/credit/versions/1/reference";
        String[][] bodies = {
            {"application/json", "{\"rows\": "},
            {"application/json", "\"text\""},
            {"application/json", "{\"rows\": [1, 2]}"},
            {"application/json", "{\"rows\": [{\"a\": [1]}]}"},
            {"application/json", "[".repeat(1001)},
            {"application/json", ""},
            {"text/csv", ""},
            {"text/csv", "a,b\n1,2,3\n"},
            {"text/csv", "\"unterminated\n1\n"},
            {"text/csv", "\u0000\u0001\u00ff"},
            {"text/csv", "duration\nnot-a-number\n"},
            {"application/json", "{\"dataset\": 5}"},
            {"application/json", "{\"dataset\": \"nothing@1\"}"},
            {"text/plain", "a,b\n1,2\n"},
        };
        for (String[] body : bodies) {
            ServingServer.Response response = server.send("POST", path, body[0], body[1].getBytes(StandardCharsets.UTF_8));
            assertThat(response.status()).as(body[0] + " " + body[1] + ": " + response.raw().body()).isBetween(400, 499);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        }
    }

    @Test
    void modelUpload_multipartWithoutBoundary_is400() {
        ServingServer.Response response = server.send("POST", "/v1/models/credit/versions", "multipart/form-data", "--x\r\n".getBytes(StandardCharsets.UTF_8));

        assertProblem(response, 400, "INVALID_REQUEST", "boundary");
    }

    @Test
    void modelUpload_garbledMultipart_is400() {
        ServingServer.Response response = server.send("POST", "/v1/models/credit/versions", "multipart/form-data; boundary=zz",
                "no parts here".getBytes(StandardCharsets.UTF_8));

        assertThat(response.status()).as(response.raw().body()).isBetween(400, 499);
    }

    @Test
    void v2_modelNotReady_answersTheV2ErrorBody() throws Exception {
        server.registerPlain("brittle", "scalar.onnx");
        byte[] artifact = ServingServer.model("scalar.onnx");
        try (var files = java.nio.file.Files.walk(directory)) {
            for (Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                if (java.nio.file.Files.size(file) == artifact.length && java.util.Arrays.equals(java.nio.file.Files.readAllBytes(file), artifact)) {
                    java.nio.file.Files.write(file, "damaged".getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        ServingServer.Response ready = server.get("/v2/models/brittle/ready");

        assertV2Error(ready, 400, "not ready");
    }

    /** One valid record of the credit model. */
    private static final class Json {
        static String record() {
            return dev.keel.core.json.Json.write(ServingServer.record(ServingServer.creditRows().getFirst()));
        }
    }

    @Test
    void validCall_stillAnswers200() {
        JsonNode body = expect(json("/v1/endpoints/credit-risk/predict", "{\"instances\":[" + Json.record() + "]}"), 200).body();

        assertThat(body.path("predictions").size()).isEqualTo(1);
    }
}
