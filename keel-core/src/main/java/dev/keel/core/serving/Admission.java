package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An overload guard: a concurrency limit behind a bounded queue. A request beyond both is refused with 429 at once; a
 * queued one waits for a slot until its deadline.
 */
final class Admission {
    private final String subject;
    private final int maxConcurrency;
    private final int queue;
    private final long timeoutMillis;
    private final Semaphore slots;
    private final AtomicInteger admitted = new AtomicInteger();

    /**
     * @param subject what the guard protects, for messages: {@code endpoint 'credit-risk'}
     */
    Admission(String subject, int maxConcurrency, int queue, long timeoutMillis) {
        this.subject = subject;
        this.maxConcurrency = maxConcurrency;
        this.queue = queue;
        this.timeoutMillis = timeoutMillis;
        this.slots = new Semaphore(maxConcurrency, true);
    }

    static Admission of(EndpointConfig config) {
        return new Admission("endpoint '" + config.name() + "'", config.maxConcurrency(), config.queue(), config.timeoutMillis());
    }

    /** True when a guard with these limits may stand in for this one. */
    boolean sameLimits(EndpointConfig config) {
        return maxConcurrency == config.maxConcurrency() && queue == config.queue();
    }

    int maxConcurrency() {
        return maxConcurrency;
    }

    /** Admits a request or refuses it with {@code OVERLOADED}; then waits for a slot until the deadline. */
    void enter(long deadlineNanos) {
        if (admitted.incrementAndGet() > maxConcurrency + queue) {
            admitted.decrementAndGet();
            throw overloaded("all " + maxConcurrency + " slots and " + queue + " queue places are taken");
        }
        boolean acquired;
        try {
            acquired = slots.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            admitted.decrementAndGet();
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.UNAVAILABLE, "interrupted while waiting for " + subject);
        }
        if (!acquired) {
            admitted.decrementAndGet();
            throw overloaded("no scoring slot became free within " + timeoutMillis + " ms");
        }
    }

    void exit() {
        slots.release();
        admitted.decrementAndGet();
    }

    private KeelException overloaded(String reason) {
        return new KeelException(ErrorCode.OVERLOADED, subject + " is at capacity: " + reason + "; retry after 1s", List.of(),
                Map.of("retryAfterSeconds", 1), null);
    }
}
