package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/** A request refused because its endpoint (or directly called model) was overloaded: answered 429 with a retry delay. */
public record PredictionRejected(String endpoint, String message, Instant at) implements KeelEvent {
    public PredictionRejected {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }
}
