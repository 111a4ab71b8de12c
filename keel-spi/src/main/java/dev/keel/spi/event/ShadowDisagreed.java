package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A shadow version whose answers disagreed with the main version's on a larger share of recent requests than the limit.
 *
 * @param disagreements how many of the last {@code comparisons} compared requests disagreed (or failed in the shadow)
 * @param limit the largest share of disagreements that raises nothing
 */
public record ShadowDisagreed(String endpoint, String model, int mainVersion, int shadowVersion, long disagreements, long comparisons,
                              double limit, Instant at) implements KeelEvent {
    public ShadowDisagreed {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(at, "at");
    }
}
