package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving safety: no unlimited path by model name, no unservable promotion, a stand-in after restart, breakers, typed fallbacks. */
class ServingSafetyTest {
    @TempDir
    Path directory;

    private static Map<String, Object> v2Row() {
        List<Float> data = new ArrayList<>();
        for (float value : ServingServer.creditRows().getFirst()) {
            data.add(value);
        }
        return Map.of("inputs", List.of(Map.of("name", "features", "shape", List.of(1, data.size()), "datatype", "FP32", "data", data)));
    }

    private static List<Integer> parallel(int count, java.util.function.Supplier<ServingServer.Response> call) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ServingServer.Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(clients.submit(call::get));
            }
            for (Future<ServingServer.Response> future : futures) {
                statuses.add(future.get().status());
            }
        }
        return statuses;
    }

    @Test
    void v2ByModelName_isHeldToTheLimitsOfTheEndpointServingTheModel() throws Exception {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerTesting("busy", "sleep:300");
            server.promote("busy", "champion", 1);
            expect(server.post("/v1/endpoints", Map.of("name", "busy-risk", "model", "busy", "maxConcurrency", 1, "queue", 1,
                    "timeoutMillis", 10_000, "batching", Map.of("enabled", false))), 201);
            Map<String, Object> record = ServingServer.instances(ServingServer.creditRows().subList(0, 1));

            List<Integer> byEndpoint = parallel(8, () -> server.post("/v1/endpoints/busy-risk/predict", record));
            List<Integer> byModel = parallel(8, () -> server.post("/v2/models/busy/infer", v2Row()));

            assertThat(byEndpoint).containsOnly(200, 429).contains(200, 429);
            assertThat(byModel).as("v2 by model name").containsOnly(200, 429).contains(200, 429);
            JsonNode stats = expect(server.get("/v1/endpoints/busy-risk/stats"), 200).body();
            assertThat(stats.path("rejected").asLong()).isEqualTo(byEndpoint.stream().filter(status -> status == 429).count()
                    + byModel.stream().filter(status -> status == 429).count());
        }
    }

    @Test
    void v2ByModelName_servedBySeveralEndpointsNoneNamedLikeIt_isA409NamingThem() {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerCredit("credit");
            server.promote("credit", "champion", 1);
            expect(server.post("/v1/endpoints", Map.of("name", "credit-a", "model", "credit")), 201);
            expect(server.post("/v1/endpoints", Map.of("name", "credit-b", "model", "credit")), 201);

            ServingServer.Response ambiguous = server.post("/v2/models/credit/infer", v2Row());

            assertThat(ambiguous.status()).isEqualTo(409);
            assertThat(ambiguous.body().path("error").asText()).contains("credit-a", "credit-b");
            expect(server.post("/v1/endpoints", Map.of("name", "credit", "model", "credit")), 201);
            assertThat(expect(server.post("/v2/models/credit/infer", v2Row()), 200).body().path("model_version").asText()).isEqualTo("1");
        }
    }

    @Test
    void promote_versionThatFailsItsSmokeRow_isRefusedWith409AndKeptInTheHistory() {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerCredit("credit");
            int broken = server.registerTesting("credit", "fail");
            server.promote("credit", "champion", 1);

            ServingServer.Response refused = server.post("/v1/models/credit/aliases/champion", Map.of("version", broken, "reason", "try"));

            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body().path("detail").asText()).contains("credit:" + broken, "smoke row", "did not move");
            assertThat(expect(server.get("/v1/models/credit/versions/champion"), 200).body().path("version").asInt()).isEqualTo(1);
            JsonNode last = expect(server.get("/v1/models/credit/history"), 200).body().path("events").get(1);
            assertThat(last.path("action").asText()).isEqualTo("refused");
            assertThat(last.path("toVersion").asInt()).isEqualTo(broken);
            assertThat(last.path("reason").asText()).contains("smoke row");
            JsonNode audited = null;
            for (JsonNode entry : expect(server.get("/v1/audit?limit=1000"), 200).body().path("entries")) {
                if (entry.path("action").asText().equals("model.promote") && entry.path("status").asInt() == 409) {
                    audited = entry;
                }
            }
            assertThat(audited).as("the refused promotion in the audit log").isNotNull();
            assertThat(audited.path("outcome").asText()).isEqualTo("failure");
            assertThat(audited.path("detail").asText()).contains("smoke row");
            expect(server.post("/v1/models/credit/aliases/champion", Map.of("version", 1, "reason", "no-op")), 200);
        }
    }

    @Test
    void promote_versionWhoseArtifactIsCorrupt_isRefusedWith409() throws Exception {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerCredit("credit");
            int second = server.register("credit", ServingServer.model("credit_rf_zipmap.onnx"), "onnx", Map.of("labels", "good,bad"));
            server.promote("credit", "champion", 1);
            corrupt(server, "credit", second);

            ServingServer.Response refused = server.post("/v1/models/credit/aliases/champion", Map.of("version", second, "reason", "try"));

            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body().path("detail").asText()).contains("credit:" + second, "integrity");
        }
    }

    @Test
    void restart_withTheTargetArtifactCorrupt_servesThePreviousVersionAndSaysWhy() throws Exception {
        int second;
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerCredit("credit");
            second = server.register("credit", ServingServer.model("credit_rf_zipmap.onnx"), "onnx", Map.of("labels", "good,bad"));
            server.promote("credit", "champion", 1);
            server.promote("credit", "champion", second);
            expect(server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit", "fallback",
                    Map.of("mode", "previous-version"))), 201);
            expect(server.post("/v1/endpoints", Map.of("name", "credit-strict", "model", "credit")), 201);
            corrupt(server, "credit", second);
        }
        try (ServingServer server = ServingServer.start(directory)) {
            ServingServer.Response answer = expect(server.post("/v1/endpoints/credit-risk/predict",
                    ServingServer.instances(ServingServer.creditRows().subList(0, 1))), 200);
            JsonNode shown = expect(server.get("/v1/endpoints/credit-risk"), 200).body();
            JsonNode strict = expect(server.get("/v1/endpoints/credit-strict"), 200).body();
            ServingServer.Response ready = server.getAnonymous("/health/ready");
            ServingServer.Response v2Ready = server.getAnonymous("/v2/health/ready");

            assertThat(answer.body().path("version").asInt()).isEqualTo(1);
            assertThat(answer.header("X-Keel-Fallback")).isEqualTo("previous-version");
            assertThat(answer.body().path("failedVersion").asInt()).isEqualTo(second);
            assertThat(shown.path("status").path("state").asText()).isEqualTo("degraded");
            assertThat(shown.path("status").path("target").asInt()).isEqualTo(second);
            assertThat(shown.path("status").path("serving").asInt()).isEqualTo(1);
            assertThat(shown.path("status").path("problems").get(0).asText()).contains("credit:" + second, "integrity", "credit:1");
            assertThat(strict.path("status").path("state").asText()).isEqualTo("down");
            assertThat(strict.path("status").path("problems").get(0).asText()).contains("credit:" + second);
            assertThat(server.post("/v1/endpoints/credit-strict/predict", ServingServer.instances(ServingServer.creditRows().subList(0, 1)))
                    .status()).isEqualTo(503);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(v2Ready.status()).isEqualTo(ready.status());
            assertThat(ready.body().path("endpoints").path("degraded").asInt()).isEqualTo(1);
            assertThat(ready.body().path("endpoints").path("down").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aVersionThatKeepsFailing_isTakenOutOfRotationByItsBreaker() {
        try (ServingServer server = ServingServer.start(directory, Map.of("KEEL_SERVING_BREAKER_COOL_DOWN", "1h"))) {
            server.registerCredit("flaky");
            int broken = server.registerTesting("flaky", "fail-unless-zeros");
            server.promote("flaky", "champion", 1);
            server.promote("flaky", "champion", broken);
            expect(server.post("/v1/endpoints", Map.of("name", "flaky", "model", "flaky", "fallback", Map.of("mode", "previous-version"))), 201);
            Map<String, Object> body = ServingServer.instances(ServingServer.creditRows().subList(0, 1));

            for (int i = 0; i < 20; i++) {
                ServingServer.Response answer = expect(server.post("/v1/endpoints/flaky/predict", body), 200);
                assertThat(answer.body().path("version").asInt()).isEqualTo(1);
            }

            JsonNode stats = expect(server.get("/v1/endpoints/flaky/stats"), 200).body();
            JsonNode failing = stats.path("versions").path(Integer.toString(broken));
            assertThat(failing.path("errors").path("error").asLong()).as("tried only until its breaker opened").isEqualTo(5);
            assertThat(failing.path("fallbacks").path("previous-version").asLong()).isEqualTo(20);
            assertThat(stats.path("breakers").path(Integer.toString(broken)).path("state").asText()).isEqualTo("open");
            assertThat(stats.path("breakers").path("1").path("state").asText()).isEqualTo("closed");
            assertThat(server.keel().metrics().scrape()).contains("keel_serving_breaker_state{endpoint=\"flaky\",version=\"" + broken + "\"} 1.0");
        }
    }

    @Test
    void anOpenBreakerWithoutFallback_answers503WithRetryAfter() {
        try (ServingServer server = ServingServer.start(directory, Map.of("KEEL_SERVING_BREAKER_COOL_DOWN", "1h"))) {
            server.registerTesting("broken", "fail");
            expect(server.post("/v1/endpoints", Map.of("name", "broken", "model", "broken", "alias", "1")), 201);
            Map<String, Object> body = ServingServer.instances(ServingServer.creditRows().subList(0, 1));

            List<Integer> statuses = new ArrayList<>();
            ServingServer.Response last = null;
            for (int i = 0; i < 8; i++) {
                last = server.post("/v1/endpoints/broken/predict", body);
                statuses.add(last.status());
            }

            assertThat(statuses).containsExactly(500, 500, 500, 500, 500, 503, 503, 503);
            assertThat(last.header("Retry-After")).isNotBlank();
            assertThat(last.body().path("detail").asText()).contains("broken:1", "out of rotation");
        }
    }

    @Test
    void defaultResponse_hasTheOutputsNamesAndDatatypesOfTheSignature() {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerTesting("labelled", "fail-labelled");
            ServingServer.Response lacking = server.post("/v1/endpoints", Map.of("name", "lacking", "model", "labelled", "alias", "1",
                    "fallback", Map.of("mode", "default-response", "response", Map.of("probabilities", List.of(0.5, 0.5)))));
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("label", 0);
            response.put("probabilities", List.of(0.5, 0.5));
            expect(server.post("/v1/endpoints", Map.of("name", "labelled", "model", "labelled", "alias", "1",
                    "fallback", Map.of("mode", "default-response", "response", response))), 201);

            JsonNode v2 = expect(server.post("/v2/models/labelled/infer", v2Row()), 200).body();
            JsonNode rest = expect(server.post("/v1/endpoints/labelled/predict", ServingServer.instances(ServingServer.creditRows().subList(0, 2))),
                    200).body();

            assertThat(lacking.status()).isEqualTo(400);
            assertThat(lacking.body().path("detail").asText()).contains("'label'", "INT64");
            Map<String, JsonNode> outputs = new LinkedHashMap<>();
            v2.path("outputs").forEach(output -> outputs.put(output.path("name").asText(), output));
            assertThat(outputs).containsOnlyKeys("label", "probabilities");
            assertThat(outputs.get("label").path("datatype").asText()).isEqualTo("INT64");
            assertThat(outputs.get("label").path("shape").toString()).isEqualTo("[1]");
            assertThat(outputs.get("label").path("data").toString()).isEqualTo("[0]");
            assertThat(outputs.get("probabilities").path("datatype").asText()).isEqualTo("FP32");
            assertThat(outputs.get("probabilities").path("shape").toString()).isEqualTo("[1,2]");
            assertThat(v2.path("parameters").path("fallback").asText()).isEqualTo("default-response");
            assertThat(rest.path("outputs").path("label").toString()).isEqualTo("[0,0]");
            assertThat(rest.path("outputs").path("probabilities").toString()).isEqualTo("[[0.5,0.5],[0.5,0.5]]");
        }
    }

    private static void corrupt(ServingServer server, String model, int version) throws Exception {
        String sha = expect(server.get("/v1/models/" + model + "/versions/" + version), 200).body().path("artifact").path("sha256").asText();
        Path root = server.keel().config().artifacts().directory();
        Path file = root.resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        file.toFile().setWritable(true);
        Files.write(file, bytes);
    }
}
