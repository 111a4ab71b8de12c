package dev.keel.core.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Statistic choice, overrides and the dataset rule. */
class DriftDetectorTest {
    private final DriftDetector detector = DriftDetector.create();

    @Test
    void defaultStatistic_followsEvidentlyByTypeSizeAndDistinctValues() {
        assertThat(DriftDetector.defaultStatistic(ColumnType.NUMERIC, 1000, 6)).isEqualTo(DriftStatistic.KOLMOGOROV_SMIRNOV);
        assertThat(DriftDetector.defaultStatistic(ColumnType.NUMERIC, 1000, 5)).isEqualTo(DriftStatistic.CHI_SQUARE);
        assertThat(DriftDetector.defaultStatistic(ColumnType.NUMERIC, 1000, 2)).isEqualTo(DriftStatistic.Z_TEST);
        assertThat(DriftDetector.defaultStatistic(ColumnType.CATEGORICAL, 10, 3)).isEqualTo(DriftStatistic.CHI_SQUARE);
        assertThat(DriftDetector.defaultStatistic(ColumnType.NUMERIC, 1001, 6)).isEqualTo(DriftStatistic.WASSERSTEIN_NORMALIZED);
        assertThat(DriftDetector.defaultStatistic(ColumnType.NUMERIC, 1001, 5)).isEqualTo(DriftStatistic.JENSEN_SHANNON);
        assertThat(DriftDetector.defaultStatistic(ColumnType.CATEGORICAL, 5000, 40)).isEqualTo(DriftStatistic.JENSEN_SHANNON);
    }

    @Test
    void overrides_changeStatisticAndThreshold() {
        ColumnSample ref = ColumnSample.numeric(new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        ColumnSample cur = ColumnSample.numeric(new double[] {2, 3, 4, 5, 6, 7, 8, 9});
        DriftResult psi = detector.detect(ref, cur, DriftOptions.defaults().withStatistic(DriftStatistic.PSI).withThreshold(100))
            .result();
        assertThat(psi.statistic()).isEqualTo(DriftStatistic.PSI);
        assertThat(psi.threshold()).isEqualTo(100);
        assertThat(psi.drifted()).isFalse();
        assertThat(psi.pValue()).isEmpty();
    }

    @Test
    void numericOnlyStatistic_onCategoricalColumn_isRejected() {
        ColumnSample ref = ColumnSample.categorical(List.of("a", "b"));
        assertThatThrownBy(() -> detector.detect(ref, ref, DriftOptions.defaults().withStatistic(DriftStatistic.KOLMOGOROV_SMIRNOV)))
            .isInstanceOf(KeelException.class).hasMessageContaining("'ks' does not apply to a CATEGORICAL column");
    }

    @Test
    void emptyCurrent_isRejectedWithCounts() {
        ColumnSample ref = ColumnSample.numeric(new double[] {1, 2});
        ColumnSample cur = ColumnSample.numeric(new double[] {Double.NaN});
        assertThatThrownBy(() -> detector.detect(ref, cur, DriftOptions.defaults()))
            .isInstanceOf(KeelException.class).hasMessageContaining("current has 0 non-missing values");
    }

    @Test
    void dataset_driftsWhenHalfTheColumnsDrift() {
        double[] base = new double[200];
        double[] shifted = new double[200];
        for (int i = 0; i < 200; i++) {
            base[i] = i;
            shifted[i] = i + 150;
        }
        Map<String, ColumnSample> reference = Map.of("a", ColumnSample.numeric(base), "b", ColumnSample.numeric(base));
        Map<String, ColumnSample> current = Map.of("a", ColumnSample.numeric(shifted), "b", ColumnSample.numeric(base));
        DatasetDrift drift = detector.detectDataset(reference, current, DatasetDriftOptions.defaults());
        assertThat(drift.driftedColumns()).isEqualTo(1);
        assertThat(drift.drifted()).isTrue();
        DatasetDrift stricter = detector.detectDataset(reference, current, DatasetDriftOptions.defaults().withDriftShare(0.75));
        assertThat(stricter.drifted()).isFalse();
        DatasetDrift overridden = detector.detectDataset(reference, current, DatasetDriftOptions.defaults()
            .withColumn("a", DriftOptions.defaults().withThreshold(1e-300)));
        assertThat(overridden.columns().get("a").drifted()).isFalse();
    }
}
