package dev.keel.core.batch;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How a scoring run was started and how many attempts it has had.
 *
 * @param reference what started it besides a person: the cron slot of a scheduled run, the pipeline run of a chained one; empty text
 *     for a manual run
 * @param jobVersion the version of the job's spec the run started with
 * @param attempts executions so far: the first, its retries and resumes
 * @param message the failure of the last attempt, also when it failed before the run was recorded (an unknown model, a bad input)
 */
public record RunTrigger(String runId, String job, String project, Kind kind, String reference, String actor, int jobVersion, int attempts,
                         Instant createdAt, Optional<String> message) {
    public RunTrigger {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(message, "message");
    }

    /** What started a run. */
    public enum Kind {
        /** A person or a client, through the API or the CLI. */
        MANUAL,
        /** A slot of the job's cron schedule. */
        SCHEDULE,
        /** A succeeded run of the pipeline the job runs after. */
        PIPELINE
    }
}
