package dev.keel.server.serving;

import dev.keel.core.error.KeelException;
import dev.keel.core.serving.EndpointConfig;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of POST /v1/endpoints and PUT /v1/endpoints/{name}; absent fields take the defaults.
 *
 * @param canary {@code {"version": 3, "percent": 10}} or {@code {"alias": "challenger", "percent": 10}}
 * @param shadow {@code {"version": 2}} or {@code {"alias": "challenger"}}
 */
record EndpointBody(String name, String model, String alias, Canary canary, Target shadow, Batching batching, Integer maxConcurrency,
                    Integer queue, Long timeoutMillis, Fallback fallback, Integer maxRowsPerRequest, Integer maxTensorElements) {

    record Target(Integer version, String alias) {
        EndpointConfig.Target toTarget() {
            return new EndpointConfig.Target(Optional.ofNullable(version), Optional.ofNullable(alias));
        }
    }

    record Canary(Integer version, String alias, Double percent) {
    }

    record Batching(Boolean enabled, Integer maxBatchSize, Long maxDelayMillis) {
    }

    record Fallback(String mode, Map<String, Object> response) {
    }

    EndpointConfig toConfig(Optional<String> pathName) {
        String endpointName = pathName.orElse(name);
        if (pathName.isPresent() && name != null) {
            KeelException.requireArgument(name.equals(pathName.get()), "the body names endpoint '%s' but the path names '%s'", name,
                    pathName.get());
        }
        EndpointConfig defaults = EndpointConfig.of(Objects.requireNonNullElse(endpointName, "x"), Objects.requireNonNullElse(model, "x"), alias);
        Optional<EndpointConfig.Canary> canaryConfig = Optional.ofNullable(canary).map(value -> {
            KeelException.requireArgument(value.percent() != null, "canary.percent is required (the share of traffic, 0-100)");
            return new EndpointConfig.Canary(new EndpointConfig.Target(Optional.ofNullable(value.version()), Optional.ofNullable(value.alias())),
                    value.percent());
        });
        EndpointConfig.Batching batchingDefaults = defaults.batching();
        EndpointConfig.Batching batchingConfig = batching == null ? batchingDefaults : new EndpointConfig.Batching(
                Objects.requireNonNullElse(batching.enabled(), batchingDefaults.enabled()),
                Objects.requireNonNullElse(batching.maxBatchSize(), batchingDefaults.maxBatchSize()),
                Objects.requireNonNullElse(batching.maxDelayMillis(), batchingDefaults.maxDelayMillis()));
        return new EndpointConfig(endpointName, model, alias, canaryConfig, Optional.ofNullable(shadow).map(Target::toTarget), batchingConfig,
                Objects.requireNonNullElse(maxConcurrency, defaults.maxConcurrency()), Objects.requireNonNullElse(queue, defaults.queue()),
                Objects.requireNonNullElse(timeoutMillis, defaults.timeoutMillis()),
                fallback == null ? EndpointConfig.Fallback.none() : EndpointConfig.Fallback.parse(fallback.mode(), fallback.response()),
                Optional.ofNullable(maxRowsPerRequest), Optional.ofNullable(maxTensorElements));
    }
}
