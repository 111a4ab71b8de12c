package dev.keel.core.monitor;

import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.MonitorBreached;
import dev.keel.spi.event.EventSink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.Database;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.store.Migrator;
import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Monitoring end to end on real German credit rows, real DuckDB/Parquet, and SQLite and PostgreSQL for the tables. */
class MonitoringTest {
    private static final List<String> FEATURES = List.of("duration", "credit_amount", "age");
    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path directory;

    private final TestingClock clock = new TestingClock(START);
    private final List<AutoCloseable> open = new ArrayList<>();
    private String schema;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (schema != null) {
            try (var connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "")) {
                connection.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private Database database(String store) throws Exception {
        String url;
        if (store.equals("postgres")) {
            schema = "monitor_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (var connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "")) {
                connection.createStatement().execute("CREATE SCHEMA " + schema);
            }
            url = "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema;
        } else {
            url = "jdbc:sqlite:" + directory.resolve("keel.db");
        }
        Database database = Database.open(url, "postgres", "", 4);
        open.add(database);
        new Migrator(database).migrate();
        return database;
    }

    private final List<KeelEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Monitoring monitoring(Database database, MonitoringConfig config) {
        ProjectService projects = new ProjectService(database, clock);
        projects.ensureDefault();
        ModelRegistry registry = new ModelRegistry(database, new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new TestingRuntime())), projects, clock, EventSink.discarding());
        if (registry.findModel("credit").isEmpty()) {
            registry.createModel(ProjectService.DEFAULT, "credit", "test", PromotionGate.open(), "test");
            List<FeatureSpec> features = FEATURES.stream().map(name -> new FeatureSpec(name, "number", Optional.of(0.0),
                    Optional.of(name.equals("credit_amount") ? 20_000.0 : 80.0), List.of(), false, Optional.empty())).toList();
            registry.registerVersion("credit", new byte[] {1}, new NewVersion("testing", features, Map.of(), Map.of(), null, "v1"), "test");
        }
        Monitoring monitoring = Monitoring.openUnscheduled(config, directory, database, registry, clock, published::add);
        open.add(monitoring);
        return monitoring;
    }

    private static List<Map<String, String>> credit() throws IOException {
        Path file = Stream.of(Path.of("examples/credit-g/credit-g.csv"), Path.of("../examples/credit-g/credit-g.csv"))
                .filter(Files::exists).findFirst().orElseThrow();
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.getFirst().split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Object> inputs(Map<String, String> row) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        FEATURES.forEach(name -> inputs.put(name, Double.parseDouble(row.get(name))));
        return inputs;
    }

    private List<PredictionRecord> stream(List<Map<String, String>> rows, Instant from, String prefix) {
        List<PredictionRecord> records = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            String predicted = Double.parseDouble(row.get("duration")) > 24 ? "bad" : "good";
            records.add(new PredictionRecord(prefix + i, "credit-online", "credit", 1, from.plusSeconds(i), 2.5, inputs(row),
                    Map.of("label", predicted, "probability", predicted.equals("bad") ? 0.7 : 0.2), false, false));
        }
        return records;
    }

    private void uploadReference(Monitoring monitoring, List<Map<String, String>> rows) {
        List<Map<String, Object>> reference = rows.stream().map(MonitoringTest::inputs).toList();
        monitoring.uploadReferenceRows("credit", "1", reference, "test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void driftMonitor_breachesOnShiftedApplicantsButNotOnStationaryTraffic(String store) throws Exception {
        Monitoring monitoring = monitoring(database(store), MonitoringConfig.defaults());
        List<Map<String, String>> rows = credit();
        List<Map<String, String>> even = new ArrayList<>();
        List<Map<String, String>> odd = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (i % 2 == 0 ? even : odd).add(rows.get(i));
        }
        uploadReference(monitoring, even);
        Monitor monitor = monitoring.create(new MonitorSpec("credit-drift", "credit", Optional.empty(), "ks", List.of("duration", "credit_amount"),
                "1h", Optional.of(0.01), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "test");

        monitoring.ingest(stream(odd.subList(0, 300), START, "stationary-"));
        clock.set(START.plusSeconds(600));
        MonitorResult stationary = monitoring.evaluate(monitor.id());
        assertThat(stationary.state()).as("%s", stationary.detail()).isEqualTo(Monitoring.OK);
        assertThat(stationary.sampleSize()).isEqualTo(300);

        List<Map<String, String>> shifted = rows.stream()
                .filter(row -> row.get("checking_status").equals("<0") && Integer.parseInt(row.get("duration")) >= 24).toList();
        assertThat(shifted).hasSizeGreaterThan(50);
        Instant later = START.plus(Duration.ofHours(3));
        monitoring.ingest(stream(shifted, later, "shifted-"));
        clock.set(later.plusSeconds(900));
        MonitorResult drifting = monitoring.evaluate(monitor.id());
        assertThat(drifting.state()).as("%s", drifting.detail()).isEqualTo(Monitoring.BREACHED);
        assertThat(drifting.sampleSize()).isEqualTo(shifted.size());
        assertThat(drifting.detail().get("drifted").toString()).contains("duration");

        clock.set(later.plusSeconds(960));
        assertThat(monitoring.evaluate(monitor.id()).state()).isEqualTo(Monitoring.BREACHED);
        List<Breach> breaches = monitoring.breaches(Optional.of("credit"), Optional.empty(), Optional.empty(), 10);
        assertThat(breaches).hasSize(1);
        assertThat(breaches.getFirst().target()).contains("duration");
        assertThat(breaches.getFirst().limit()).isEqualTo(0.01);
        assertThat(published).filteredOn(MonitorBreached.class::isInstance).map(MonitorBreached.class::cast).singleElement()
                .satisfies(event -> {
                    assertThat(event.breachId()).isEqualTo(breaches.getFirst().id());
                    assertThat(event.monitor()).isEqualTo("credit-drift");
                    assertThat(event.model()).isEqualTo("credit");
                    assertThat(event.project()).contains(ProjectService.DEFAULT);
                    assertThat(event.target()).contains("duration");
                    assertThat(event.limit()).isEqualTo(0.01);
                });
        assertThat(monitoring.results(monitor.id(), Optional.empty(), Optional.empty(), 10)).extracting(MonitorResult::state)
                .containsExactly(Monitoring.BREACHED, Monitoring.BREACHED, Monitoring.OK);
        assertThat(monitoring.require("credit-drift").state()).isEqualTo(Monitoring.BREACHED);

        DriftReport report = monitoring.driftReport("credit", Optional.empty(), later, later.plusSeconds(900));
        assertThat(report.drift().columns().get("duration").drifted()).isTrue();
        assertThat(report.currentRows()).isEqualTo(shifted.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void accuracyMonitor_joinsLabelsArrivingLaterByRequestId(String store) throws Exception {
        Monitoring monitoring = monitoring(database(store), MonitoringConfig.defaults());
        List<Map<String, String>> rows = credit().subList(0, 200);
        List<PredictionRecord> records = stream(rows, START, "req-");
        monitoring.ingest(records);
        Monitor monitor = monitoring.create(new MonitorSpec("credit-accuracy", "credit", Optional.of(1), "accuracy", List.of(), "1000 predictions",
                Optional.of(0.9), Optional.of("bad"), Optional.empty(), Optional.empty(), Optional.empty()), "test");
        clock.set(START.plus(Duration.ofDays(1)));
        assertThat(monitoring.evaluate(monitor.id()).state()).isEqualTo(Monitoring.NO_DATA);

        List<GroundTruth> truths = new ArrayList<>();
        long correct = 0;
        for (int i = 0; i < 150; i++) {
            String actual = rows.get(i).get("class");
            truths.add(new GroundTruth("req-" + i, Optional.of(actual), java.util.OptionalDouble.empty(), START.plus(Duration.ofDays(2))));
            if (actual.equals(records.get(i).outputs().get("label"))) {
                correct++;
            }
        }
        monitoring.labels().record(truths, "test");
        clock.set(START.plus(Duration.ofDays(3)));
        MonitorResult result = monitoring.evaluate(monitor.id());
        assertThat(result.sampleSize()).isEqualTo(150);
        assertThat(result.detail()).containsEntry("unlabelled", 50L);
        double expected = correct / 150.0;
        assertThat(result.value()).hasValueSatisfying(value -> assertThat(value).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12)));
        assertThat(result.state()).isEqualTo(Monitoring.BREACHED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void accuracyMonitor_joinsOnlyTheLabelsOfItsOwnProject(String store) throws Exception {
        Monitoring monitoring = monitoring(database(store), MonitoringConfig.defaults());
        List<Map<String, String>> rows = credit().subList(0, 200);
        monitoring.ingest(stream(rows, START, "req-"));
        Monitor monitor = monitoring.create(new MonitorSpec("credit-accuracy", "credit", Optional.of(1), "accuracy", List.of(), "1000 predictions",
                Optional.of(0.9), Optional.of("bad"), Optional.empty(), Optional.empty(), Optional.empty()), "test");
        List<GroundTruth> poison = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            poison.add(new GroundTruth("req-" + i, Optional.of("good"), java.util.OptionalDouble.empty(), START.plus(Duration.ofDays(2))));
        }

        monitoring.labels().record(Map.of("elsewhere", poison), "other project");
        clock.set(START.plus(Duration.ofDays(3)));
        MonitorResult result = monitoring.evaluate(monitor.id());

        assertThat(monitor.project()).isEqualTo("default");
        assertThat(result.sampleSize()).isZero();
        assertThat(result.detail()).containsEntry("unlabelled", 200L);
        assertThat(result.state()).isEqualTo(Monitoring.NO_DATA);
    }

    @Test
    void predictionLog_keepsOfferedRecordsAcrossCloseAndReopen() throws Exception {
        MonitoringConfig config = MonitoringConfig.defaults();
        Path logDirectory = directory.resolve("predictions");
        List<PredictionRecord> records = stream(credit().subList(0, 250), START, "durable-");
        PredictionLog log = PredictionLog.open(logDirectory, config);
        records.forEach(log::accept);
        log.close();
        Path leftover = logDirectory.resolve("credit-online").resolve("2026-11-20").resolve(".partial.parquet.tmp");
        Files.writeString(leftover, "half a segment");

        try (PredictionLog reopened = PredictionLog.open(logDirectory, config)) {
            assertThat(leftover).doesNotExist();
            List<PredictionRecord> read = new ArrayList<>();
            reopened.scan(PredictionQuery.between("credit", START, START.plus(Duration.ofDays(1))), read::add);
            assertThat(read).containsExactlyElementsOf(records);
            List<PredictionRecord> lastTen = new ArrayList<>();
            reopened.scan(PredictionQuery.last("credit", 10, START.plus(Duration.ofDays(1))), lastTen::add);
            assertThat(lastTen).extracting(PredictionRecord::requestId).first().isEqualTo("durable-249");
        }
    }

    @Test
    void predictionLog_storesFloatRowsAsAListColumn_andReadsEveryFormBackInOneScan() throws Exception {
        Path logDirectory = directory.resolve("predictions");
        FeatureRow.Names wide = FeatureRow.Names.of(FEATURES);
        FeatureRow.Names narrow = FeatureRow.Names.of(List.of("duration", "age"));
        List<PredictionRecord> records = new ArrayList<>();
        List<Map<String, String>> rows = credit().subList(0, 60);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            float duration = Float.parseFloat(row.get("duration"));
            float age = Float.parseFloat(row.get("age"));
            Map<String, Object> inputs = switch (i % 3) {
                case 0 -> new FeatureRow(wide, new float[] {duration, Float.parseFloat(row.get("credit_amount")), age});
                case 1 -> new FeatureRow(narrow, new float[] {duration, age});
                default -> inputs(row);
            };
            records.add(new PredictionRecord("mixed-" + i, i % 2 == 0 ? "credit-online" : "credit-branch", "credit", 1 + i % 3,
                    START.plusSeconds(i), 1.5, inputs, Map.of("label", duration > 24 ? "bad" : "good"), false, false));
        }
        // a segment written before inputs could be stored as a list of floats: no input_names or input_values columns
        Path old = Files.createDirectories(logDirectory.resolve("credit-online").resolve("2026-11-20")).resolve("0000000000000-1-000001.parquet");
        try (var duck = DriverManager.getConnection("jdbc:duckdb:"); var statement = duck.createStatement()) {
            statement.execute("COPY (SELECT 'old-0' AS request_id, 'credit-online' AS endpoint, 'credit' AS model, 1 AS version, "
                    + START.minusSeconds(1).toEpochMilli() + "::BIGINT AS time_ms, 2.0::DOUBLE AS latency_ms, false AS fallback, false AS shadow, "
                    + "'{\"duration\":6.0}' AS inputs, '{\"label\":\"good\"}' AS outputs) TO '" + old + "' (FORMAT parquet)");
        }

        try (PredictionLog log = PredictionLog.open(logDirectory, MonitoringConfig.defaults())) {
            log.write(records);
            List<PredictionRecord> read = new ArrayList<>();
            log.scan(PredictionQuery.between("credit", START.minusSeconds(10), START.plus(Duration.ofHours(1))), read::add);

            assertThat(read).hasSize(61);
            assertThat(read.getFirst().requestId()).isEqualTo("old-0");
            assertThat(read.getFirst().inputs()).containsExactlyEntriesOf(Map.of("duration", 6.0));
            assertThat(read.subList(1, 61)).containsExactlyElementsOf(records);
            assertThat(read.get(1).inputs()).isInstanceOf(FeatureRow.class);
            assertThat(read.get(2).inputs()).isInstanceOf(FeatureRow.class).containsOnlyKeys("duration", "age");
            assertThat(read.get(3).inputs()).isNotInstanceOf(FeatureRow.class);
        }
        try (var duck = DriverManager.getConnection("jdbc:duckdb:"); var statement = duck.createStatement();
             var result = statement.executeQuery("SELECT input_names, input_values[2] FROM read_parquet('" + logDirectory
                     + "/credit-online/*/*.parquet', union_by_name = true) WHERE request_id = 'mixed-0'")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString(1)).isEqualTo("[\"duration\",\"credit_amount\",\"age\"]");
            assertThat(result.getFloat(2)).isEqualTo(Float.parseFloat(rows.getFirst().get("credit_amount")));
        }
    }

    @Test
    void predictionLog_whenQueueIsFull_dropsAndCountsWithoutBlocking() throws Exception {
        MonitoringConfig config = new MonitoringConfig(true, Duration.ofMinutes(1), 30, 4, 4, Duration.ofMillis(50), 1.0, Map.of("sampled", 0.5));
        List<PredictionRecord> records = stream(credit(), START, "burst-");
        PredictionLog log = PredictionLog.open(directory.resolve("predictions"), config);
        open.add(log);
        records.forEach(log::offer);
        log.flush();
        PredictionLog.Stats stats = log.stats();
        assertThat(stats.accepted() + stats.dropped()).isEqualTo(records.size());
        assertThat(stats.dropped()).isPositive();
        log.close();
        assertThat(log.stats().written()).isEqualTo(stats.accepted());
    }

    @Test
    void predictionLog_samplesEachEndpointAtItsRate_consistentlyByRequestId() {
        MonitoringConfig config = new MonitoringConfig(true, Duration.ofMinutes(1), 30, 100_000, 1000, Duration.ofSeconds(1), 1.0,
                Map.of("sampled", 0.25));
        try (PredictionLog log = PredictionLog.open(directory.resolve("predictions"), config)) {
            int kept = 0;
            for (int i = 0; i < 4000; i++) {
                PredictionRecord record = new PredictionRecord("r" + i, "sampled", "credit", 1, START, 1, Map.of(), Map.of(), false, false);
                if (log.offer(record)) {
                    kept++;
                }
            }
            assertThat(kept).isBetween(850, 1150);
            assertThat(log.stats().sampledOut()).isEqualTo(4000 - kept);
        }
    }

    /** A clock the test moves. */
    static final class TestingClock extends Clock {
        private volatile Instant now;

        TestingClock(Instant now) {
            this.now = now;
        }

        void set(Instant value) {
            now = value;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A runtime whose models take three float columns. */
    static final class TestingRuntime implements ModelRuntime {
        @Override
        public String format() {
            return "testing";
        }

        @Override
        public ModelSignature inspect(byte[] artifact) {
            return new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, 3)),
                    List.of(new TensorSpec("probability", DataType.FP32, -1, 2)));
        }

        @Override
        public LoadedModel load(byte[] artifact, RuntimeOptions options) {
            throw new UnsupportedOperationException("the testing runtime does not score");
        }
    }
}
