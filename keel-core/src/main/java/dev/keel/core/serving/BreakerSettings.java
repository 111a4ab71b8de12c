package dev.keel.core.serving;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code serving.breaker} section: when a version is taken out of rotation and for how long.
 *
 * @param consecutiveFailures failures in a row that open the breaker
 * @param failureRate the share of failures among the last {@code window} calls that opens it
 * @param window how many recent calls the failure rate looks at
 * @param coolDown how long the breaker stays open before one probe is let through
 */
public record BreakerSettings(int consecutiveFailures, double failureRate, int window, Duration coolDown) {
    public BreakerSettings {
        KeelException.requireArgument(consecutiveFailures >= 1, "serving.breaker.failures must be at least 1, got %d", consecutiveFailures);
        KeelException.requireArgument(failureRate > 0 && failureRate <= 1, "serving.breaker.failure-rate must be above 0 and at most 1, got %s",
                failureRate);
        KeelException.requireArgument(window >= 1, "serving.breaker.window must be at least 1, got %d", window);
        Objects.requireNonNull(coolDown, "coolDown");
    }

    static BreakerSettings from(ConfigNode node) {
        BreakerSettings settings = new BreakerSettings(node.integer("failures", 5, 1, 10_000), node.number("failure-rate", 0.5, 0.01, 1),
                node.integer("window", 20, 1, 10_000), node.duration("cool-down", Duration.ofSeconds(10)));
        node.rejectUnknownKeys();
        return settings;
    }
}
