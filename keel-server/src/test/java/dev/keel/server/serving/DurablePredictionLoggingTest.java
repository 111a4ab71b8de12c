package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.monitor.PredictionLog;
import dev.keel.core.monitor.PredictionQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With monitoring.log-durability: durable, a prediction's records are in a segment on disk by the time it is answered. */
class DurablePredictionLoggingTest {
    @TempDir
    static Path directory;
    static ServingServer server;

    @BeforeAll
    static void start() {
        server = ServingServer.start(directory, Map.of("KEEL_MONITORING_LOG_DURABILITY", "durable"));
        server.registerCredit("credit");
        server.promote("credit", "champion", 1);
        expect(server.post("/v1/endpoints", Map.of("name", "scoring", "model", "credit", "alias", "champion")), 201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<Path> segments() throws Exception {
        try (Stream<Path> files = Files.walk(directory.resolve("predictions"))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".parquet")).toList();
        }
    }

    @Test
    void everyAnsweredPrediction_isAlreadyInASegment_withNothingQueued() throws Exception {
        PredictionLog log = server.keel().monitoring().predictionLog();
        assertThat(log.durable()).isTrue();
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            String requestId = expect(server.post("/v1/endpoints/scoring/predict", ServingServer.instances(ServingServer.creditRows()
                    .subList(i, i + 1))), 200).body().path("requestId").asText();
            answered.add(requestId);
            // no flush, no wait: the answer came after the write
            assertThat(log.stats().queued()).isZero();
            Set<String> logged = new HashSet<>();
            log.scan(PredictionQuery.between("credit", Instant.EPOCH, Instant.now().plusSeconds(60)), record -> logged.add(record.requestId()));
            assertThat(logged).containsAll(answered);
        }
        assertThat(segments()).isNotEmpty();
        assertThat(log.stats().written()).isEqualTo(log.stats().accepted());
    }
}
