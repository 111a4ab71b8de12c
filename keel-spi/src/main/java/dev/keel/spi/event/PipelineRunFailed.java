package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A pipeline run that failed on its {@code attempt}-th try (1 for the first).
 *
 * @param projectName the project the pipeline belongs to, also {@link #project()}
 * @param willRetry true when the run will be tried again
 */
public record PipelineRunFailed(String projectName, String pipeline, String runId, int attempt, boolean willRetry, String message, Instant at)
        implements KeelEvent {
    public PipelineRunFailed {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
