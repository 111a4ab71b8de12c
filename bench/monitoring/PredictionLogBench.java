import dev.keel.core.monitor.MonitoringConfig;
import dev.keel.core.monitor.PredictionLog;
import dev.keel.core.monitor.PredictionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the prediction log's writer costs per record: 200,000 records of 63 float inputs (the serving benchmark's forest)
 * written in batches of 10,000 as Parquet segments, three rounds, on one thread.
 * Usage (after ./keel version has built): java --enable-native-access=ALL-UNNAMED \
 *   -cp "keel-core/target/classes:keel-cli/target/lib/*" bench/monitoring/PredictionLogBench.java
 */
public class PredictionLogBench {
    public static void main(String[] args) throws Exception {
        Path directory = Files.createTempDirectory("keel-log-bench");
        int count = 200_000;
        Random random = new Random(1);
        List<PredictionRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> inputs = new LinkedHashMap<>();
            for (int feature = 0; feature < 63; feature++) {
                inputs.put("feature_" + feature, random.nextFloat() * 1000);
            }
            Map<String, Object> outputs = new LinkedHashMap<>();
            outputs.put("probability", Map.of("good", 0.3f, "bad", 0.7f));
            outputs.put("label", "bad");
            records.add(new PredictionRecord("request-" + i, "credit", "credit", 1, Instant.now(), 0.2, inputs, outputs, false, false));
        }
        try (PredictionLog log = PredictionLog.open(directory, MonitoringConfig.defaults())) {
            for (int round = 1; round <= 3; round++) {
                long start = System.nanoTime();
                for (int from = 0; from < count; from += 10_000) {
                    log.write(records.subList(from, from + 10_000));
                }
                System.out.printf("round %d: %.1f us per record written%n", round, (System.nanoTime() - start) / 1e3 / count);
            }
        }
    }
}
