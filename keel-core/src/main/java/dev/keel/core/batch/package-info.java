/**
 * Batch scoring: a scoring job reads a Keel dataset version in chunks, scores each chunk with one call to a registered model
 * version and writes the predictions, with the key columns carried through, to a SQLite or PostgreSQL table.
 *
 * <p>A run is idempotent and resumable: {@code batch_runs} pins the model version, the chunk size and the scored-at time of a
 * run id, and {@code batch_chunks} records each chunk written. A chunk's rows carry the run id and chunk number, so a chunk
 * that was written but not checkpointed is deleted and written again on resume; when the destination is Keel's own store
 * the write and its checkpoint commit in one transaction.
 *
 * <p>{@link dev.keel.core.batch.BatchScoring} operates jobs on top of the engine: applied specs in {@code batch_jobs}, runs in
 * the background (one per job at a time), retries that execute the same run id again so that it resumes from its checkpoint,
 * cron schedules, chaining after pipeline runs, and a {@code ScoringRunFailed} event for every failed attempt. See
 * {@code docs/batch.md}.
 */
package dev.keel.core.batch;
