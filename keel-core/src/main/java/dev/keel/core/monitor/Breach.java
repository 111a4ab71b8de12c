package dev.keel.core.monitor;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A durable event: a monitor went from within its limit to beyond it. Kept in {@code monitor_breaches} for incident handling.
 *
 * @param target the feature(s) or metric that crossed the limit
 */
public record Breach(String id, String monitorId, String monitorName, String project, String model, Optional<Integer> modelVersion,
                     String kind, String statistic, String target, Optional<Double> value, double limit, Optional<Instant> windowFrom,
                     Instant windowTo, Instant detectedAt, Map<String, Object> detail) {
    public Breach {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(monitorId, "monitorId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(windowFrom, "windowFrom");
        detail = Collections.unmodifiableMap(new LinkedHashMap<>(detail));
    }
}
