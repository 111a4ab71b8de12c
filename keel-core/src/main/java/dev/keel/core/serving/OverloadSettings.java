package dev.keel.core.serving;

import dev.keel.core.config.ConfigNode;
import java.time.Duration;
import java.util.Objects;

/**
 * When refusals become an incident ({@code serving.overload}): more than {@code limit} requests of one endpoint refused with
 * 429 within {@code window} publish one {@code EndpointOverloaded}.
 */
public record OverloadSettings(Duration window, long limit) {
    public OverloadSettings {
        Objects.requireNonNull(window, "window");
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
    }

    /** Reads {@code window} (default 1m) and {@code limit} (default 50). */
    static OverloadSettings from(ConfigNode node) {
        Duration window = node.duration("window", Duration.ofMinutes(1));
        if (window.isZero() || window.isNegative()) {
            throw node.invalid("window", window, "a positive duration such as 30s or 1m");
        }
        OverloadSettings settings = new OverloadSettings(window, node.integer("limit", 50, 0, Integer.MAX_VALUE));
        node.rejectUnknownKeys();
        return settings;
    }
}
