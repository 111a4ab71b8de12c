package dev.keel.core.monitor;

import dev.keel.core.monitor.stats.DatasetDrift;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Drift of a model's logged inputs in {@code [from, to)} against the reference of the version that served them.
 *
 * @param missingColumns features the reference has no summary for (not compared)
 */
public record DriftReport(String model, int version, Instant from, Instant to, long referenceRows, long currentRows, DatasetDrift drift,
                          List<String> missingColumns) {
    public DriftReport {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(drift, "drift");
        missingColumns = List.copyOf(missingColumns);
    }
}
