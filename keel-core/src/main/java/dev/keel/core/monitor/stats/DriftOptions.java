package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How one column's drift is judged: the statistic (empty: Evidently's default for the column type and reference
 * size), the threshold (empty: the statistic's default), the number of reference-quantile bins for PSI and the base of
 * the logarithm in the Jensen-Shannon distance ({@code e} as Evidently and SciPy by default, 2 for a distance in [0, 1]).
 */
public record DriftOptions(Optional<DriftStatistic> statistic, OptionalDouble threshold, int psiBins, double jensenShannonBase) {
    public static final int DEFAULT_PSI_BINS = 10;

    public DriftOptions {
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isPresent() && !(threshold.getAsDouble() >= 0 && Double.isFinite(threshold.getAsDouble()))) {
            throw new KeelException(ErrorCode.INVALID_CONFIG,
                "drift threshold is " + threshold.getAsDouble() + "; expected a finite number >= 0");
        }
        if (psiBins < 2 || psiBins > 10_000) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "psi-bins is " + psiBins + "; expected 2..10000");
        }
        if (!(jensenShannonBase > 1 && Double.isFinite(jensenShannonBase))) {
            throw new KeelException(ErrorCode.INVALID_CONFIG,
                "jensen-shannon base is " + jensenShannonBase + "; expected a finite number > 1 (e or 2)");
        }
    }

    /** Evidently's defaults: statistic by column type and reference size, each statistic's own threshold. */
    public static DriftOptions defaults() {
        return new DriftOptions(Optional.empty(), OptionalDouble.empty(), DEFAULT_PSI_BINS, Math.E);
    }

    public DriftOptions withStatistic(DriftStatistic value) {
        return new DriftOptions(Optional.of(value), threshold, psiBins, jensenShannonBase);
    }

    public DriftOptions withThreshold(double value) {
        return new DriftOptions(statistic, OptionalDouble.of(value), psiBins, jensenShannonBase);
    }

    public DriftOptions withPsiBins(int value) {
        return new DriftOptions(statistic, threshold, value, jensenShannonBase);
    }

    /** The Jensen-Shannon distance with this logarithm base (2: bounded by 1). */
    public DriftOptions withJensenShannonBase(double base) {
        return new DriftOptions(statistic, threshold, psiBins, base);
    }

    double thresholdFor(DriftStatistic chosen) {
        return threshold.orElse(chosen.defaultThreshold());
    }
}
