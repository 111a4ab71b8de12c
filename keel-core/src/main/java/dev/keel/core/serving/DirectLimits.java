package dev.keel.core.serving;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;

/**
 * The {@code serving.direct} section: the limits of a registered model called by name (the v2 protocol) when no endpoint
 * serves it, applied per model. A model an endpoint serves takes that endpoint's limits instead.
 */
public record DirectLimits(int maxConcurrency, int queue, long timeoutMillis) {
    public DirectLimits {
        KeelException.requireArgument(maxConcurrency >= 1, "serving.direct.max-concurrency must be at least 1, got %d", maxConcurrency);
        KeelException.requireArgument(queue >= 0, "serving.direct.queue must be at least 0, got %d", queue);
        KeelException.requireArgument(timeoutMillis >= 1, "serving.direct.timeout must be at least 1 ms, got %d", timeoutMillis);
    }

    static DirectLimits from(ConfigNode node) {
        DirectLimits limits = new DirectLimits(node.integer("max-concurrency", 64, 1, 10_000), node.integer("queue", 256, 0, 100_000),
                node.duration("timeout", java.time.Duration.ofSeconds(30)).toMillis());
        node.rejectUnknownKeys();
        return limits;
    }
}
