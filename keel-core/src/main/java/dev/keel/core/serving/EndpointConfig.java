package dev.keel.core.serving;

import dev.keel.core.error.KeelException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an endpoint serves and how: the model alias it follows, canary and shadow routes, batching, overload limits, the
 * scoring timeout and what to answer when the model fails.
 *
 * @param alias the alias (or version number, or {@code latest}) of {@code model} that takes the traffic
 * @param maxConcurrency requests scored at once; more wait in the queue
 * @param queue requests that may wait for a free slot; beyond them a request is refused with 429
 * @param timeoutMillis how long a request may wait and score before it fails (or falls back)
 */
public record EndpointConfig(String name, String model, String alias, Optional<Canary> canary, Optional<Target> shadow, Batching batching,
                             int maxConcurrency, int queue, long timeoutMillis, Fallback fallback, Optional<Integer> maxRowsPerRequest,
                             Optional<Integer> maxTensorElements) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    public EndpointConfig {
        KeelException.requireArgument(name != null && NAME.matcher(name).matches(),
                "endpoint name must be 1-63 lower-case letters, digits, '_' or '-', starting with a letter; got '%s'", name);
        KeelException.requireArgument(model != null && !model.isBlank(), "field 'model' is required (the registered model to serve)");
        alias = Objects.requireNonNullElse(alias, "champion");
        KeelException.requireArgument(!alias.isBlank(), "field 'alias' must not be blank");
        canary = Objects.requireNonNullElse(canary, Optional.empty());
        shadow = Objects.requireNonNullElse(shadow, Optional.empty());
        batching = Objects.requireNonNullElse(batching, Batching.defaults());
        fallback = Objects.requireNonNullElse(fallback, Fallback.none());
        KeelException.requireArgument(maxConcurrency >= 1 && maxConcurrency <= 10_000, "maxConcurrency must be between 1 and 10000, got %d",
                maxConcurrency);
        KeelException.requireArgument(queue >= 0 && queue <= 100_000, "queue must be between 0 and 100000, got %d", queue);
        KeelException.requireArgument(timeoutMillis >= 1 && timeoutMillis <= 600_000, "timeoutMillis must be between 1 and 600000, got %d",
                timeoutMillis);
        maxRowsPerRequest = Objects.requireNonNullElse(maxRowsPerRequest, Optional.empty());
        maxTensorElements = Objects.requireNonNullElse(maxTensorElements, Optional.empty());
        maxRowsPerRequest.ifPresent(rows -> KeelException.requireArgument(rows >= 1,
                "maxRowsPerRequest must be at least 1 (rows of one predict call), got %d", rows));
        maxTensorElements.ifPresent(elements -> KeelException.requireArgument(elements >= 1,
                "maxTensorElements must be at least 1 (values of one call), got %d", elements));
    }

    /** An endpoint with default limits (64 concurrent calls, a queue of 256, 2 s) and the server's input limits. */
    public EndpointConfig(String name, String model, String alias, Optional<Canary> canary, Optional<Target> shadow, Batching batching,
                          int maxConcurrency, int queue, long timeoutMillis, Fallback fallback) {
        this(name, model, alias, canary, shadow, batching, maxConcurrency, queue, timeoutMillis, fallback, Optional.empty(), Optional.empty());
    }

    /** The server's input limits, narrowed by this endpoint's own where it sets them (an endpoint can lower, never raise). */
    public InputLimits inputLimits(InputLimits server) {
        return new InputLimits(Math.min(server.maxRows(), maxRowsPerRequest.orElse(Integer.MAX_VALUE)),
                Math.min(server.maxTensorElements(), maxTensorElements.orElse(Integer.MAX_VALUE)));
    }

    /** An endpoint on the model's alias with default limits and no canary, shadow or fallback. */
    public static EndpointConfig of(String name, String model, String alias) {
        return new EndpointConfig(name, model, alias, Optional.empty(), Optional.empty(), Batching.defaults(), 64, 256, 2_000,
                Fallback.none());
    }

    /**
     * A version of the endpoint's model, by number or by alias; exactly one is given.
     */
    public record Target(Optional<Integer> version, Optional<String> alias) {
        public Target {
            version = Objects.requireNonNullElse(version, Optional.empty());
            alias = Objects.requireNonNullElse(alias, Optional.empty());
            KeelException.requireArgument(version.isPresent() != alias.isPresent(),
                    "a route target needs exactly one of 'version' (a number) or 'alias'; got version %s, alias %s",
                    version.map(String::valueOf).orElse("none"), alias.orElse("none"));
            version.ifPresent(number -> KeelException.requireArgument(number >= 1, "version must be >= 1, got %d", number));
        }

        public static Target version(int version) {
            return new Target(Optional.of(version), Optional.empty());
        }

        public static Target alias(String alias) {
            return new Target(Optional.empty(), Optional.of(alias));
        }

        /** The reference the registry resolves: the number or the alias. */
        public String reference() {
            return version.map(String::valueOf).orElseGet(alias::orElseThrow);
        }
    }

    /** A share of traffic, in percent, routed to another version; sticky per request key when the caller gives one. */
    public record Canary(Target target, double percent) {
        public Canary {
            Objects.requireNonNull(target, "canary.target");
            KeelException.requireArgument(percent > 0 && percent <= 100, "canary.percent must be above 0 and at most 100, got %s", percent);
        }
    }

    /**
     * Adaptive micro-batching of concurrent requests.
     *
     * @param maxBatchSize the most rows one batched call holds
     * @param maxDelayMillis how long a batch may wait for more requests; 0 batches only what is queued already
     */
    public record Batching(boolean enabled, int maxBatchSize, long maxDelayMillis) {
        public Batching {
            KeelException.requireArgument(maxBatchSize >= 1 && maxBatchSize <= 4096, "batching.maxBatchSize must be between 1 and 4096, got %d",
                    maxBatchSize);
            KeelException.requireArgument(maxDelayMillis >= 0 && maxDelayMillis <= 1000,
                    "batching.maxDelayMillis must be between 0 and 1000, got %d", maxDelayMillis);
        }

        /** On, up to 32 rows, no added delay. */
        public static Batching defaults() {
            return new Batching(true, 32, 0);
        }
    }

    /**
     * What to answer when the model errors, times out or is out of rotation.
     *
     * @param mode {@code none} (fail the request), {@code previous-version} (the version the alias held before, or the main
     *     version when a canary failed) or {@code default-response}
     * @param response for {@code default-response}: each output's value for one row, such as {@code {"probabilities": [0.5, 0.5]}};
     *     it must give every output of the versions the endpoint serves, and is typed and shaped as their signature declares
     */
    public record Fallback(FallbackMode mode, Map<String, Object> response) {
        public Fallback {
            mode = Objects.requireNonNullElse(mode, FallbackMode.NONE);
            response = Map.copyOf(Objects.requireNonNullElse(response, Map.of()));
            KeelException.requireArgument(mode != FallbackMode.DEFAULT_RESPONSE || !response.isEmpty(),
                    "fallback.mode default-response needs fallback.response, the outputs of one row, such as {\"score\": 0}");
            KeelException.requireArgument(mode == FallbackMode.DEFAULT_RESPONSE || response.isEmpty(),
                    "fallback.response is only used with mode default-response, not '%s'", mode.wireName());
        }

        /** A fallback as sent: the mode's wire name ({@code null}: none) and the response. */
        public static Fallback parse(String mode, Map<String, Object> response) {
            return new Fallback(FallbackMode.fromWire(mode), response);
        }

        public static Fallback none() {
            return new Fallback(FallbackMode.NONE, Map.of());
        }
    }
}
