package dev.keel.core.data;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a pipeline's cron schedule fires: active (the default), paused until resumed, or deleted until a new spec version
 * declares a schedule again.
 *
 * @param specVersion the pipeline version the change was made on; a deletion ends with the next version
 * @param changedAt when the state last changed; an active schedule fires only for slots after it
 * @param actor who changed it ({@code ""} for a schedule never changed by hand)
 */
public record ScheduleState(String pipeline, Status status, int specVersion, Instant changedAt, String actor) {
    /** The states a schedule can be in. */
    public enum Status {
        ACTIVE, PAUSED, DELETED
    }

    public ScheduleState {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(changedAt, "changedAt");
        Objects.requireNonNull(actor, "actor");
    }
}
