package dev.keel.core.batch;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The record of one scoring run, as kept in {@code batch_runs}.
 *
 * @param input what the run read: the dataset's name, or a description of the table, query or files
 * @param datasetVersion the dataset version read; 0 for other inputs
 * @param scoredAt the time stamped on every row the run writes, fixed when the run starts so that a resumed run stamps alike
 * @param rowsRead input rows read over every attempt of the run, scored or quarantined
 * @param rowsWritten rows written over every attempt of the run
 * @param rowsQuarantined rows refused before scoring and written to the quarantine
 * @param rowsTotal the rows the run's selection holds, when they could be counted at start
 * @param watermark the watermark range an incremental run read, or empty
 * @param changedSince for an incremental run over dataset changes, the version whose rows were left out; 0 otherwise
 */
public record BatchRun(String id, String job, String project, String model, int modelVersion, String input, int datasetVersion,
                       int chunkSize, Status status, Instant scoredAt, Instant createdAt, Optional<Instant> finishedAt, long rowsRead,
                       long rowsWritten, long rowsQuarantined, OptionalLong rowsTotal, Optional<ScoringInputs.Watermark> watermark,
                       int changedSince, boolean cancelRequested, Optional<String> message) {
    public BatchRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(rowsTotal, "rowsTotal");
        Objects.requireNonNull(watermark, "watermark");
        Objects.requireNonNull(message, "message");
    }

    /** Where a run stands. */
    public enum Status {
        RUNNING,
        SUCCEEDED,
        FAILED,
        /** Stopped on request after a chunk; executing the run id again resumes it. */
        CANCELLED;

        /** Whether the run has stopped (for now: a failed or cancelled run can be resumed). */
        public boolean stopped() {
            return this != RUNNING;
        }
    }
}
