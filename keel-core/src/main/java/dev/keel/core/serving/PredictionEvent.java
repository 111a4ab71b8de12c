package dev.keel.core.serving;

import dev.keel.spi.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One prediction as a listener sees it.
 *
 * @param endpoint the endpoint, or the model name for calls straight to a model
 * @param inputs the tensors the model was given
 * @param outputs what the model (or the fallback) answered
 * @param fallback the answer came from a fallback
 * @param shadow this was a shadow call whose answer went to no caller
 */
public record PredictionEvent(String endpoint, String model, int version, String requestId, Map<String, Tensor> inputs,
                              Map<String, Tensor> outputs, Duration latency, Instant at, boolean fallback, boolean shadow) {
    public PredictionEvent {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestId, "requestId");
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(at, "at");
    }
}
