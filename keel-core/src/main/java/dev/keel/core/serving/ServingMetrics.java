package dev.keel.core.serving;

import dev.keel.core.serving.engine.ScoringMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Serving's meters, per endpoint and version: requests by outcome, errors, fallbacks, latency and batch sizes. Scoring keys
 * have the form {@code endpoint@model:version} so that the engine's batch measurements carry the same tags.
 */
final class ServingMetrics implements ScoringMetrics {
    static final String REQUESTS = "keel.serving.requests";
    static final String ERRORS = "keel.serving.errors";
    static final String FALLBACKS = "keel.serving.fallbacks";
    static final String LATENCY = "keel.serving.latency";
    static final String BATCH_ROWS = "keel.serving.batch.rows";
    static final String BATCH_REQUESTS = "keel.serving.batch.requests";
    static final String SHADOW = "keel.serving.shadow";
    static final String REJECTED = "keel.serving.rejected";
    static final String BREAKER = "keel.serving.breaker.state";

    private final MeterRegistry registry;
    /** Meters found once per tag set: looking one up through its builder on every call costs more than the call's measuring. */
    private final Map<RequestKey, RequestMeters> requestMeters = new ConcurrentHashMap<>();
    private final Map<String, BatchMeters> batchMeters = new ConcurrentHashMap<>();

    ServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record RequestKey(String endpoint, int version, String outcome) {
    }

    private record RequestMeters(Counter requests, Timer latency) {
    }

    private record BatchMeters(DistributionSummary rows, DistributionSummary requests) {
    }

    static String scoringKey(String endpoint, String label) {
        return endpoint + "@" + label;
    }

    void request(String endpoint, int version, String outcome, long nanos) {
        RequestMeters meters = requestMeters.computeIfAbsent(new RequestKey(endpoint, version, outcome), key -> new RequestMeters(
                Counter.builder(REQUESTS).description("Prediction requests by outcome").tag("endpoint", endpoint)
                        .tag("version", Integer.toString(version)).tag("outcome", outcome).register(registry),
                Timer.builder(LATENCY).description("Prediction latency, from arrival to answer").tag("endpoint", endpoint)
                        .tag("version", Integer.toString(version)).publishPercentileHistogram().publishPercentiles(0.5, 0.99)
                        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry)));
        meters.requests().increment();
        if (nanos >= 0) {
            meters.latency().record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void error(String endpoint, int version, FailureKind kind) {
        Counter.builder(ERRORS).description("Model errors and timeouts").tag("endpoint", endpoint).tag("version", Integer.toString(version))
                .tag("kind", kind.wireName()).register(registry).increment();
    }

    void fallback(String endpoint, int version, FallbackMode mode) {
        Counter.builder(FALLBACKS).description("Answers given by a fallback").tag("endpoint", endpoint)
                .tag("version", Integer.toString(version)).tag("mode", mode.wireName()).register(registry).increment();
    }

    void shadow(String endpoint, int version, String outcome) {
        Counter.builder(SHADOW).description("Shadow calls by outcome").tag("endpoint", endpoint).tag("version", Integer.toString(version))
                .tag("outcome", outcome).register(registry).increment();
    }

    void refused(String endpoint) {
        Counter.builder(REJECTED).description("Requests refused with 429").tag("endpoint", endpoint).register(registry).increment();
    }

    /** Publishes a version's breaker state: 0 closed, 1 open, 2 half-open (a probe may go through). */
    void breaker(String endpoint, int version, CircuitBreaker breaker) {
        io.micrometer.core.instrument.Gauge.builder(BREAKER, breaker, each -> each.state().gauge())
                .description("Circuit breaker of a version: 0 closed, 1 open, 2 half-open").tag("endpoint", endpoint)
                .tag("version", Integer.toString(version)).strongReference(true).register(registry);
    }

    @Override
    public void batch(String modelKey, int requests, int rows, long nanos) {
        BatchMeters meters = batchMeters.computeIfAbsent(modelKey, key -> {
            String[] tags = tags(key);
            return new BatchMeters(
                    DistributionSummary.builder(BATCH_ROWS).description("Rows per model call").tag("endpoint", tags[0]).tag("version", tags[1])
                            .register(registry),
                    DistributionSummary.builder(BATCH_REQUESTS).description("Requests per model call").tag("endpoint", tags[0])
                            .tag("version", tags[1]).register(registry));
        });
        meters.rows().record(rows);
        meters.requests().record(requests);
    }

    private static String[] tags(String modelKey) {
        int at = modelKey.indexOf('@');
        int colon = modelKey.lastIndexOf(':');
        String endpoint = at < 0 ? modelKey : modelKey.substring(0, at);
        String version = colon < 0 ? "" : modelKey.substring(colon + 1);
        return new String[] {endpoint, version};
    }

    /** A summary of one endpoint's meters, per version. */
    Map<String, Object> summary(String endpoint) {
        Map<String, Map<String, Object>> versions = new TreeMap<>();
        for (Meter meter : registry.find(REQUESTS).tag("endpoint", endpoint).meters()) {
            counts(versions, meter, "requests", meter.getId().getTag("outcome"));
        }
        for (Meter meter : registry.find(ERRORS).tag("endpoint", endpoint).meters()) {
            counts(versions, meter, "errors", meter.getId().getTag("kind"));
        }
        for (Meter meter : registry.find(FALLBACKS).tag("endpoint", endpoint).meters()) {
            counts(versions, meter, "fallbacks", meter.getId().getTag("mode"));
        }
        for (Meter meter : registry.find(SHADOW).tag("endpoint", endpoint).meters()) {
            counts(versions, meter, "shadow", meter.getId().getTag("outcome"));
        }
        for (Timer timer : registry.find(LATENCY).tag("endpoint", endpoint).timers()) {
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("count", timer.count());
            latency.put("meanMillis", timer.mean(TimeUnit.MILLISECONDS));
            latency.put("maxMillis", timer.max(TimeUnit.MILLISECONDS));
            for (ValueAtPercentile percentile : timer.takeSnapshot().percentileValues()) {
                latency.put("p" + Math.round(percentile.percentile() * 100) + "Millis", percentile.value(TimeUnit.MILLISECONDS));
            }
            version(versions, timer).put("latency", latency);
        }
        for (DistributionSummary summary : registry.find(BATCH_ROWS).tag("endpoint", endpoint).summaries()) {
            version(versions, summary).put("batchRows", Map.of("calls", summary.count(), "mean", summary.mean(), "max", summary.max()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("endpoint", endpoint);
        Counter rejected = registry.find(REJECTED).tag("endpoint", endpoint).counter();
        result.put("rejected", rejected == null ? 0 : (long) rejected.count());
        result.put("versions", versions);
        return result;
    }

    @SuppressWarnings("unchecked")
    private static void counts(Map<String, Map<String, Object>> versions, Meter meter, String group, String key) {
        Map<String, Object> counts = (Map<String, Object>) version(versions, meter).computeIfAbsent(group, ignored -> new TreeMap<>());
        long value = (long) ((Counter) meter).count();
        counts.merge(key, value, (a, b) -> (Long) a + (Long) b);
    }

    private static Map<String, Object> version(Map<String, Map<String, Object>> versions, Meter meter) {
        return versions.computeIfAbsent(meter.getId().getTag("version"), ignored -> new LinkedHashMap<>());
    }
}
