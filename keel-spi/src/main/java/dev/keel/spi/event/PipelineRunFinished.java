package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A pipeline run that succeeded, on its {@code attempt}-th try (1 for the first).
 *
 * @param projectName the project the pipeline belongs to, also {@link #project()}
 */
public record PipelineRunFinished(String projectName, String pipeline, String runId, int attempt, Instant at) implements KeelEvent {
    public PipelineRunFinished {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
