package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A pipeline run that quarantined a larger share of the rows it read than its limit allows.
 *
 * @param projectName the project the pipeline belongs to, also {@link #project()}
 * @param rate quarantined rows over rows read, between 0 and 1
 * @param limit the largest rate allowed
 */
public record QuarantineExceeded(String projectName, String pipeline, String runId, long quarantined, long rowsIn, double rate, double limit,
                                 Instant at) implements KeelEvent {
    public QuarantineExceeded {
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
