package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An attempt of a batch scoring run that failed: the model threw, the input or the destination could not be read or written,
 * or the run could not start.
 *
 * @param projectName the project of the scoring job, also {@link #project()}
 * @param runId the scoring run; a retry resumes the same run id from its last checkpoint
 * @param attempt which attempt of the run failed, 1 for the first
 * @param willRetry whether another attempt follows after the job's retry delay
 * @param message what happened, for people
 */
public record ScoringRunFailed(String projectName, String job, String runId, int attempt, String message, boolean willRetry, Instant at)
        implements KeelEvent {
    public ScoringRunFailed {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
        }
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
