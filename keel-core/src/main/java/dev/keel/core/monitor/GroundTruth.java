package dev.keel.core.monitor;

import dev.keel.core.error.KeelException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The true outcome of one prediction, known later: a class label or a numeric value, joined to the log by request id.
 *
 * @param time when the outcome happened or became known
 */
public record GroundTruth(String requestId, Optional<String> label, OptionalDouble value, Instant time) {
    public GroundTruth {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(time, "time");
        KeelException.requireArgument(!requestId.isBlank(), "label field 'requestId' must not be blank");
        KeelException.requireArgument(label.isPresent() || value.isPresent(),
                "label for request '%s' needs 'label' (a class) or 'value' (a number)", requestId);
        KeelException.requireArgument(value.isEmpty() || Double.isFinite(value.getAsDouble()),
                "label for request '%s' has value %s; expected a finite number", requestId, value);
    }
}
