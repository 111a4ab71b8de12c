package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/** A model version that failed a request (raised an error or ran out of time), whether or not a fallback answered. */
public record ModelFailed(String endpoint, String model, int version, String requestId, Kind kind, String message, Instant at)
        implements KeelEvent {

    /** How the model failed. */
    public enum Kind {
        /** It raised an error while scoring. */
        ERROR,
        /** It did not answer within the endpoint's timeout. */
        TIMEOUT
    }

    public ModelFailed {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }
}
