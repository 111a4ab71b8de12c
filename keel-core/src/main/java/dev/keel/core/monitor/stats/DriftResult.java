package dev.keel.core.monitor.stats;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One drift statistic evaluated on one column: its value (the test statistic or the distance), the p-value for tests,
 * the threshold it was held to, whether the column drifted, and, when it was computed from bounded summaries rather than
 * the samples, how far the value (and the p-value) can be from the exact one.
 *
 * @param maxError empty when exact; otherwise the largest possible distance between {@code value} and the statistic on
 *     the samples
 * @param pValueMaxError empty when exact or without a p-value; otherwise the largest possible distance between
 *     {@code pValue} and the p-value on the samples
 */
public record DriftResult(DriftStatistic statistic, double value, OptionalDouble pValue, double threshold, boolean drifted,
                          OptionalDouble maxError, OptionalDouble pValueMaxError) {
    public DriftResult {
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(maxError, "maxError");
        Objects.requireNonNull(pValueMaxError, "pValueMaxError");
        if (statistic.hasPValue() != pValue.isPresent()) {
            throw new IllegalArgumentException("statistic " + statistic + " p-value presence must be " + statistic.hasPValue());
        }
    }

    /** The number the threshold is compared with: the p-value for tests, the value for distances. */
    public double score() {
        return pValue.orElse(value);
    }

    /** True when computed on the samples themselves, false when from summaries (see {@link #maxError()}). */
    public boolean exact() {
        return maxError.isEmpty();
    }

    static DriftResult of(DriftStatistic statistic, double value, double pValue, double threshold) {
        OptionalDouble p = statistic.hasPValue() ? OptionalDouble.of(pValue) : OptionalDouble.empty();
        return new DriftResult(statistic, value, p, threshold, statistic.drifted(statistic.hasPValue() ? pValue : value, threshold),
            OptionalDouble.empty(), OptionalDouble.empty());
    }

    DriftResult approximate(double valueError, OptionalDouble pValueError) {
        return new DriftResult(statistic, value, pValue, threshold, drifted, OptionalDouble.of(valueError),
            statistic.hasPValue() ? pValueError : OptionalDouble.empty());
    }
}
