package dev.keel.core.serving;

import java.util.Objects;
import java.util.Optional;

/**
 * How one request is served.
 *
 * @param key a caller's key (a customer id, a session) that keeps canary routing sticky
 * @param version a version to use instead of the endpoint's routing (a number, an alias or {@code latest})
 */
public record PredictOptions(String requestId, Optional<String> key, Optional<String> version) {
    public PredictOptions {
        Objects.requireNonNull(requestId, "requestId");
        key = Objects.requireNonNullElse(key, Optional.empty());
        version = Objects.requireNonNullElse(version, Optional.empty());
    }

    public static PredictOptions of(String requestId) {
        return new PredictOptions(requestId, Optional.empty(), Optional.empty());
    }
}
