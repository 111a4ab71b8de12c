package dev.keel.core.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.KeelException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Summaries against exact samples: exact where documented, close elsewhere, and memory that does not grow. */
class NumericSummaryTest {
    private final DriftDetector detector = DriftDetector.sequential();

    private static double[] normal(SplittableRandom random, int n, double mean, double sd) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            values[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        }
        return values;
    }

    private DriftResult exact(double[] ref, double[] cur, DriftStatistic statistic) {
        return detector.detect(ColumnSample.numeric(ref), ColumnSample.numeric(cur), DriftOptions.defaults().withStatistic(statistic))
            .result();
    }

    private DriftResult summarized(double[] ref, double[] cur, DriftStatistic statistic) {
        NumericSummary reference = NumericSummary.ofReference(ref);
        NumericSummary window = reference.emptyCopy();
        window.addAll(cur);
        return detector.detect(reference, window, DriftOptions.defaults().withStatistic(statistic)).result();
    }

    @Test
    void psi_fromSummaries_equalsExactPsi() {
        SplittableRandom random = new SplittableRandom(7);
        for (double shift : new double[] {0, 0.1, 0.5, 3}) {
            double[] ref = normal(random, 20_000, 0, 1);
            double[] cur = normal(random, 5_000, shift, 1);
            assertThat(summarized(ref, cur, DriftStatistic.PSI).value())
                .isCloseTo(exact(ref, cur, DriftStatistic.PSI).value(), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void ksAndWasserstein_fromSummaries_areCloseToExact() {
        SplittableRandom random = new SplittableRandom(11);
        for (double shift : new double[] {0, 0.05, 0.2, 1, 5}) {
            double[] ref = normal(random, 20_000, 0, 1);
            double[] cur = normal(random, 5_000, shift, 1);
            double exactKs = exact(ref, cur, DriftStatistic.KOLMOGOROV_SMIRNOV).value();
            double summaryKs = summarized(ref, cur, DriftStatistic.KOLMOGOROV_SMIRNOV).value();
            assertThat(summaryKs).isLessThanOrEqualTo(exactKs + 1e-12).isGreaterThan(exactKs - 0.005);
            double exactW = exact(ref, cur, DriftStatistic.WASSERSTEIN_NORMALIZED).value();
            double summaryW = summarized(ref, cur, DriftStatistic.WASSERSTEIN_NORMALIZED).value();
            assertThat(Math.abs(summaryW - exactW)).as("shift %s", shift).isLessThan(0.01 + 0.02 * exactW);
            double exactJs = exact(ref, cur, DriftStatistic.JENSEN_SHANNON).value();
            double summaryJs = summarized(ref, cur, DriftStatistic.JENSEN_SHANNON).value();
            assertThat(Math.abs(summaryJs - exactJs)).as("js shift %s", shift).isLessThan(0.01 + 0.05 * exactJs);
        }
    }

    @Test
    void discreteColumns_fromSummaries_equalExactStatistics() {
        SplittableRandom random = new SplittableRandom(3);
        double[] ref = new double[3000];
        double[] cur = new double[2000];
        Arrays.setAll(ref, i -> random.nextInt(6));
        Arrays.setAll(cur, i -> random.nextInt(7));
        for (DriftStatistic statistic : List.of(DriftStatistic.KOLMOGOROV_SMIRNOV, DriftStatistic.WASSERSTEIN_NORMALIZED,
            DriftStatistic.CHI_SQUARE, DriftStatistic.JENSEN_SHANNON)) {
            assertThat(summarized(ref, cur, statistic).value()).as(statistic.id())
                .isCloseTo(exact(ref, cur, statistic).value(), org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void merge_ofWindows_equalsOneWindowWithAllValues() {
        SplittableRandom random = new SplittableRandom(5);
        double[] ref = normal(random, 5000, 0, 1);
        NumericSummary reference = NumericSummary.ofReference(ref);
        NumericSummary whole = reference.emptyCopy();
        NumericSummary first = reference.emptyCopy();
        NumericSummary second = reference.emptyCopy();
        double[] values = normal(random, 3000, 0.3, 1);
        for (int i = 0; i < values.length; i++) {
            whole.add(values[i]);
            (i % 2 == 0 ? first : second).add(values[i]);
        }
        first.merge(second);
        assertThat(first.binCounts()).isEqualTo(whole.binCounts());
        assertThat(first.count()).isEqualTo(3000);
        assertThat(first.mean()).isCloseTo(whole.mean(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(first.variance()).isCloseTo(whole.variance(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(first.min()).isEqualTo(whole.min());
    }

    @Test
    void memory_doesNotGrowWithTraffic() {
        NumericSummary reference = NumericSummary.ofReference(normal(new SplittableRandom(1), 2000, 0, 1));
        NumericSummary window = reference.emptyCopy();
        int bins = window.binCounts().length;
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 1_000_000; i++) {
            window.add(random.nextDouble() * 100);
        }
        window.add(Double.NaN);
        assertThat(window.binCounts()).hasSize(bins);
        assertThat(window.valueCounts()).isEmpty();
        assertThat(window.count()).isEqualTo(1_000_000);
        assertThat(window.nulls()).isEqualTo(1);
    }

    @Test
    void merge_rejectsSummariesOfDifferentReferences() {
        NumericSummary a = NumericSummary.ofReference(new double[] {1, 2, 3});
        NumericSummary b = NumericSummary.ofReference(new double[] {4, 5, 6});
        assertThatThrownBy(() -> a.merge(b)).isInstanceOf(KeelException.class).hasMessageContaining("different grids");
    }

    @Test
    void categoricalSummary_capsCategoriesIntoOther_andMatchesExactBelowTheCap() {
        List<String> ref = List.of("a", "a", "b", "c", "c", "c");
        List<String> cur = List.of("a", "b", "b", "c", "d", "e");
        CategoricalSummary reference = CategoricalSummary.ofReference(ref, 4);
        CategoricalSummary window = reference.emptyCopy();
        cur.forEach(window::add);
        assertThat(window.counts()).containsEntry("d", 1L).doesNotContainKey("e");
        assertThat(window.otherCount()).isEqualTo(1);
        CategoricalSummary roomy = CategoricalSummary.ofReference(ref, 10);
        CategoricalSummary roomyWindow = roomy.emptyCopy();
        cur.forEach(roomyWindow::add);
        DriftOptions js = DriftOptions.defaults().withStatistic(DriftStatistic.JENSEN_SHANNON);
        assertThat(detector.detect(roomy, roomyWindow, js).result().value())
            .isEqualTo(detector.detect(ColumnSample.categorical(ref), ColumnSample.categorical(cur), js).result().value());
    }
}
