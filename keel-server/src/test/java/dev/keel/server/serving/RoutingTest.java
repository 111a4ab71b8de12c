package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.spi.event.PredictionMade;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Canary and shadow routes, micro-batching, metrics and the prediction listener. */
class RoutingTest {
    @TempDir
    static Path directory;
    static ServingServer server;
    static final List<PredictionMade> EVENTS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory);
        server.keel().events().subscribe(event -> {
            if (event instanceof PredictionMade prediction) {
                EVENTS.add(prediction);
            }
        });
        server.registerCredit("credit");
        server.registerTesting("credit", "constant:0.25");
        server.promote("credit", "champion", 1);
        server.promote("credit", "challenger", 2);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void canary_sendsItsShareAndStaysStickyPerKey() {
        expect(server.post("/v1/endpoints", Map.of("name", "canary", "model", "credit", "canary", Map.of("alias", "challenger", "percent", 30))), 201);
        Map<String, Object> record = ServingServer.record(ServingServer.creditRows().getFirst());

        Map<String, Integer> versionByKey = new HashMap<>();
        int canaryAnswers = 0;
        for (int i = 0; i < 200; i++) {
            String key = "customer-" + i;
            JsonNode answer = expect(server.post("/v1/endpoints/canary/predict", Map.of("instances", List.of(record), "key", key)), 200).body();
            versionByKey.put(key, answer.path("version").asInt());
            if (answer.path("route").asText().equals("canary")) {
                canaryAnswers++;
                assertThat(answer.path("version").asInt()).isEqualTo(2);
            }
        }
        for (int i = 0; i < 200; i += 7) {
            String key = "customer-" + i;
            JsonNode again = expect(server.post("/v1/endpoints/canary/predict", Map.of("instances", List.of(record), "key", key)), 200).body();
            assertThat(again.path("version").asInt()).as(key).isEqualTo(versionByKey.get(key));
        }
        assertThat(canaryAnswers).isBetween(30, 90);
    }

    @Test
    void shadow_neverAnswersButRecordsBothOutputs() throws Exception {
        expect(server.post("/v1/endpoints", Map.of("name", "shadowed", "model", "credit", "shadow", Map.of("alias", "challenger"))), 201);

        JsonNode answer = expect(server.post("/v1/endpoints/shadowed/predict",
                ServingServer.instances(ServingServer.creditRows().subList(0, 3))), 200).body();

        assertThat(answer.path("version").asInt()).isEqualTo(1);
        JsonNode comparisons = awaitComparisons("shadowed");
        JsonNode comparison = comparisons.get(0);
        assertThat(comparison.path("requestId").asText()).isEqualTo(answer.path("requestId").asText());
        assertThat(comparison.path("primaryVersion").asInt()).isEqualTo(1);
        assertThat(comparison.path("shadowVersion").asInt()).isEqualTo(2);
        assertThat(Json.MAPPER.readTree(comparison.path("primaryOutputs").asText()).path("probabilities"))
                .isEqualTo(answer.path("outputs").path("probabilities"));
        assertThat(Json.MAPPER.readTree(comparison.path("shadowOutputs").asText()).path("probabilities").toString())
                .isEqualTo("[[0.75,0.25],[0.75,0.25],[0.75,0.25]]");
    }

    private static JsonNode awaitComparisons(String endpoint) throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            server.keel().serving().flushRecords();
            JsonNode comparisons = expect(server.get("/v1/endpoints/" + endpoint + "/shadow"), 200).body().path("comparisons");
            if (!comparisons.isEmpty()) {
                return comparisons;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no shadow comparison was recorded");
    }

    @Test
    void batching_coalescesConcurrentRequestsAndAnswersAsUnbatched() throws Exception {
        expect(server.post("/v1/endpoints", Map.of("name", "batched", "model", "credit",
                "batching", Map.of("enabled", true, "maxBatchSize", 64, "maxDelayMillis", 200))), 201);
        expect(server.post("/v1/endpoints", Map.of("name", "unbatched", "model", "credit", "batching", Map.of("enabled", false))), 201);
        List<float[]> rows = ServingServer.creditRows().subList(0, 24);

        List<JsonNode> batched = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ServingServer.Response>> futures = new ArrayList<>();
            for (float[] row : rows) {
                futures.add(clients.submit(() -> server.post("/v1/endpoints/batched/predict", ServingServer.instances(List.of(row)))));
            }
            for (Future<ServingServer.Response> future : futures) {
                batched.add(expect(future.get(), 200).body());
            }
        }

        for (int i = 0; i < rows.size(); i++) {
            JsonNode alone = expect(server.post("/v1/endpoints/unbatched/predict", ServingServer.instances(List.of(rows.get(i)))), 200).body();
            assertThat(batched.get(i).path("outputs")).isEqualTo(alone.path("outputs"));
        }
        JsonNode stats = expect(server.get("/v1/endpoints/batched/stats"), 200).body().path("versions").path("1");
        assertThat(stats.path("batchRows").path("max").asDouble()).isGreaterThan(1);
        assertThat(stats.path("requests").path("success").asLong()).isEqualTo(24);
        assertThat(stats.path("latency").path("count").asLong()).isEqualTo(24);
        JsonNode unbatched = expect(server.get("/v1/endpoints/unbatched/stats"), 200).body().path("versions").path("1");
        assertThat(unbatched.path("batchRows").path("max").asDouble()).isEqualTo(1);
    }

    @Test
    void listener_receivesEachPredictionWithItsInputsAndOutputs() throws Exception {
        expect(server.post("/v1/endpoints", Map.of("name", "listened", "model", "credit")), 201);

        JsonNode answer = expect(server.post("/v1/endpoints/listened/predict",
                ServingServer.instances(ServingServer.creditRows().subList(0, 2))), 200).body();

        assertThat(server.keel().events().awaitDelivered(java.time.Duration.ofSeconds(10))).isTrue();
        PredictionMade event = EVENTS.stream().filter(each -> each.requestId().equals(answer.path("requestId").asText())).findFirst().orElse(null);
        assertThat(event).isNotNull();
        assertThat(event.endpoint()).isEqualTo("listened");
        assertThat(event.version()).isEqualTo(1);
        assertThat(event.inputs().get("features").shape()).containsExactly(2, 63);
        assertThat(event.outputs()).containsKeys("probabilities", "label");
        assertThat(event.fallback()).isFalse();
        assertThat(event.shadow()).isFalse();
    }

    @Test
    void metrics_arePublishedForPrometheus() {
        expect(server.post("/v1/endpoints", Map.of("name", "metered", "model", "credit")), 201);
        expect(server.post("/v1/endpoints/metered/predict", ServingServer.instances(ServingServer.creditRows().subList(0, 1))), 200);

        String scrape = server.keel().metrics().scrape();

        assertThat(scrape).contains("keel_serving_requests_total{endpoint=\"metered\",outcome=\"success\",version=\"1\"} 1.0");
        assertThat(scrape).contains("keel_serving_latency_seconds_bucket{endpoint=\"metered\"");
        assertThat(scrape).contains("keel_serving_batch_rows_count{endpoint=\"metered\"");
    }
}
