package dev.keel.core.serving.engine;

import dev.keel.spi.LoadedModel;
import dev.keel.spi.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * One call to score: the model, its inputs, and a key naming the model in metrics and messages.
 *
 * @param modelKey a name for metrics and messages, for example {@code churn:5}; batching groups by {@code model}, not by key
 * @param batching how this request may be batched; a batch follows the policy of the request that opened it
 */
public record ScoringRequest(String modelKey, LoadedModel model, Map<String, Tensor> inputs, BatchPolicy batching) {
    public ScoringRequest {
        Objects.requireNonNull(modelKey, "modelKey");
        Objects.requireNonNull(model, "model");
        inputs = Map.copyOf(inputs);
        Objects.requireNonNull(batching, "batching");
    }

    /** A request batched by the pool's settings. */
    public ScoringRequest(String modelKey, LoadedModel model, Map<String, Tensor> inputs) {
        this(modelKey, model, inputs, BatchPolicy.pool());
    }
}
