package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A pipeline source that could not be read (unreachable: missing file, refused connection, HTTP error) or answered too slowly.
 *
 * @param projectName the project the pipeline belongs to, also {@link #project()}
 * @param source the source's name in the pipeline spec
 * @param kind unreachable or slow
 */
public record SourceFailed(String projectName, String pipeline, String runId, String source, Kind kind, String message, Instant at)
        implements KeelEvent {
    /** How the source failed. */
    public enum Kind {
        /** It could not be read at all. */
        UNREACHABLE,
        /** It answered, but slower than its limit. */
        SLOW
    }

    public SourceFailed {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
