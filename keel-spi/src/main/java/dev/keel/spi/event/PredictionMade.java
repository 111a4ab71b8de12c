package dev.keel.spi.event;

import dev.keel.spi.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One answered prediction: what the model was given and what was answered.
 *
 * @param endpoint the endpoint, or the model name for calls straight to a model
 * @param inputs the tensors the model was given (empty for an answer a fallback made up)
 * @param outputs what the model (or the fallback) answered
 * @param source whether the model, a fallback or a shadow call answered
 */
public record PredictionMade(String endpoint, String model, int version, String requestId, Map<String, Tensor> inputs,
                             Map<String, Tensor> outputs, Duration latency, Instant at, Source source) implements KeelEvent {

    /** Who answered. */
    public enum Source {
        /** The version the request was routed to. */
        MODEL,
        /** A fallback, after the routed version failed or was out of rotation. */
        FALLBACK,
        /** A shadow call whose answer went to no caller. */
        SHADOW
    }

    public PredictionMade {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestId, "requestId");
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(source, "source");
    }

    /** True when a fallback answered. */
    public boolean fallback() {
        return source == Source.FALLBACK;
    }

    /** True for a shadow call. */
    public boolean shadow() {
        return source == Source.SHADOW;
    }
}
