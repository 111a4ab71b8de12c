package dev.keel.core.batch;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The record of one scoring run, as kept in {@code batch_runs}.
 *
 * @param scoredAt the time stamped on every row the run writes, fixed when the run starts so that a resumed run stamps alike
 * @param rowsWritten rows written over every attempt of the run
 */
public record BatchRun(String id, String job, String project, String model, int modelVersion, String dataset, int datasetVersion,
                       int chunkSize, Status status, Instant scoredAt, Instant createdAt, Optional<Instant> finishedAt, long rowsWritten,
                       Optional<String> message) {
    public BatchRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(message, "message");
    }

    /** Where a run stands. */
    public enum Status {
        RUNNING,
        SUCCEEDED,
        FAILED
    }
}
