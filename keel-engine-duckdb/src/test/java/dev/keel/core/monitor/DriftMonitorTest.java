package dev.keel.core.monitor;

import dev.keel.spi.event.EventSink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.monitor.stats.DriftStatistic;
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

/** How drift monitors decide: per-column verdicts, the headline they compare with their limit, and their inputs. */
class DriftMonitorTest {
    private static final List<String> FEATURES = List.of("duration", "credit_amount", "num_dependents");
    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

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

    private Monitoring monitoring(boolean schema) {
        Database database = Database.open("jdbc:sqlite:" + directory.resolve("keel.db"), "", "", 4);
        open.add(database);
        new Migrator(database).migrate();
        ProjectService projects = new ProjectService(database, clock);
        projects.ensureDefault();
        ModelRegistry registry = new ModelRegistry(database, new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new MonitoringTest.TestingRuntime())), projects, clock, EventSink.discarding());
        registry.createModel(ProjectService.DEFAULT, "credit", "test", PromotionGate.open(), "test");
        List<FeatureSpec> features = !schema ? List.of() : FEATURES.stream().map(name -> new FeatureSpec(name, "number", Optional.empty(),
                Optional.empty(), List.of(), false, Optional.empty())).toList();
        registry.registerVersion("credit", new byte[] {1}, new NewVersion("testing", features, Map.of(), Map.of(), null, "v1"), "test");
        Monitoring monitoring = Monitoring.openUnscheduled(MonitoringConfig.defaults(), directory, database, registry, clock);
        open.add(monitoring);
        return monitoring;
    }

    private static List<Map<String, Object>> credit() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!Files.exists(dir.resolve("examples/credit-g/credit-g.csv"))) {
            dir = dir.getParent();
        }
        List<String> lines = Files.readAllLines(dir.resolve("examples/credit-g/credit-g.csv"));
        List<String> header = List.of(lines.getFirst().split(",", -1));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            Map<String, Object> row = new LinkedHashMap<>();
            FEATURES.forEach(name -> row.put(name, Double.parseDouble(values[header.indexOf(name)])));
            row.put("checking_status", values[header.indexOf("checking_status")]);
            rows.add(row);
        }
        return rows;
    }

    /** Reference: even rows; window: the applicants with checking_status '<0' and duration >= 24 (shifted). */
    private void prepare(Monitoring monitoring) throws IOException {
        List<Map<String, Object>> rows = credit();
        List<Map<String, Object>> reference = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 2) {
            Map<String, Object> row = new LinkedHashMap<>(rows.get(i));
            row.remove("checking_status");
            reference.add(row);
        }
        monitoring.uploadReferenceRows("credit", "1", reference, "test");
        List<PredictionRecord> records = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (row.get("checking_status").equals("<0") && (double) row.get("duration") >= 24) {
                Map<String, Object> inputs = new LinkedHashMap<>(row);
                inputs.remove("checking_status");
                records.add(new PredictionRecord("r-" + records.size(), "credit-online", "credit", 1, START.plusSeconds(records.size()), 1.0,
                        inputs, Map.of("label", "good"), false, false));
            }
        }
        monitoring.ingest(records);
        clock.set(START.plus(Duration.ofHours(1)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static MonitorSpec spec(String name, String statistic, List<String> features, Optional<Double> limit) {
        return new MonitorSpec(name, "credit", Optional.empty(), statistic, features, "1h", limit, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    @Test
    void autoMonitor_headlineIsTheShareOfDriftedColumnsHeldToAShareLimit() throws IOException {
        Monitoring monitoring = monitoring(true);
        prepare(monitoring);
        MonitorResult result = monitoring.evaluate(monitoring.create(spec("auto", "auto", List.of(), Optional.empty()), "test").id());

        Map<String, Object> columns = map(result.detail().get("columns"));
        assertThat(columns.keySet()).containsExactlyElementsOf(FEATURES);
        for (Object column : columns.values()) {
            assertThat(map(column)).containsKeys("statistic", "value", "threshold", "drifted");
        }
        assertThat(map(columns.get("num_dependents")).get("statistic")).isEqualTo("z");
        assertThat(map(columns.get("duration")).get("statistic")).isEqualTo("ks");
        List<?> drifted = (List<?>) result.detail().get("drifted");
        double share = (double) drifted.size() / FEATURES.size();
        assertThat(result.value()).contains(share);
        assertThat(result.detail()).containsEntry("headline", "driftedShare").containsEntry("limit", 0.5);
        assertThat(result.state()).isEqualTo(share >= 0.5 ? Monitoring.BREACHED : Monitoring.OK);

        MonitorResult strict = monitoring.evaluate(monitoring.create(spec("auto-strict", "auto", List.of(), Optional.of(share)), "test").id());
        assertThat(strict.state()).isEqualTo(Monitoring.BREACHED);
        Breach breach = monitoring.breaches(Optional.of("credit"), Optional.of("auto-strict"), Optional.empty(), 10).getFirst();
        assertThat(breach.value()).contains(share);
        assertThat(breach.limit()).as("the breach compares like with like").isEqualTo(share);
        MonitorResult lenient = monitoring.evaluate(monitoring.create(spec("auto-lenient", "auto", List.of(), Optional.of(Math.min(1.0,
                share + 0.01))), "test").id());
        assertThat(lenient.state()).isEqualTo(Monitoring.OK);
    }

    @Test
    void zStatistic_isAcceptedAsAutoUsesIt() throws IOException {
        Monitoring monitoring = monitoring(true);
        prepare(monitoring);
        MonitorResult result = monitoring.evaluate(monitoring.create(spec("binary", "z", List.of("num_dependents"), Optional.empty()),
                "test").id());
        Map<String, Object> column = map(map(result.detail().get("columns")).get("num_dependents"));
        assertThat(column.get("statistic")).isEqualTo("z");
        assertThat(column).containsKey("pValue");
        assertThat(result.state()).isIn(Monitoring.OK, Monitoring.BREACHED);
    }

    @Test
    void emptyFeatures_onAModelWithoutFeatureSchema_watchesTheReferenceColumns() throws IOException {
        Monitoring monitoring = monitoring(false);
        prepare(monitoring);
        MonitorResult result = monitoring.evaluate(monitoring.create(spec("no-schema", "auto", List.of(), Optional.empty()), "test").id());
        assertThat(result.state()).as("%s", result.detail()).isIn(Monitoring.OK, Monitoring.BREACHED);
        assertThat(map(result.detail().get("columns")).keySet()).containsExactlyInAnyOrderElementsOf(FEATURES);
        DriftReport report = monitoring.driftReport("credit", Optional.empty(), START, START.plus(Duration.ofHours(1)));
        assertThat((List<?>) result.detail().get("drifted")).hasSize(report.drift().driftedColumns());
    }

    @Test
    void ksMonitor_driftsWhenThePValueEqualsTheLimit_asEvidently() throws IOException {
        Monitoring monitoring = monitoring(true);
        prepare(monitoring);
        MonitorResult first = monitoring.evaluate(monitoring.create(spec("ks-probe", "ks", List.of("credit_amount"), Optional.empty()), "test").id());
        double p = ((Number) map(map(first.detail().get("columns")).get("credit_amount")).get("pValue")).doubleValue();
        MonitorResult atLimit = monitoring.evaluate(monitoring.create(spec("ks-at", "ks", List.of("credit_amount"), Optional.of(p)), "test").id());
        assertThat(atLimit.state()).isEqualTo(Monitoring.BREACHED);
        assertThat(DriftStatistic.KOLMOGOROV_SMIRNOV.drifted(0.05, 0.05)).isTrue();
        assertThat(DriftStatistic.CHI_SQUARE.drifted(0.05, 0.05)).isFalse();
        assertThat(DriftStatistic.Z_TEST.drifted(0.05, 0.05)).isFalse();
    }
}
