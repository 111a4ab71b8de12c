/**
 * Batch scoring: a scoring job reads a Keel dataset version in chunks, scores each chunk with one call to a registered model
 * version and writes the predictions, with the key columns carried through, to a SQLite or PostgreSQL table (loaded with
 * {@code COPY} on PostgreSQL), a directory of Parquet files under the batch output root, or a new version of a Keel dataset.
 *
 * <p>A run is idempotent and resumable: {@code batch_runs} pins the model version, the chunk size and the scored-at time of a
 * run id, and {@code batch_chunks} records each chunk written. A chunk's rows carry the run id and chunk number, so a chunk
 * that was written but not checkpointed is deleted and written again on resume; when the destination is Keel's own store
 * the write and its checkpoint commit in one transaction.
 *
 * <p>Inputs ({@link dev.keel.core.batch.ScoringInputs#standard}) give their rows in an order that is the same every time they
 * are opened with the same pin and selection, which is what makes a resume exact: a dataset's snapshot in file row order, a
 * database query under {@code ORDER BY} read from {@code OFFSET n} in a read-only transaction, matched files sorted by path and
 * each read in file order. See {@code docs/batch.md}.
 */
package dev.keel.core.batch;
