package dev.keel.core.monitor;

import dev.keel.spi.event.EventSink;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.core.monitor.stats.ColumnDrift;
import dev.keel.core.monitor.stats.DriftResult;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.Database;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.store.Migrator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drift as monitors and drift reports compute it on logged predictions, against SciPy's values for the same German credit
 * rows (build/fixtures/stats/monitor_drift.json, made by make_monitor_drift.py). Below the exact bound the values must
 * agree to 1e-9; above it, the summaries' values must lie within the error bound they state.
 */
class MonitorDriftMatchesScipyTest {
    private static final List<String> FEATURES = List.of("duration", "credit_amount", "age");
    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");
    private static final double RELATIVE = 1e-9;

    @TempDir
    Path directory;

    private final MonitoringTest.TestingClock clock = new MonitoringTest.TestingClock(START);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("build/fixtures/stats"))) {
            dir = dir.getParent();
        }
        return java.util.Objects.requireNonNull(dir, "build/fixtures/stats not found");
    }

    private static JsonNode fixture() throws IOException {
        return new ObjectMapper().readTree(root().resolve("build/fixtures/stats/monitor_drift.json").toFile());
    }

    private Monitoring monitoring(MonitoringConfig config) {
        Database database = Database.open("jdbc:sqlite:" + directory.resolve("keel-" + open.size() + ".db"), "", "", 4);
        open.add(database);
        new Migrator(database).migrate();
        ProjectService projects = new ProjectService(database, clock);
        projects.ensureDefault();
        ModelRegistry registry = new ModelRegistry(database, new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new MonitoringTest.TestingRuntime())), projects, clock, EventSink.discarding());
        registry.createModel(ProjectService.DEFAULT, "credit", "test", PromotionGate.open(), "test");
        List<FeatureSpec> features = FEATURES.stream().map(name -> new FeatureSpec(name, "number", Optional.empty(), Optional.empty(),
                List.of(), false, Optional.empty())).toList();
        registry.registerVersion("credit", new byte[] {1}, new NewVersion("testing", features, Map.of(), Map.of(), null, "v1"), "test");
        Monitoring monitoring = Monitoring.openUnscheduled(config, directory.resolve("data-" + open.size()), database, registry, clock);
        open.add(monitoring);
        return monitoring;
    }

    private static List<Map<String, String>> credit() throws IOException {
        List<String> lines = Files.readAllLines(root().resolve("examples/credit-g/credit-g.csv"));
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

    private static List<Map<String, String>> window(List<Map<String, String>> rows, String name) {
        if (name.equals("stationary")) {
            List<Map<String, String>> odd = new ArrayList<>();
            for (int i = 1; i < rows.size(); i += 2) {
                odd.add(rows.get(i));
            }
            return odd;
        }
        return rows.stream().filter(row -> row.get("checking_status").equals("<0") && Integer.parseInt(row.get("duration")) >= 24).toList();
    }

    /** Logs the window as predictions and uploads the even rows as the reference. */
    private void prepare(Monitoring monitoring, String name) throws IOException {
        List<Map<String, String>> rows = credit();
        List<Map<String, Object>> reference = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 2) {
            reference.add(inputs(rows.get(i)));
        }
        monitoring.uploadReferenceRows("credit", "1", reference, "test");
        List<Map<String, String>> current = window(rows, name);
        List<PredictionRecord> records = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            records.add(new PredictionRecord(name + "-" + i, "credit-online", "credit", 1, START.plusSeconds(i), 1.0, inputs(current.get(i)),
                    Map.of("label", "good"), false, false));
        }
        monitoring.ingest(records);
        clock.set(START.plus(Duration.ofHours(1)));
    }

    private static void assertClose(String what, double actual, double expected) {
        assertThat(Math.abs(actual - expected)).as("%s: actual %s, expected %s", what, actual, expected)
                .isLessThanOrEqualTo(RELATIVE * Math.max(Math.abs(expected), 1e-300));
    }

    @Test
    void fixture_coversBothWindowsAndEveryFeature() throws IOException {
        JsonNode windows = fixture().get("windows");
        assertThat(windows.get("stationary").get("columns").size()).isEqualTo(3);
        assertThat(windows.get("shifted").get("columns").size()).isEqualTo(3);
        assertThat(windows.get("stationary").get("rows").asInt()).isEqualTo(500);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stationary", "shifted"})
    void driftReport_ksAndWassersteinAreKs2sampAndScipyOnTheSamples(String name) throws IOException {
        JsonNode expected = fixture().get("windows").get(name).get("columns");
        Monitoring monitoring = monitoring(MonitoringConfig.defaults());
        prepare(monitoring, name);
        DriftReport report = monitoring.driftReport("credit", Optional.of(1), START, START.plus(Duration.ofHours(1)));
        for (String feature : FEATURES) {
            DriftResult result = report.drift().columns().get(feature).result();
            assertThat(result.statistic().id()).as(feature).isEqualTo("ks");
            assertThat(result.exact()).as(feature).isTrue();
            assertClose(feature + " D", result.value(), expected.get(feature).get("ks").get("statistic").asDouble());
            assertClose(feature + " p", result.pValue().orElseThrow(), expected.get(feature).get("ks").get("pvalue").asDouble());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ks", "wasserstein", "jensen_shannon"})
    void monitor_everyStatisticIsScipysOnTheSamples(String statistic) throws IOException {
        JsonNode expected = fixture().get("windows").get("stationary").get("columns");
        Monitoring monitoring = monitoring(MonitoringConfig.defaults());
        prepare(monitoring, "stationary");
        Monitor monitor = monitoring.create(new MonitorSpec("drift-" + statistic.replace('_', '-'), "credit", Optional.empty(), statistic,
                List.of(), "1h", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "test");
        MonitorResult result = monitoring.evaluate(monitor.id());
        Map<?, ?> columns = (Map<?, ?>) result.detail().get("columns");
        for (String feature : FEATURES) {
            Map<?, ?> column = (Map<?, ?>) columns.get(feature);
            assertThat(column.get("exact")).as(feature).isEqualTo(true);
            double value = ((Number) column.get("value")).doubleValue();
            switch (statistic) {
                case "ks" -> {
                    assertClose(feature, value, expected.get(feature).get("ks").get("statistic").asDouble());
                    assertClose(feature, ((Number) column.get("pValue")).doubleValue(), expected.get(feature).get("ks").get("pvalue").asDouble());
                }
                case "wasserstein" -> assertClose(feature, value, expected.get(feature).get("wasserstein").asDouble());
                default -> assertClose(feature, value, expected.get(feature).get("jensenshannon_base2").asDouble());
            }
        }
    }

    @Test
    void jensenShannon_inNaturalLogOnRequest() throws IOException {
        JsonNode expected = fixture().get("windows").get("shifted").get("columns");
        Monitoring monitoring = monitoring(MonitoringConfig.defaults().withJensenShannonBase(Math.E));
        prepare(monitoring, "shifted");
        Monitor monitor = monitoring.create(new MonitorSpec("drift-js", "credit", Optional.empty(), "jensen_shannon", List.of(), "1h",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "test");
        Map<?, ?> columns = (Map<?, ?>) monitoring.evaluate(monitor.id()).detail().get("columns");
        for (String feature : FEATURES) {
            assertClose(feature, ((Number) ((Map<?, ?>) columns.get(feature)).get("value")).doubleValue(),
                    expected.get(feature).get("jensenshannon").asDouble());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stationary", "shifted"})
    void aboveTheBound_summariesStateAnErrorBoundThatHoldsTheExactValue(String name) throws IOException {
        JsonNode expected = fixture().get("windows").get(name).get("columns");
        Monitoring monitoring = monitoring(MonitoringConfig.defaults().withExactDriftMaxValues(100));
        prepare(monitoring, name);
        for (String statistic : List.of("ks", "wasserstein", "jensen_shannon")) {
            Monitor monitor = monitoring.create(new MonitorSpec("approx-" + statistic.replace('_', '-'), "credit", Optional.empty(), statistic,
                    List.of(), "1h", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "test");
            Map<?, ?> columns = (Map<?, ?>) monitoring.evaluate(monitor.id()).detail().get("columns");
            for (String feature : FEATURES) {
                Map<?, ?> column = (Map<?, ?>) columns.get(feature);
                String what = statistic + " " + feature + " " + column;
                // duration and age are whole numbers, each in a bin of its own, where the summaries are exact; credit
                // amounts are not
                if (feature.equals("credit_amount")) {
                    assertThat(column.get("exact")).as(what).isEqualTo(false);
                }
                double value = ((Number) column.get("value")).doubleValue();
                double error = column.get("exact").equals(true) ? 0.0 : ((Number) column.get("maxError")).doubleValue();
                double exact = switch (statistic) {
                    case "ks" -> expected.get(feature).get("ks").get("statistic").asDouble();
                    case "wasserstein" -> expected.get(feature).get("wasserstein").asDouble();
                    default -> expected.get(feature).get("jensenshannon_base2").asDouble();
                };
                assertThat(Math.abs(value - exact)).as(what).isLessThanOrEqualTo(error + 1e-9 * Math.abs(exact));
                if (statistic.equals("ks")) {
                    double p = ((Number) column.get("pValue")).doubleValue();
                    double pError = error == 0 ? 1e-9 : ((Number) column.get("pValueMaxError")).doubleValue();
                    assertThat(Math.abs(p - expected.get(feature).get("ks").get("pvalue").asDouble())).as(what)
                            .isLessThanOrEqualTo(pError + 1e-12);
                }
            }
        }
    }

    @Test
    void driftReport_statesExactnessPerColumn() throws IOException {
        Monitoring monitoring = monitoring(MonitoringConfig.defaults().withExactDriftMaxValues(100));
        prepare(monitoring, "stationary");
        DriftReport report = monitoring.driftReport("credit", Optional.of(1), START, START.plus(Duration.ofHours(1)));
        ColumnDrift amount = report.drift().columns().get("credit_amount");
        assertThat(amount.result().exact()).isFalse();
        assertThat(amount.result().maxError().orElseThrow()).isPositive().isLessThan(0.05);
        assertThat(report.drift().columns().get("duration").result().exact()).isTrue();
    }
}
