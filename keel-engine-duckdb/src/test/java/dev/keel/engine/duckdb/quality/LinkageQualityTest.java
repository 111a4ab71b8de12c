package dev.keel.engine.duckdb.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.data.LinkageReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entity resolution with the default configuration on records written from the real FAA airport list: each case's spec
 * names only its comparisons (with their kinds), the id column and the truth column, and is held to the targets of
 * docs/benchmarks.md ("Entity resolution"): pairwise F1 at least 0.95 for dedupe and 0.97 for matching sources.
 */
class LinkageQualityTest {
    private static final List<String> ROWS = new ArrayList<>();

    @TempDir
    Path directory;

    private LinkageReport.Evaluation run(QualityCases.Case generated) {
        LinkageRun.Outcome outcome = LinkageRun.run(generated.spec(), directory.resolve("staging"));
        LinkageReport report = outcome.report();
        ROWS.add(LinkageRun.row(generated.name(), report));
        System.out.print(generated.name() + " " + LinkageRun.model(report));
        System.out.print(LinkageErrors.analyse(generated, outcome.result()));
        assertThat(report.records()).isEqualTo(generated.records());
        assertThat(report.evaluation()).isPresent();
        return report.evaluation().orElseThrow();
    }

    @Test
    void dedupe_airportsWithDuplicates_defaultsReachPairwiseF1OfAtLeast095() {
        QualityCases.Case generated = QualityCases.dedupe(QualityCases.AIRPORTS, directory.resolve("dedupe"));

        LinkageReport.Evaluation evaluation = run(generated);

        assertThat(evaluation.against()).isEqualTo("truth-column");
        assertThat(evaluation.pairwiseF1()).as("dedupe pairwise F1").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void matchMerge_faaAndARegistryOfItsOwnConventions_defaultsReachPairwiseF1OfAtLeast097() {
        QualityCases.Case generated = QualityCases.twoSources(QualityCases.AIRPORTS, directory.resolve("two"));

        LinkageReport.Evaluation evaluation = run(generated);

        assertThat(evaluation.pairwiseF1()).as("two-source pairwise F1").isGreaterThanOrEqualTo(0.97);
    }

    @Test
    void matchMerge_threeSourcesOfDifferentConventions_defaultsReachPairwiseF1OfAtLeast097() {
        QualityCases.Case generated = QualityCases.threeSources(QualityCases.AIRPORTS, directory.resolve("three"));

        LinkageReport.Evaluation evaluation = run(generated);

        assertThat(evaluation.pairwiseF1()).as("three-source pairwise F1").isGreaterThanOrEqualTo(0.97);
    }

    @AfterAll
    static void printTable() {
        System.out.println(LinkageRun.HEADER);
        ROWS.forEach(System.out::println);
    }
}
