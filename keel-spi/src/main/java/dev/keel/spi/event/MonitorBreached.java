package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A monitor whose statistic crossed its threshold in a window.
 *
 * @param statistic the statistic, as the monitor names it ({@code psi}, {@code auc}, …)
 */
public record MonitorBreached(String monitor, String endpoint, String statistic, double value, double threshold, Instant at)
        implements KeelEvent {
    public MonitorBreached {
        Objects.requireNonNull(monitor, "monitor");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(at, "at");
    }
}
