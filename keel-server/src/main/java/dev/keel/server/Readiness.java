package dev.keel.server;

import dev.keel.core.serving.EndpointStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Whether the server accepts work, the one check behind both {@code /health/ready} and the v2 protocol's
 * {@code /v2/health/ready}, so the two always agree: the metadata store answers and the server is not shutting down.
 *
 * <p>An endpoint that is degraded (the previous version stands in) or down does not make the server unready: the other
 * endpoints still answer, and every replica shares the store and the artifacts, so taking replicas out would turn one broken
 * endpoint into an outage of all. The report counts them; {@code GET /v1/endpoints/{name}} says why, and
 * {@code /v2/models/{m}/ready} answers per endpoint.
 */
public final class Readiness {
    private final Keel keel;
    private final BooleanSupplier accepting;

    public Readiness(Keel keel, BooleanSupplier accepting) {
        this.keel = Objects.requireNonNull(keel, "keel");
        this.accepting = Objects.requireNonNull(accepting, "accepting");
    }

    /** The state now. */
    public Report check() {
        boolean store = keel.database().isHealthy();
        boolean open = accepting.getAsBoolean();
        Map<String, Integer> endpoints = new LinkedHashMap<>();
        for (EndpointStatus.State state : EndpointStatus.State.values()) {
            endpoints.put(state.wireName(), 0);
        }
        if (store) {
            try {
                keel.serving().statuses().values().forEach(status -> endpoints.merge(status.state().wireName(), 1, Integer::sum));
            } catch (RuntimeException e) {
                // the counts are information only; the store check above decides
                endpoints.clear();
            }
        }
        return new Report(store && open, store, open, endpoints);
    }

    /**
     * One readiness check.
     *
     * @param endpoints how many endpoints are serving, degraded and down
     */
    public record Report(boolean ready, boolean store, boolean accepting, Map<String, Integer> endpoints) {
        public Report {
            endpoints = Map.copyOf(endpoints);
        }

        /** The body of {@code /health/ready}. */
        public Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ready ? "ready" : "not ready");
            body.put("checks", Map.of("store", store ? "up" : "down", "accepting", accepting));
            body.put("endpoints", new java.util.TreeMap<>(endpoints));
            return body;
        }
    }
}
