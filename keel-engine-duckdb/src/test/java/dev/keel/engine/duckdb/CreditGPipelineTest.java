package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RowAccounting;
import dev.keel.core.data.RunStatus;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.TableData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo pipeline (examples/pipelines/credit-g.yaml) on the real German credit data. */
class CreditGPipelineTest {
    private static final Path SPEC = Path.of("..", "examples", "pipelines", "credit-g.yaml");
    /** The German credit data committed with the example (see examples/credit-g/README.md for source and licence). */
    private static final Path CSV = Path.of("..", "examples", "credit-g", "credit-g.csv");

    @TempDir
    Path directory;

    @Test
    void creditG_cleanData_publishesFeaturesWithBalancedBooks() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.copy(CSV, "examples/credit-g/credit-g.csv");

        PipelineRun run = harness.run(Files.readString(SPEC));

        assertThat(run.error()).isEmpty();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.accounting()).isEqualTo(new RowAccounting(1000, 1000, 0, 0, 0));
        assertThat(run.datasets()).containsExactly("credit-g-features@1");
        DatasetVersion features = harness.service.dataset("credit-g-features", 1);
        assertThat(features.rows()).isEqualTo(1000);
        assertThat(features.sourceFingerprints()).containsKey("applications");
        assertThat(features.runId()).isEqualTo(run.id());
        DatasetProfile profile = features.profile();
        assertThat(profile.columns()).extracting(DatasetProfile.ColumnProfile::name).containsExactly("duration", "credit_amount",
                "installment_commitment", "residence_since", "age", "existing_credits", "num_dependents", "checking_status_lt_0",
                "checking_status_no_checking", "credit_history_critical", "savings_status_lt_100", "bad");
        // Reference values computed with pandas on the same CSV: 300 bad of 1000, ages 19..75, duration mean 20.903.
        assertThat(profile.column("bad").orElseThrow().mean().orElseThrow()).isCloseTo(0.3, within(1e-9));
        assertThat(profile.column("age").orElseThrow().min()).contains("19");
        assertThat(profile.column("age").orElseThrow().max()).contains("75");
        assertThat(profile.column("duration").orElseThrow().mean().orElseThrow()).isCloseTo(20.903, within(1e-9));
        assertThat(profile.column("credit_amount").orElseThrow().quantiles())
                .usingElementComparator((left, right) -> Math.abs(left - right) < 1e-6 ? 0 : Double.compare(left, right))
                .containsExactly(425.83, 708.95, 1365.5, 2319.5, 3972.25, 9162.7, 14180.39);
        assertThat(profile.column("checking_status_lt_0").orElseThrow().mean().orElseThrow()).isCloseTo(0.274, within(1e-9));
        assertThat(profile.column("age").orElseThrow().histogram().stream().mapToLong(DatasetProfile.Bin::count).sum())
                .isEqualTo(1000);
        TableData rows = harness.service.read("credit-g-features", 1, List.of("duration", "credit_amount", "bad"), 2);
        // The first two applications of the file: 6 months, 1169, good; 48 months, 5951, bad.
        assertThat(Arrays.asList(rows.rows().get(0))).containsExactly(6L, 1169.0, 0);
        assertThat(Arrays.asList(rows.rows().get(1))).containsExactly(48L, 5951.0, 1);
    }

    @Test
    void profile_distinctCounts_areExactBelowTheBoundAndEstimatedWithTheirErrorAbove() throws IOException {
        // The reference: distinct values of each column of the CSV, counted here with a HashSet.
        List<String> lines = Files.readAllLines(CSV);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        java.util.Map<String, java.util.Set<String>> distinct = new java.util.LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",");
            for (int column = 0; column < header.size(); column++) {
                distinct.computeIfAbsent(header.get(column), key -> new java.util.HashSet<>()).add(values[column]);
            }
        }
        assertThat(distinct.get("credit_amount")).hasSizeGreaterThan(900);
        String spec = """
                pipeline: raw-credit
                sources: [{name: raw, type: csv, path: credit-g.csv, types: {credit_amount: string, duration: string, age: string}}]
                outputs: [{dataset: raw-credit, from: raw}]
                """;
        PipelineHarness exact = new PipelineHarness(directory.resolve("exact"));
        exact.copy(CSV, "credit-g.csv");
        PipelineHarness estimated = new PipelineHarness(directory.resolve("estimated"), 999);
        estimated.copy(CSV, "credit-g.csv");

        exact.run(spec);
        estimated.run(spec);

        for (String column : List.of("credit_amount", "duration", "age", "purpose")) {
            DatasetProfile.ColumnProfile counted = exact.service.profile("raw-credit", 1).column(column).orElseThrow();
            DatasetProfile.ColumnProfile sketched = estimated.service.profile("raw-credit", 1).column(column).orElseThrow();
            long truth = distinct.get(column).size();
            assertThat(counted.distinct()).as(column).isEqualTo(truth);
            assertThat(counted.approximate()).isFalse();
            assertThat(counted.distinctError()).isZero();
            assertThat(sketched.approximate()).as(column).isTrue();
            assertThat(sketched.distinctError()).isEqualTo(Profiler.APPROXIMATE_DISTINCT_ERROR);
            // Within four standard errors of the truth.
            assertThat((double) sketched.distinct()).as(column).isCloseTo(truth, within(4 * sketched.distinctError() * truth));
        }
    }

    @Test
    void creditG_dirtyRows_areQuarantinedWithTheirRuleAndDuplicatesMerged() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        Path csv = harness.copy(CSV, "examples/credit-g/credit-g.csv");
        String firstRow = Files.readAllLines(csv).get(1);
        Files.writeString(csv, String.join("\n",
                firstRow,
                "<0,abc,existing paid,radio/tv,1000,<100,>=7,4,male single,none,4,real estate,30,none,own,1,skilled,1,yes,yes,good",
                "<0,12,existing paid,radio/tv,1000,<100,>=7,4,male single,none,4,real estate,30,none,own,1,skilled,1,yes,yes,unknown",
                "<0,12,existing paid,radio/tv,1000,<100,>=7,4,male single,none,4,real estate,17,none,own,1,skilled,1,yes,yes,good",
                "\"  NO CHECKING \",24,existing paid,radio/tv,1000,<100,>=7,4,male single,none,4,real estate,44,none,own,1,skilled,1,"
                        + "yes,yes,\" GOOD\"") + "\n", StandardOpenOption.APPEND);

        PipelineRun run = harness.run(Files.readString(SPEC));

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        // 1005 read: 3 quarantined (bad cast, unknown class, age 17), 1 exact duplicate merged, 1001 published.
        assertThat(run.accounting()).isEqualTo(new RowAccounting(1005, 1001, 3, 1, 0));
        assertThat(run.accounting().balanced()).isTrue();
        assertThat(run.stages()).extracting(EngineResult.StageResult::name, EngineResult.StageResult::quarantined,
                        EngineResult.StageResult::merged)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("applications", 0L, 0L),
                        org.assertj.core.groups.Tuple.tuple("cleaned", 3L, 0L),
                        org.assertj.core.groups.Tuple.tuple("unique_applications", 0L, 1L),
                        org.assertj.core.groups.Tuple.tuple("features", 0L, 0L));
        assertThat(run.expectations()).filteredOn(outcome -> !outcome.passed())
                .extracting(EngineResult.ExpectationResult::name).containsExactlyInAnyOrder("class-known", "adult-age");
        assertThat(run.datasets()).containsExactly("credit-g-features@1", "credit-g-quarantine@1");
        TableData quarantine = harness.service.read("credit-g-quarantine", 1, List.of("_quarantine_stage", "_quarantine_rules",
                "duration", "class"), 10);
        assertThat(quarantine.rows()).extracting(row -> row[0] + " " + row[1] + " " + row[2] + " " + row[3]).containsExactlyInAnyOrder(
                "cleaned cleaned.duration.cast-integer abc good", "cleaned class-known 12 unknown", "cleaned adult-age 12 good");
        TableData last = harness.service.read("credit-g-features", 1, List.of("checking_status_no_checking", "bad", "age"), 2000);
        Object[] cleaned = last.rows().get(last.rows().size() - 1);
        assertThat(Arrays.asList(cleaned)).containsExactly(1, 0, 44L);
    }
}
