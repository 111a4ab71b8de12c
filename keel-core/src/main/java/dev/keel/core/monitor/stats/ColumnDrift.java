package dev.keel.core.monitor.stats;

import java.util.Objects;

/** Drift of one column: the statistic's result and the sizes it was computed on. */
public record ColumnDrift(ColumnType type, DriftResult result, long referenceSize, long currentSize, long referenceNulls,
                          long currentNulls) {
    public ColumnDrift {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(result, "result");
    }

    public boolean drifted() {
        return result.drifted();
    }
}
