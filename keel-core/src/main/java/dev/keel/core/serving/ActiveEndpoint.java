package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** An endpoint being served: its current routes and its overload guard (a concurrency limit behind a bounded queue). */
final class ActiveEndpoint {
    private final AtomicReference<Routes> routes;
    private final Semaphore slots;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger shadowsInFlight = new AtomicInteger();
    private final int limit;

    ActiveEndpoint(Routes routes) {
        this.routes = new AtomicReference<>(routes);
        EndpointConfig config = routes.endpoint().config();
        this.slots = new Semaphore(config.maxConcurrency(), true);
        this.limit = config.maxConcurrency() + config.queue();
    }

    Routes routes() {
        return routes.get();
    }

    EndpointConfig config() {
        return routes.get().endpoint().config();
    }

    /** Replaces the routes and returns the old ones, whose handles the caller releases. */
    Routes swap(Routes next) {
        return routes.getAndSet(next);
    }

    /** True when the new routes can keep this guard (limits unchanged). */
    boolean sameLimits(EndpointConfig config) {
        EndpointConfig current = config();
        return current.maxConcurrency() == config.maxConcurrency() && current.queue() == config.queue();
    }

    /**
     * Admits a request or refuses it with 429 when the endpoint holds as many as it may run and queue; then waits for a
     * scoring slot until the deadline.
     */
    void enter(long deadlineNanos) {
        if (admitted.incrementAndGet() > limit) {
            admitted.decrementAndGet();
            throw overloaded("all " + config().maxConcurrency() + " slots and " + config().queue() + " queue places are taken");
        }
        boolean acquired;
        try {
            acquired = slots.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            admitted.decrementAndGet();
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.UNAVAILABLE, "interrupted while waiting for endpoint '" + config().name() + "'");
        }
        if (!acquired) {
            admitted.decrementAndGet();
            throw overloaded("no scoring slot became free within " + config().timeoutMillis() + " ms");
        }
    }

    void exit() {
        slots.release();
        admitted.decrementAndGet();
    }

    /** Takes a shadow place; false when as many shadow calls run as the endpoint's concurrency. */
    boolean enterShadow() {
        if (shadowsInFlight.incrementAndGet() > config().maxConcurrency()) {
            shadowsInFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exitShadow() {
        shadowsInFlight.decrementAndGet();
    }

    private KeelException overloaded(String reason) {
        return new KeelException(ErrorCode.OVERLOADED, "endpoint '" + config().name() + "' is at capacity: " + reason + "; retry after 1s",
                List.of(), Map.of("retryAfterSeconds", 1), null);
    }
}
