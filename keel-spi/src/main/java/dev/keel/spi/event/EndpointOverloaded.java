package dev.keel.spi.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An endpoint that refused more requests as overloaded (429) within a window than its limit allows; published at most once a
 * window per endpoint, while the single refusals go out as {@link PredictionRejected}.
 *
 * @param rejected how many requests were refused in the window
 * @param limit the largest number of refusals per window that raises nothing
 */
public record EndpointOverloaded(String endpoint, String model, long rejected, long limit, Duration window, Instant at) implements KeelEvent {
    public EndpointOverloaded {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(at, "at");
    }
}
