package dev.keel.core.monitor;

import dev.keel.core.error.KeelException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One logged prediction: who answered it (endpoint, model, version), what went in and came out, how long it took and when.
 *
 * @param inputs feature name to value (number, string, boolean; null for missing)
 * @param outputs output name to value, e.g. {@code label} and {@code probability}
 * @param latencyMillis time spent answering, in milliseconds
 * @param fallback the answer came from a fallback model
 * @param shadow the prediction was made in shadow and not returned to the caller
 */
public record PredictionRecord(String requestId, String endpoint, String model, int version, Instant time, double latencyMillis,
                               Map<String, Object> inputs, Map<String, Object> outputs, boolean fallback, boolean shadow) {
    public PredictionRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(time, "time");
        KeelException.requireArgument(!requestId.isBlank(), "prediction field 'requestId' must not be blank");
        KeelException.requireArgument(!endpoint.isBlank(), "prediction field 'endpoint' must not be blank");
        KeelException.requireArgument(!model.isBlank(), "prediction field 'model' must not be blank");
        KeelException.requireArgument(version >= 1, "prediction field 'version' is %d; expected a version number >= 1", version);
        if (!(inputs instanceof FeatureRow)) {
            inputs = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(inputs, Map.of())));
        }
        if (!(outputs instanceof JsonText)) {
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(outputs, Map.of())));
        }
    }
}
