package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A request answered by an endpoint's fallback instead of the version it was routed to.
 *
 * @param failedVersion the version that failed or was out of rotation
 * @param mode the fallback's mode as configured ({@code previous-version}, {@code default-response})
 */
public record FallbackUsed(String endpoint, String model, int failedVersion, String requestId, String mode, Instant at) implements KeelEvent {
    public FallbackUsed {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(at, "at");
    }
}
