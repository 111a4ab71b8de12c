package dev.keel.core.monitor.stats;

import java.util.Map;

/** Drift of a dataset: each column's drift and whether the share of drifted columns reached the threshold. */
public record DatasetDrift(Map<String, ColumnDrift> columns, int driftedColumns, double driftedShare, double driftShareThreshold,
                           boolean drifted) {
    public DatasetDrift {
        columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }

    /** The drift of a dataset from its columns' drift: drifted when the share of drifted columns reaches the threshold. */
    public static DatasetDrift of(Map<String, ColumnDrift> columns, double threshold) {
        int drifted = 0;
        for (ColumnDrift column : columns.values()) {
            if (column.drifted()) {
                drifted++;
            }
        }
        double share = columns.isEmpty() ? 0.0 : (double) drifted / columns.size();
        return new DatasetDrift(columns, drifted, share, threshold, !columns.isEmpty() && share >= threshold);
    }
}
