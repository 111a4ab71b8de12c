package dev.keel.core.monitor.stats;

/** The kind of values a monitored column holds, which decides the applicable drift statistics. */
public enum ColumnType {
    NUMERIC,
    CATEGORICAL
}
