package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A data expectation of a pipeline run that rows violated.
 *
 * @param projectName the project the pipeline belongs to, also {@link #project()}
 * @param expectation the expectation's name in the spec
 * @param dataset the dataset (output or step) it checks
 * @param violations how many rows violated it
 * @param action what the spec says to do with them ({@code fail}, {@code quarantine}, {@code warn})
 */
public record ExpectationFailed(String projectName, String pipeline, String runId, String expectation, String dataset, long violations,
                                String action, String message, Instant at) implements KeelEvent {
    public ExpectationFailed {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(expectation, "expectation");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
