package dev.keel.core.monitor.stats;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One drift statistic evaluated on one column: its value (the test statistic or the distance), the p-value for tests,
 * the threshold it was held to and whether the column drifted.
 */
public record DriftResult(DriftStatistic statistic, double value, OptionalDouble pValue, double threshold, boolean drifted) {
    public DriftResult {
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(pValue, "pValue");
        if (statistic.hasPValue() != pValue.isPresent()) {
            throw new IllegalArgumentException("statistic " + statistic + " p-value presence must be " + statistic.hasPValue());
        }
    }

    /** The number the threshold is compared with: the p-value for tests, the value for distances. */
    public double score() {
        return pValue.orElse(value);
    }

    static DriftResult of(DriftStatistic statistic, double value, double pValue, double threshold) {
        if (statistic.hasPValue()) {
            return new DriftResult(statistic, value, OptionalDouble.of(pValue), threshold, pValue < threshold);
        }
        return new DriftResult(statistic, value, OptionalDouble.empty(), threshold, value >= threshold);
    }
}
