package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Map;
import java.util.Objects;

/**
 * Drift options for a whole dataset: the options every column gets, overrides per column name, and the share of drifted
 * columns at which the dataset counts as drifted (Evidently: 0.5).
 */
public record DatasetDriftOptions(DriftOptions columnDefaults, Map<String, DriftOptions> columns, double driftShare) {
    public static final double DEFAULT_DRIFT_SHARE = 0.5;

    public DatasetDriftOptions {
        Objects.requireNonNull(columnDefaults, "columnDefaults");
        columns = Map.copyOf(columns);
        if (!(driftShare > 0 && driftShare <= 1)) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "drift-share is " + driftShare + "; expected a number in (0, 1]");
        }
    }

    public static DatasetDriftOptions defaults() {
        return new DatasetDriftOptions(DriftOptions.defaults(), Map.of(), DEFAULT_DRIFT_SHARE);
    }

    public DatasetDriftOptions withColumn(String column, DriftOptions options) {
        var copy = new java.util.HashMap<>(columns);
        copy.put(column, options);
        return new DatasetDriftOptions(columnDefaults, copy, driftShare);
    }

    public DatasetDriftOptions withDriftShare(double share) {
        return new DatasetDriftOptions(columnDefaults, columns, share);
    }

    DriftOptions forColumn(String column) {
        return columns.getOrDefault(column, columnDefaults);
    }
}
