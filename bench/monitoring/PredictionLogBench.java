import dev.keel.core.monitor.FeatureRow;
import dev.keel.core.monitor.MonitoringConfig;
import dev.keel.core.monitor.PredictionLog;
import dev.keel.core.monitor.PredictionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.IntStream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * What the prediction log's writer costs per record: 200,000 records of 63 float inputs (the serving benchmark's forest)
 * written in batches of 10,000 as Parquet segments, on one thread, three rounds each of
 *   (a) the log, inputs as a FeatureRow (stored as a list of floats: how a served float tensor is logged);
 *   (b) the log, inputs as a map of name to value (stored as JSON text: how inputs of mixed types are logged);
 *   (c) the same records as (a) through DuckDB (one thread): appender into a table, COPY to Parquet (snappy), fsync.
 * Usage (after ./keel version has built): java --enable-native-access=ALL-UNNAMED \
 *   -cp "keel-core/target/classes:keel-cli/target/lib/*" bench/monitoring/PredictionLogBench.java
 */
public class PredictionLogBench {
    private static final int BATCH = 10_000;

    public static void main(String[] args) throws Exception {
        int count = 200_000;
        int width = 63;
        List<String> features = IntStream.range(0, width).mapToObj(i -> "feature_" + i).toList();
        FeatureRow.Names names = FeatureRow.Names.of(features);
        Random random = new Random(1);
        List<PredictionRecord> asMaps = new ArrayList<>();
        List<PredictionRecord> asRows = new ArrayList<>();
        List<float[]> raw = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] values = new float[width];
            Map<String, Object> inputs = new LinkedHashMap<>();
            for (int feature = 0; feature < width; feature++) {
                values[feature] = random.nextFloat() * 1000;
                inputs.put(features.get(feature), values[feature]);
            }
            raw.add(values);
            Map<String, Object> outputs = new LinkedHashMap<>();
            outputs.put("probability", Map.of("good", 0.3f, "bad", 0.7f));
            outputs.put("label", "bad");
            Instant now = Instant.now();
            asMaps.add(new PredictionRecord("request-" + i, "credit", "credit", 1, now, 0.2, inputs, outputs, false, false));
            asRows.add(new PredictionRecord("request-" + i, "credit", "credit", 1, now, 0.2, new FeatureRow(names, values), outputs,
                    false, false));
        }
        String namesJson = "[\"" + String.join("\",\"", features) + "\"]";
        System.out.println("| round | (a) log, float rows, µs/record | (b) log, map inputs, µs/record | (c) DuckDB appender + COPY, µs/record |");
        System.out.println("|---|---|---|---|");
        for (int round = 1; round <= 3; round++) {
            System.out.printf("| %d | %.1f | %.1f | %.1f |%n", round, perRecord(asRows), perRecord(asMaps), duckdb(asRows, raw, namesJson));
        }
    }

    private static double perRecord(List<PredictionRecord> records) throws Exception {
        Path directory = Files.createTempDirectory("keel-log-bench");
        try (PredictionLog log = PredictionLog.open(directory, MonitoringConfig.defaults())) {
            long start = System.nanoTime();
            for (int from = 0; from < records.size(); from += BATCH) {
                log.write(records.subList(from, from + BATCH));
            }
            return (System.nanoTime() - start) / 1e3 / records.size();
        } finally {
            delete(directory);
        }
    }

    private static double duckdb(List<PredictionRecord> records, List<float[]> raw, String namesJson) throws Exception {
        Path directory = Files.createTempDirectory("keel-log-bench-duckdb");
        Properties settings = new Properties();
        settings.setProperty("threads", "1");
        try (DuckDBConnection duck = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", settings);
             Statement statement = duck.createStatement()) {
            long start = System.nanoTime();
            for (int from = 0; from < records.size(); from += BATCH) {
                statement.execute("CREATE TABLE segment (request_id VARCHAR, endpoint VARCHAR, model VARCHAR, version INTEGER, "
                        + "time_ms BIGINT, latency_ms DOUBLE, fallback BOOLEAN, shadow BOOLEAN, outputs VARCHAR, input_names VARCHAR, "
                        + "input_values FLOAT[])");
                try (DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "segment")) {
                    for (int row = from; row < from + BATCH; row++) {
                        PredictionRecord record = records.get(row);
                        appender.beginRow();
                        appender.append(record.requestId());
                        appender.append(record.endpoint());
                        appender.append(record.model());
                        appender.append(record.version());
                        appender.append(record.time().toEpochMilli());
                        appender.append(record.latencyMillis());
                        appender.append(record.fallback());
                        appender.append(record.shadow());
                        appender.append("{\"probability\":{\"good\":0.3,\"bad\":0.7},\"label\":\"bad\"}");
                        appender.append(namesJson);
                        appender.append(raw.get(row));
                        appender.endRow();
                    }
                }
                Path file = directory.resolve("segment-" + from + ".parquet");
                statement.execute("COPY segment TO '" + file + "' (FORMAT parquet, COMPRESSION snappy)");
                statement.execute("DROP TABLE segment");
                try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
            return (System.nanoTime() - start) / 1e3 / records.size();
        } finally {
            delete(directory);
        }
    }

    private static void delete(Path directory) throws Exception {
        try (var files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
