package dev.keel.core.serving;

import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.Tensor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An answer: the outputs as the model gave them and which version gave them.
 *
 * @param endpoint the endpoint, or the model name for calls straight to a model
 * @param version the version that answered (for a default response, the version that failed)
 * @param route the route the request took
 * @param fallback the fallback that answered ({@code previous-version} or {@code default-response}), if the model failed
 * @param failedVersion the version that failed, when a fallback answered
 */
public record Prediction(String endpoint, ModelVersion version, String requestId, Map<String, Tensor> outputs, int rows, Route route,
                         Optional<FallbackMode> fallback, Optional<Integer> failedVersion, Duration latency) {
    public Prediction {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(requestId, "requestId");
        outputs = Map.copyOf(outputs);
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(failedVersion, "failedVersion");
        Objects.requireNonNull(latency, "latency");
    }
}
