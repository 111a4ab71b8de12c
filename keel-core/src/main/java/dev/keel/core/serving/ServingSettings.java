package dev.keel.core.serving;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.serving.engine.ScoringConfig;
import dev.keel.spi.RuntimeOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code serving} section of the configuration.
 *
 * @param scoring the scoring threads, their queue and the global batching limits
 * @param runtime how models are loaded: intra-op threads, graph optimization level and one session per scoring thread
 * @param cachedModels versions kept loaded for calls straight to a model (not through an endpoint)
 * @param refreshInterval how often endpoints are checked against the store, for changes made through another replica
 * @param breaker when a failing version is taken out of rotation ({@code serving.breaker})
 * @param direct the per-model limits of models called by name that no endpoint serves ({@code serving.direct})
 * @param input how much one prediction call may carry ({@code max-rows-per-request}, {@code max-tensor-elements})
 * @param overload how many 429 refusals of one endpoint within a window make it overloaded ({@code serving.overload})
 * @param shadow when shadow answers disagree with the main version's often enough to report ({@code serving.shadow})
 */
public record ServingSettings(ScoringConfig scoring, RuntimeOptions runtime, int cachedModels, Duration refreshInterval,
                              BreakerSettings breaker, DirectLimits direct, InputLimits input, OverloadSettings overload,
                              ShadowSettings shadow) {
    public ServingSettings {
        Objects.requireNonNull(overload, "overload");
        Objects.requireNonNull(shadow, "shadow");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(scoring, "scoring");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(direct, "direct");
    }

    /**
     * Reads {@code serving.*}: workers, queue-capacity, max-batch-rows, max-delay, intra-op-threads, optimization-level,
     * breaker.*, direct.*, overload.*, shadow.*, max-rows-per-request, max-tensor-elements, ...
     */
    public static ServingSettings from(ConfigNode node) {
        int workers = node.integer("workers", Runtime.getRuntime().availableProcessors(), 1, 1024);
        ScoringConfig scoring = new ScoringConfig(workers, node.integer("queue-capacity", 4096, 1, 1_000_000), node.bool("batching", true),
                node.integer("max-batch-rows", 256, 1, 65_536), node.duration("max-delay", Duration.ZERO), node.bool("inline-scoring", true));
        RuntimeOptions runtime = new RuntimeOptions(node.integer("intra-op-threads", 1, 0, 256),
                node.oneOf("optimization-level", "all", List.of("none", "basic", "extended", "all")), Math.min(workers, 256));
        ServingSettings settings = new ServingSettings(scoring, runtime, node.integer("cached-models", 4, 1, 1024),
                node.duration("refresh-interval", Duration.ofSeconds(5)), BreakerSettings.from(node.section("breaker")),
                DirectLimits.from(node.section("direct")),
                new InputLimits(node.integer("max-rows-per-request", InputLimits.DEFAULT_MAX_ROWS, 1, 10_000_000),
                        node.integer("max-tensor-elements", InputLimits.DEFAULT_MAX_TENSOR_ELEMENTS, 1, 1 << 30)),
                OverloadSettings.from(node.section("overload")), ShadowSettings.from(node.section("shadow")));
        node.rejectUnknownKeys();
        return settings;
    }

    /** The defaults, for tests. */
    public static ServingSettings defaults() {
        return from(ConfigNode.empty());
    }
}
