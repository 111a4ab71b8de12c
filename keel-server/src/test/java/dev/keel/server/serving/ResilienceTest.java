package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fallback on model errors and timeouts, failure records, and overload answered with 429. */
class ResilienceTest {
    @TempDir
    static Path directory;
    static ServingServer server;
    static Map<String, Object> body;

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory);
        body = ServingServer.instances(ServingServer.creditRows().subList(0, 2));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void previousVersionFallback_answersFromTheVersionTheAliasHeldBeforeAndRecordsTheFailure() {
        server.registerCredit("flaky");
        int broken = server.registerTesting("flaky", "fail-unless-zeros");
        server.promote("flaky", "champion", 1);
        server.promote("flaky", "champion", broken);
        expect(server.post("/v1/endpoints", Map.of("name", "flaky", "model", "flaky", "fallback", Map.of("mode", "previous-version"))), 201);

        ServingServer.Response response = expect(server.post("/v1/endpoints/flaky/predict", body), 200);

        assertThat(response.body().path("fallback").asBoolean()).isTrue();
        assertThat(response.body().path("fallbackMode").asText()).isEqualTo("previous-version");
        assertThat(response.body().path("version").asInt()).isEqualTo(1);
        assertThat(response.body().path("failedVersion").asInt()).isEqualTo(broken);
        assertThat(response.header("X-Keel-Fallback")).isEqualTo("previous-version");
        float[] direct = (float[]) EndpointApiTest.direct(ServingServer.creditRows().subList(0, 2)).get("probabilities").data();
        assertThat((float) response.body().path("outputs").path("probabilities").get(1).get(1).doubleValue()).isEqualTo(direct[3]);
        server.keel().serving().flushRecords();
        JsonNode failures = expect(server.get("/v1/endpoints/flaky/failures"), 200).body().path("failures");
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).path("kind").asText()).isEqualTo("error");
        assertThat(failures.get(0).path("version").asInt()).isEqualTo(broken);
        assertThat(failures.get(0).path("fallback").asText()).isEqualTo("previous-version");
        assertThat(failures.get(0).path("requestId").asText()).isEqualTo(response.body().path("requestId").asText());
        JsonNode stats = expect(server.get("/v1/endpoints/flaky/stats"), 200).body();
        assertThat(stats.path("versions").path(Integer.toString(broken)).path("fallbacks").path("previous-version").asLong()).isEqualTo(1);

        float[] row = ServingServer.creditRows().getFirst();
        List<Float> data = new java.util.ArrayList<>();
        for (float value : row) {
            data.add(value);
        }
        ServingServer.Response v2 = expect(server.post("/v2/models/flaky/infer", Map.of("inputs", List.of(Map.of("name", "features",
                "shape", List.of(1, row.length), "datatype", "FP32", "data", data)))), 200);
        assertThat(v2.header("X-Keel-Fallback")).isEqualTo("previous-version");
        assertThat(v2.body().path("model_version").asText()).isEqualTo("1");
        assertThat(v2.body().path("parameters").path("fallback").asText()).isEqualTo("previous-version");
        assertThat(v2.body().path("parameters").path("failed_version").asText()).isEqualTo(Integer.toString(broken));
        assertThat(v2.body().path("outputs").findValuesAsText("name")).contains("label", "probabilities");
    }

    @Test
    void defaultResponse_answersTimeoutsWithTheConfiguredOutputs() {
        server.registerTesting("slow", "sleep:400");
        server.promote("slow", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "slow", "model", "slow", "timeoutMillis", 50,
                "fallback", Map.of("mode", "default-response", "response", Map.of("probabilities", List.of(0.5, 0.5))))), 201);

        JsonNode answer = expect(server.post("/v1/endpoints/slow/predict", body), 200).body();

        assertThat(answer.path("fallbackMode").asText()).isEqualTo("default-response");
        assertThat(answer.path("outputs").path("probabilities").toString()).isEqualTo("[[0.5,0.5],[0.5,0.5]]");
        server.keel().serving().flushRecords();
        JsonNode failure = expect(server.get("/v1/endpoints/slow/failures"), 200).body().path("failures").get(0);
        assertThat(failure.path("kind").asText()).isEqualTo("timeout");
        assertThat(failure.path("fallback").asText()).isEqualTo("default-response");
    }

    @Test
    void withoutFallback_aFailingModelIsA500AndIsRecorded() {
        server.registerTesting("broken", "fail");
        expect(server.post("/v1/endpoints", Map.of("name", "broken", "model", "broken", "alias", "1")), 201);

        ServingServer.Response response = server.post("/v1/endpoints/broken/predict", body);

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.body().path("detail").asText()).contains("broken:1", response.body().path("requestId").asText())
                .doesNotContain("fails on purpose");
        server.keel().serving().flushRecords();
        assertThat(expect(server.get("/v1/endpoints/broken/failures"), 200).body().path("failures").get(0).path("fallback").asText())
                .isEqualTo("none");
    }

    @Test
    void aModelFailingInsideOnnxRuntime_isA500WhoseBodyHoldsNoNativeSourcePathsOnEitherProtocol() {
        server.registerPlain("reshaper", "reshape_fails.onnx");
        expect(server.post("/v1/endpoints", Map.of("name", "reshaper", "model", "reshaper", "alias", "1")), 201);

        ServingServer.Response rest = server.post("/v1/endpoints/reshaper/predict", Map.of("instances", List.of(Map.of("x", List.of(1, 2, 3)))));
        ServingServer.Response v2 = server.post("/v2/models/reshaper/infer", Map.of("inputs", List.of(Map.of("name", "x", "shape",
                List.of(1, 3), "datatype", "FP32", "data", List.of(1, 2, 3)))));

        assertThat(rest.status()).as(rest.raw().body()).isEqualTo(500);
        assertThat(v2.status()).as(v2.raw().body()).isEqualTo(500);
        for (String body : List.of(rest.raw().body(), v2.raw().body())) {
            assertThat(body).contains("reshaper:1").doesNotContain("onnxruntime_src").doesNotContain(".h:").doesNotContain("::")
                    .doesNotContain("Reshape");
        }
        assertThat(rest.body().path("detail").asText()).contains(rest.body().path("requestId").asText());
    }

    @Test
    void overload_isRefusedWith429AndRetryAfterWhileAdmittedRequestsSucceed() throws Exception {
        server.registerTesting("busy", "sleep:300");
        server.promote("busy", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "busy", "model", "busy", "maxConcurrency", 1, "queue", 1,
                "timeoutMillis", 10_000, "batching", Map.of("enabled", false))), 201);

        List<ServingServer.Response> responses = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ServingServer.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(clients.submit(() -> server.post("/v1/endpoints/busy/predict", body)));
            }
            for (Future<ServingServer.Response> future : futures) {
                responses.add(future.get());
            }
        }

        List<Integer> statuses = responses.stream().map(ServingServer.Response::status).toList();
        assertThat(statuses).containsOnly(200, 429);
        assertThat(statuses).contains(200, 429);
        ServingServer.Response refused = responses.stream().filter(response -> response.status() == 429).findFirst().orElseThrow();
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.body().path("code").asText()).isEqualTo("OVERLOADED");
    }
}
