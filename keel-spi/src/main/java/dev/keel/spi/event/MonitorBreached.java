package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A monitor of a model that went from within its limit to beyond it.
 *
 * @param projectName the monitor's project, also {@link #project()}
 * @param breachId the stored breach this event announces
 * @param statistic the statistic, as the monitor names it ({@code psi}, {@code auc}, …)
 * @param target the feature(s) or metric that crossed the limit
 * @param value the statistic's value, NaN when the window had none
 */
public record MonitorBreached(String projectName, String breachId, String monitor, String model, String statistic, String target, double value,
                              double limit, Instant at) implements KeelEvent {
    public MonitorBreached {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(breachId, "breachId");
        Objects.requireNonNull(monitor, "monitor");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
