package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.monitor.FeatureRow;
import dev.keel.core.monitor.PredictionLog;
import dev.keel.core.monitor.PredictionQuery;
import dev.keel.core.monitor.PredictionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Served predictions reach the prediction log, one record per row, with inputs named by the feature schema. */
class PredictionLoggingTest {
    @TempDir
    static Path directory;
    static ServingServer server;

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory);
        server.registerCredit("credit");
        server.promote("credit", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "scoring", "model", "credit", "alias", "champion")), 201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void predict_logsOneRecordPerRowWithNamedInputsAndClassProbabilities() throws InterruptedException {
        List<float[]> rows = ServingServer.creditRows().subList(0, 3);
        JsonNode answer = expect(server.post("/v1/endpoints/scoring/predict", ServingServer.instances(rows)), 200).body();
        String requestId = answer.path("requestId").asText();

        PredictionLog log = server.keel().monitoring().predictionLog();
        List<PredictionRecord> logged = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (logged.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            logged.clear();
            log.flush();
            log.scan(PredictionQuery.between("credit", Instant.EPOCH, Instant.now().plusSeconds(60)), record -> {
                if (record.requestId().startsWith(requestId + "/")) {
                    logged.add(record);
                }
            });
        }

        assertThat(logged).extracting(PredictionRecord::requestId)
                .containsExactlyInAnyOrder(requestId + "/0", requestId + "/1", requestId + "/2");
        List<String> features = ServingServer.creditFeatures();
        for (PredictionRecord record : logged) {
            int row = Integer.parseInt(record.requestId().substring(requestId.length() + 1));
            assertThat(record.endpoint()).isEqualTo("scoring");
            assertThat(record.version()).isEqualTo(1);
            assertThat(record.inputs()).isInstanceOf(FeatureRow.class);
            assertThat(record.inputs().keySet()).containsExactlyElementsOf(features);
            for (int column = 0; column < features.size(); column++) {
                assertThat(record.inputs().get(features.get(column))).isEqualTo(rows.get(row)[column]);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> probability = (Map<String, Object>) record.outputs().get("probability");
            assertThat(probability).containsOnlyKeys("good", "bad");
            double good = ((Number) probability.get("good")).doubleValue();
            double bad = ((Number) probability.get("bad")).doubleValue();
            assertThat(good + bad).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(record.outputs().get("label")).isEqualTo(good >= bad ? "good" : "bad");
        }
    }

    @Test
    void sampleRate_isSetPerEndpointAtRunTime_andAZeroRateLogsNothing() throws InterruptedException {
        assertThat(expect(server.get("/v1/endpoints/scoring/prediction-log"), 200).body().path("sampleRate").asDouble()).isEqualTo(1.0);
        PredictionLog log = server.keel().monitoring().predictionLog();
        try {
            JsonNode set = expect(server.put("/v1/endpoints/scoring/prediction-log", Map.of("sampleRate", 0)), 200).body();
            assertThat(set.path("sampleRate").asDouble()).isZero();
            long sampledOut = log.stats().sampledOut();
            long accepted = log.stats().accepted();
            expect(server.post("/v1/endpoints/scoring/predict", ServingServer.instances(ServingServer.creditRows().subList(0, 4))), 200);
            awaitStats(log, stats -> stats.sampledOut() == sampledOut + 4);
            assertThat(log.stats().accepted()).isEqualTo(accepted);
            assertThat(log.stats().sampledOut()).isEqualTo(sampledOut + 4);

            JsonNode refused = expect(server.put("/v1/endpoints/scoring/prediction-log", Map.of("sampleRate", 1.5)), 400).body();
            assertThat(refused.path("errors").get(0).path("field").asText()).isEqualTo("sampleRate");
            assertThat(refused.path("detail").asText()).contains("expected a number from 0 to 1");
            expect(server.put("/v1/endpoints/scoring/prediction-log", Map.of()), 400);
            expect(server.put("/v1/endpoints/nowhere/prediction-log", Map.of("sampleRate", 1)), 404);
            assertThat(log.sampleRate("scoring")).isZero();

            expect(server.put("/v1/endpoints/scoring/prediction-log", Map.of("sampleRate", 1)), 200);
            expect(server.post("/v1/endpoints/scoring/predict", ServingServer.instances(ServingServer.creditRows().subList(0, 1))), 200);
            awaitStats(log, stats -> stats.accepted() == accepted + 1);
            assertThat(log.stats().accepted()).isEqualTo(accepted + 1);
        } finally {
            log.sampleRate("scoring", 1.0);
        }
    }

    /** Predictions reach the log through a listener thread; waits (at most 20 s) until the counters show them. */
    private static void awaitStats(PredictionLog log, java.util.function.Predicate<PredictionLog.Stats> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.test(log.stats()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
