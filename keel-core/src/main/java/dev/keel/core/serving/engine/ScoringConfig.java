package dev.keel.core.serving.engine;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link ScoringPool}.
 *
 * @param workers scoring threads ({@code workers}); one per core is best
 * @param queueCapacity requests that may wait before new ones are rejected ({@code queue-capacity})
 * @param batching whether queued requests for the same model are scored together ({@code batching})
 * @param maxBatchRows the most rows one batched call may hold ({@code max-batch-rows})
 * @param maxDelay how long a thread may hold a batch open waiting for more requests, counted from the oldest request's
 *     arrival; zero batches only what is already queued ({@code max-delay})
 * @param inline whether a call may score on the caller's own thread when nothing is queued and the model is known to be
 *     fast, saving two thread hand-offs at low load ({@code inline-scoring})
 */
public record ScoringConfig(int workers, int queueCapacity, boolean batching, int maxBatchRows, Duration maxDelay, boolean inline) {
    /** Without inline scoring: every call goes through the queue. */
    public ScoringConfig(int workers, int queueCapacity, boolean batching, int maxBatchRows, Duration maxDelay) {
        this(workers, queueCapacity, batching, maxBatchRows, maxDelay, false);
    }

    public ScoringConfig {
        Objects.requireNonNull(maxDelay, "maxDelay");
        require(workers >= 1 && workers <= 1024, "workers must be between 1 and 1024, got " + workers);
        require(queueCapacity >= 1, "queue-capacity must be >= 1, got " + queueCapacity);
        require(maxBatchRows >= 1, "max-batch-rows must be >= 1, got " + maxBatchRows);
        require(!maxDelay.isNegative() && maxDelay.compareTo(Duration.ofSeconds(1)) <= 0,
                "max-delay must be between 0 and 1s, got " + maxDelay);
    }

    /** One worker per core, 1024 queued requests, batches of up to 32 rows from what is already queued. */
    public static ScoringConfig defaults() {
        return new ScoringConfig(Runtime.getRuntime().availableProcessors(), 1024, true, 32, Duration.ZERO);
    }

    /** This configuration with batching switched on or off. */
    public ScoringConfig withBatching(boolean enabled) {
        return new ScoringConfig(workers, queueCapacity, enabled, maxBatchRows, maxDelay, inline);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "serving." + message);
        }
    }
}
