package dev.keel.core.serving.engine;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The scoring queue is full; the request was not accepted and may be retried after {@link #retryAfter()}. */
public final class ScoringOverloadedException extends KeelException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    ScoringOverloadedException(String modelKey, int capacity, Duration retryAfter) {
        super(ErrorCode.OVERLOADED, "cannot score model '" + modelKey + "': all " + capacity + " places in the scoring queue are taken;"
                + " retry after " + retryAfter.toSeconds() + "s", List.of(), Map.of("retryAfterSeconds", retryAfter.toSeconds()), null);
        this.retryAfter = retryAfter;
    }

    /** How long the caller should wait before retrying, in whole seconds (at least one). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
