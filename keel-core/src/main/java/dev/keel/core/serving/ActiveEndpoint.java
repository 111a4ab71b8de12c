package dev.keel.core.serving;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** An endpoint being served: its current routes, its overload guard and a circuit breaker per version it has served. */
final class ActiveEndpoint {
    private final AtomicReference<Routes> routes;
    private final Admission admission;
    private final AtomicInteger shadowsInFlight = new AtomicInteger();
    private final Map<Integer, CircuitBreaker> breakers;
    private final BreakerSettings breakerSettings;
    private final Clock clock;
    private final ServingMetrics metrics;

    ActiveEndpoint(Routes routes, BreakerSettings breakerSettings, Clock clock, ServingMetrics metrics) {
        this(routes, Admission.of(routes.endpoint().config()), new ConcurrentHashMap<>(), breakerSettings, clock, metrics);
    }

    private ActiveEndpoint(Routes routes, Admission admission, Map<Integer, CircuitBreaker> breakers, BreakerSettings breakerSettings,
                           Clock clock, ServingMetrics metrics) {
        this.routes = new AtomicReference<>(routes);
        this.admission = admission;
        this.breakers = breakers;
        this.breakerSettings = breakerSettings;
        this.clock = clock;
        this.metrics = metrics;
    }

    Routes routes() {
        return routes.get();
    }

    EndpointConfig config() {
        return routes.get().endpoint().config();
    }

    Admission admission() {
        return admission;
    }

    /** Replaces the routes and returns the old ones, whose handles the caller releases. */
    Routes swap(Routes next) {
        return routes.getAndSet(next);
    }

    /** True when the new routes can keep this guard (limits unchanged). */
    boolean sameLimits(EndpointConfig config) {
        return admission.sameLimits(config);
    }

    /** An endpoint with new limits that keeps the breakers, so a change of limits does not put a failing version back. */
    ActiveEndpoint withLimits(Routes next) {
        return new ActiveEndpoint(next, Admission.of(next.endpoint().config()), breakers, breakerSettings, clock, metrics);
    }

    /** The breaker of one version, made closed when first asked for. */
    CircuitBreaker breaker(int version) {
        CircuitBreaker breaker = breakers.get(version);
        if (breaker != null) {
            return breaker;
        }
        return breakers.computeIfAbsent(version, ignored -> {
            CircuitBreaker created = new CircuitBreaker(breakerSettings, clock);
            metrics.breaker(config().name(), version, created);
            return created;
        });
    }

    /** The breakers by version, for stats. */
    Map<String, Object> breakerViews() {
        Map<String, Object> views = new TreeMap<>();
        breakers.forEach((version, breaker) -> views.put(Integer.toString(version), breaker.view()));
        return views;
    }

    /** Takes a shadow place; false when as many shadow calls run as the endpoint's concurrency. */
    boolean enterShadow() {
        if (shadowsInFlight.incrementAndGet() > admission.maxConcurrency()) {
            shadowsInFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exitShadow() {
        shadowsInFlight.decrementAndGet();
    }
}
