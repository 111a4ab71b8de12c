package dev.keel.core.training;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One training run: what started it, what it trained on, what it produced and what became of the challenger.
 *
 * @param specVersion the version of the model's training spec the run followed
 * @param triggerKind {@code manual}, {@code incident}, {@code schedule} or {@code labels}
 * @param triggerRef what triggered it: the incident id, the cron expression, the label count; empty by hand
 * @param modelVersion the version registered from the challenger, when one was
 * @param code why a run did not succeed, in one word ({@code TRAINER_CRASHED}, {@code GATE_FAILED}, ...)
 * @param detail parameters, claimed and verified metrics, the gate's verdict and the promotion, as JSON-ready values
 */
public record TrainingRun(String id, String model, String project, int specVersion, Status status, String triggerKind, String triggerRef,
                          String actor, Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt, Optional<String> dataset,
                          OptionalInt datasetVersion, Optional<String> datasetSha256, OptionalInt modelVersion, Optional<String> code,
                          Optional<String> message, Map<String, Object> detail) {
    public TrainingRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        detail = Map.copyOf(detail);
    }

    /** Where a run is. */
    public enum Status {
        /** Waiting for the trainer. */
        QUEUED,
        /** Reading data, training or evaluating. */
        RUNNING,
        /** A challenger was registered and passed the gate. */
        SUCCEEDED,
        /** A challenger was produced and refused: wrong signature, or worse than the champion at the gate. */
        REFUSED,
        /** No challenger: bad data, the trainer crashed or timed out, or a restart cut the run off. */
        FAILED,
        /** Stopped by a person. */
        CANCELLED;

        /** True for a run that will not change any more. */
        public boolean finished() {
            return this != QUEUED && this != RUNNING;
        }
    }

    /** The run as it ends. */
    public TrainingRun finish(Status end, Instant at, Optional<String> why, Optional<String> text, Map<String, Object> details) {
        return new TrainingRun(id, model, project, specVersion, end, triggerKind, triggerRef, actor, createdAt, startedAt, Optional.of(at), dataset,
                datasetVersion, datasetSha256, modelVersion, why, text, details);
    }
}
