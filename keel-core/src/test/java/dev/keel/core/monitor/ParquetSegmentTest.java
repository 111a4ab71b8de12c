package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments written by {@link ParquetSegment} read back, value for value, through DuckDB's Parquet reader. */
class ParquetSegmentTest {
    @TempDir
    Path directory;

    @Test
    void everyColumnReadsBackThroughDuckDb_acrossNullsEmptyListsManyDictionaryValuesAndBitPackedBooleans() throws Exception {
        Random random = new Random(7);
        List<FeatureRow.Names> layouts = new ArrayList<>();
        for (int layout = 0; layout < 300; layout++) {
            layouts.add(FeatureRow.Names.of(List.of("f" + layout + "_a", "f" + layout + "_ü", "f" + layout + "_c")));
        }
        FeatureRow.Names none = FeatureRow.Names.of(List.of());
        List<PredictionRecord> records = new ArrayList<>();
        List<String> inputsJson = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            Map<String, Object> inputs;
            String json = null;
            switch (i % 4) {
                case 0 -> inputs = new FeatureRow(layouts.get(random.nextInt(layouts.size())),
                        new float[] {random.nextFloat(), -random.nextFloat() * 1e6f, i == 0 ? Float.NaN : i});
                case 1 -> inputs = new FeatureRow(none, new float[0]);
                default -> {
                    inputs = new LinkedHashMap<>();
                    inputs.put("purpose", i % 3 == 0 ? "radio/tv" : "naïve \"quoted\" ✓");
                    json = FlatJson.write(inputs);
                }
            }
            inputsJson.add(json);
            records.add(new PredictionRecord("req-" + i + "-" + "x".repeat(i % 40), "endpoint-" + (i % 3), "model-" + (i % 700), 1 + i % 5,
                    Instant.ofEpochMilli(1_795_000_000_000L + i * 37L), i * 0.25, inputs, Map.of("label", i % 2 == 0 ? "good" : "bad"),
                    random.nextBoolean(), i % 7 == 0));
        }
        ParquetSegment segment = new ParquetSegment();
        segment.add(records.getFirst(), inputsJson.getFirst(), "{\"stale\":true}");
        segment.clear();
        for (int i = 0; i < records.size(); i++) {
            segment.add(records.get(i), inputsJson.get(i), FlatJson.write(records.get(i).outputs()));
        }
        Path file = directory.resolve("segment.parquet");
        try (OutputStream out = Files.newOutputStream(file)) {
            segment.writeTo(out);
        }

        try (var duck = DriverManager.getConnection("jdbc:duckdb:"); var statement = duck.createStatement();
             ResultSet rows = statement.executeQuery("SELECT request_id, endpoint, model, version, time_ms, latency_ms, fallback, shadow, "
                     + "inputs, outputs, input_names, input_values FROM read_parquet('" + file + "')")) {
            int i = 0;
            while (rows.next()) {
                PredictionRecord record = records.get(i);
                assertThat(rows.getString(1)).isEqualTo(record.requestId());
                assertThat(rows.getString(2)).isEqualTo(record.endpoint());
                assertThat(rows.getString(3)).isEqualTo(record.model());
                assertThat(rows.getInt(4)).isEqualTo(record.version());
                assertThat(rows.getLong(5)).isEqualTo(record.time().toEpochMilli());
                assertThat(rows.getDouble(6)).isEqualTo(record.latencyMillis());
                assertThat(rows.getBoolean(7)).as("fallback of row %d", i).isEqualTo(record.fallback());
                assertThat(rows.getBoolean(8)).as("shadow of row %d", i).isEqualTo(record.shadow());
                assertThat(rows.getString(9)).isEqualTo(inputsJson.get(i));
                assertThat(rows.getString(10)).isEqualTo(FlatJson.write(record.outputs()));
                if (record.inputs() instanceof FeatureRow row) {
                    assertThat(rows.getString(11)).isEqualTo(row.names().json());
                    Array values = rows.getArray(12);
                    Object[] stored = (Object[]) values.getArray();
                    assertThat(stored).hasSize(row.floats().length);
                    for (int v = 0; v < stored.length; v++) {
                        assertThat(Float.floatToRawIntBits((Float) stored[v])).isEqualTo(Float.floatToRawIntBits(row.floats()[v]));
                    }
                } else {
                    assertThat(rows.getString(11)).isNull();
                    assertThat(rows.getArray(12)).isNull();
                }
                i++;
            }
            assertThat(i).isEqualTo(records.size());
        }
    }
}
