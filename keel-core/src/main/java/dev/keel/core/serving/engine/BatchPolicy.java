package dev.keel.core.serving.engine;

import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one request may be batched, within the pool's own limits: an endpoint's batching settings.
 *
 * @param enabled false scores the request alone
 * @param maxRows the most rows a batch started by this request may hold; the pool's {@code max-batch-rows} still caps it
 * @param maxDelay how long a batch started by this request is held open; empty uses the pool's {@code max-delay}
 */
public record BatchPolicy(boolean enabled, int maxRows, Optional<Duration> maxDelay) {
    private static final BatchPolicy POOL = new BatchPolicy(true, Integer.MAX_VALUE, Optional.empty());

    public BatchPolicy {
        Objects.requireNonNull(maxDelay, "maxDelay");
        KeelException.requireArgument(maxRows >= 1, "max-batch-size must be >= 1, got %d", maxRows);
        maxDelay.ifPresent(delay -> KeelException.requireArgument(!delay.isNegative() && delay.compareTo(Duration.ofSeconds(1)) <= 0,
                "max-delay must be between 0 and 1s, got %s", delay));
    }

    /** The pool's own settings. */
    public static BatchPolicy pool() {
        return POOL;
    }

    /** Never batched. */
    public static BatchPolicy off() {
        return new BatchPolicy(false, 1, Optional.empty());
    }
}
