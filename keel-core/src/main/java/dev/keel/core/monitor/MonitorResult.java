package dev.keel.core.monitor;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One evaluation of a monitor over one window: the headline value, the state it led to and the details per target.
 *
 * @param windowFrom the start of a time window, or of the oldest row of a count window; empty when the window was empty
 * @param detail per-feature values and anything else worth showing (JSON-friendly)
 */
public record MonitorResult(String monitorId, Instant evaluatedAt, Optional<Instant> windowFrom, Instant windowTo,
                            Optional<Integer> modelVersion, long sampleSize, String state, Optional<Double> value,
                            Map<String, Object> detail) {
    public MonitorResult {
        Objects.requireNonNull(monitorId, "monitorId");
        Objects.requireNonNull(evaluatedAt, "evaluatedAt");
        Objects.requireNonNull(windowFrom, "windowFrom");
        Objects.requireNonNull(windowTo, "windowTo");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(value, "value");
        detail = Collections.unmodifiableMap(new LinkedHashMap<>(detail));
    }

    public boolean breached() {
        return state.equals(Monitoring.BREACHED);
    }
}
