/**
 * Model monitoring at run time.
 *
 * <p>Predictions reach the {@link dev.keel.core.monitor.PredictionLog} without ever blocking the serving path: a bounded
 * queue that drops and counts when full, drained by one writer into Parquet segments (per endpoint and UTC day, written
 * atomically). Monitors ({@link dev.keel.core.monitor.MonitorSpec}) are evaluated by streaming their window from the log
 * into bounded summaries of the drift statistics library, so memory per window does not grow with traffic; ground truth
 * ({@link dev.keel.core.monitor.LabelStore}) is joined by request id in chunks. Every evaluation is kept as a result; a
 * monitor that moves from within its limit to beyond it records one {@link dev.keel.core.monitor.Breach}.
 */
package dev.keel.core.monitor;
