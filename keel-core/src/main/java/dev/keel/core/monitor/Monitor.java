package dev.keel.core.monitor;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored monitor: its spec, the project it belongs to (its model's) and its latest state.
 *
 * @param state {@code pending} (never evaluated), {@code ok}, {@code breached}, {@code no_data} or {@code error}
 */
public record Monitor(String id, String project, MonitorSpec spec, String state, Optional<Double> lastValue,
                      Optional<Instant> lastEvaluatedAt, Instant createdAt, String createdBy) {
    public Monitor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastValue, "lastValue");
        Objects.requireNonNull(lastEvaluatedAt, "lastEvaluatedAt");
    }
}
