package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A scheduled pipeline run that did not start at its time: the server was down, or the previous run still ran.
 *
 * @param projectName the project the pipeline belongs to, also {@link #project()}
 * @param scheduledFor the time the run was due
 * @param message why it did not start
 */
public record ScheduleMissed(String projectName, String pipeline, Instant scheduledFor, String message, Instant at) implements KeelEvent {
    public ScheduleMissed {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(scheduledFor, "scheduledFor");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
