/**
 * Batch scoring: a scoring job reads a Keel dataset version in chunks, scores each chunk with one call to a registered model
 * version and writes the predictions, with the key columns carried through, to a SQLite or PostgreSQL table (loaded with
 * {@code COPY} on PostgreSQL), a directory of Parquet files under the batch output root, or a new version of a Keel dataset.
 *
 * <p>A run is idempotent and resumable: {@code batch_runs} pins the model version, the chunk size and the scored-at time of a
 * run id, and {@code batch_chunks} records each chunk written. A chunk's rows carry the run id and chunk number, so a chunk
 * that was written but not checkpointed is deleted and written again on resume; when the destination is Keel's own store
 * the write and its checkpoint commit in one transaction. See {@code docs/batch.md}.
 */
package dev.keel.core.batch;
