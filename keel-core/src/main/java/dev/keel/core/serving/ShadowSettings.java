package dev.keel.core.serving;

import dev.keel.core.config.ConfigNode;

/**
 * When a shadow's disagreement becomes an incident ({@code serving.shadow}): over the last {@code window} compared requests
 * of an endpoint, a share of disagreements above {@code disagreementLimit} publishes one {@code ShadowDisagreed}. Two answers
 * agree when their label outputs are equal and their numeric outputs differ by at most {@code tolerance}; a shadow that
 * failed disagrees.
 */
public record ShadowSettings(int window, double disagreementLimit, double tolerance) {
    public ShadowSettings {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        if (!(disagreementLimit >= 0 && disagreementLimit <= 1)) {
            throw new IllegalArgumentException("disagreementLimit must be between 0 and 1, got " + disagreementLimit);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
    }

    /** Reads {@code window} (default 200), {@code disagreement-limit} (default 0.1) and {@code tolerance} (default 0.05). */
    static ShadowSettings from(ConfigNode node) {
        ShadowSettings settings = new ShadowSettings(node.integer("window", 200, 1, 100_000), node.number("disagreement-limit", 0.1, 0, 1),
                node.number("tolerance", 0.05, 0, Double.MAX_VALUE));
        node.rejectUnknownKeys();
        return settings;
    }
}
