package dev.keel.server;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A token bucket that holds up to {@code requests} tokens and refills at {@code requests} per {@code per}, continuously; time
 * comes from the caller, so a test clock drives it.
 */
final class TokenBucket {
    private final RateLimits.Limit limit;
    private double tokens;
    private Instant refilled;

    TokenBucket(RateLimits.Limit limit, Instant now) {
        this.limit = limit;
        this.tokens = limit.requests();
        this.refilled = now;
    }

    /** Takes a token; empty when one was there, else how long until one will be. */
    synchronized Optional<Duration> take(Instant now) {
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return Optional.empty();
        }
        return Optional.of(untilNext());
    }

    /** How long until a token will be there, without taking one; empty when one is there now. */
    synchronized Optional<Duration> peek(Instant now) {
        refill(now);
        return tokens >= 1 ? Optional.empty() : Optional.of(untilNext());
    }

    /** True when the bucket is full, so forgetting it changes nothing. */
    synchronized boolean full(Instant now) {
        refill(now);
        return tokens >= limit.requests();
    }

    private void refill(Instant now) {
        if (now.isAfter(refilled)) {
            double elapsed = Duration.between(refilled, now).toNanos();
            tokens = Math.min(limit.requests(), tokens + elapsed * limit.requests() / limit.per().toNanos());
            refilled = now;
        }
    }

    private Duration untilNext() {
        return Duration.ofNanos((long) Math.ceil((1 - tokens) * limit.per().toNanos() / limit.requests()));
    }
}
