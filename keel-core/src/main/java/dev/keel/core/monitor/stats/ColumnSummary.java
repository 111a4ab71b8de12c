package dev.keel.core.monitor.stats;

/**
 * A bounded-memory, mergeable summary of one column over a window of traffic; its memory is fixed when it is created
 * and does not grow with the number of values added.
 */
public sealed interface ColumnSummary permits NumericSummary, CategoricalSummary {

    ColumnType type();

    /** Number of non-missing values added. */
    long count();

    /** Number of missing values added. */
    long nulls();
}
