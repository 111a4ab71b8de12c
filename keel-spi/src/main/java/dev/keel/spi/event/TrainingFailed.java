package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A training run that produced no promotable challenger: the trainer crashed, timed out or was cut off by a restart, its model
 * has the wrong signature, or Keel's own evaluation refused it at the comparison gate.
 *
 * @param projectName the project of the model, also {@link #project()}
 * @param runId the training run
 * @param code why, in one word: {@code TRAINER_CRASHED}, {@code TRAINER_TIMED_OUT}, {@code BAD_MODEL}, {@code GATE_FAILED},
 *             {@code INTERRUPTED}, {@code DATA_INVALID}
 * @param message what happened, for people
 */
public record TrainingFailed(String projectName, String model, String runId, String code, String message, Instant at) implements KeelEvent {
    public TrainingFailed {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
