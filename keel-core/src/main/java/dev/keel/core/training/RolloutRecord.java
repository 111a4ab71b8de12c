package dev.keel.core.training;

import java.time.Instant;
import java.util.Optional;

/** A progressive rollout of a version on an endpoint, as stored. */
public record RolloutRecord(String id, String model, String project, String endpoint, int version, String alias, Optional<String> runId,
                            Status status, TrainingSpec.Rollout settings, Instant startedAt, Optional<Instant> finishedAt, long requests, long errors,
                            Optional<String> reason) {
    /** Where a rollout is. */
    public enum Status {
        /** The version has its canary share and is being watched. */
        RUNNING,
        /** It passed: the version took the alias and the canary was removed. */
        PROMOTED,
        /** It broke a limit (or the server restarted): the canary was removed and the alias did not move. */
        ABORTED
    }
}
