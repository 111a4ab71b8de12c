/**
 * Model monitoring at run time.
 *
 * <p>Predictions reach the {@link dev.keel.core.monitor.PredictionLog} without ever blocking the serving path: a bounded
 * queue that drops and counts when full, drained by one writer into Parquet segments (per endpoint and UTC day, written
 * atomically); in durable mode a prediction instead waits until its record is in a forced segment (group commit). The
 * log is read through {@link dev.keel.core.monitor.PredictionLogReader}, a port that keel-engine-duckdb implements, so this
 * package compiles without DuckDB. Monitors ({@link dev.keel.core.monitor.MonitorSpec}) are evaluated by streaming their
 * window from the log: drift exactly on the samples up to a bound, from bounded summaries above it with the error bound
 * stated, so memory per window stays bounded; ground truth
 * ({@link dev.keel.core.monitor.LabelStore}) is joined by request id in chunks. Every evaluation is kept as a result; a
 * monitor that moves from within its limit to beyond it records one {@link dev.keel.core.monitor.Breach}.
 */
package dev.keel.core.monitor;
