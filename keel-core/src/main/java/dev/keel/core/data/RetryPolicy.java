package dev.keel.core.data;

import java.time.Duration;
import java.util.Objects;

/** How often a run is retried after a transient source error, with exponential backoff between attempts. */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max-attempts must be >= 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
        }
    }

    /** Three attempts, 5 s then 10 s apart, never more than 5 minutes. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofSeconds(5), 2, Duration.ofMinutes(5));
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed attempts (1-based). */
    public Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
}
