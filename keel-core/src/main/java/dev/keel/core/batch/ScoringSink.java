package dev.keel.core.batch;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * Where a scoring run writes, one chunk at a time. Writing a chunk again replaces what an earlier attempt wrote of it, so a chunk
 * that was written but not checkpointed (a kill between the two) is left once when the run resumes.
 */
public interface ScoringSink extends AutoCloseable {
    /**
     * Prepares the destination at every attempt, before the first chunk: creates the table, the staging table or directory.
     *
     * @param resumed whether earlier attempts checkpointed chunks
     * @return false when there is nothing left to do: a replace run resumed after its swap (or publish) had happened
     */
    boolean prepare(boolean resumed);

    /**
     * Writes chunk {@code chunk}.
     *
     * @param rows per row, the copied input columns then the outputs, in {@link ScoringPlan#columns()} order
     * @param runValues the run columns' values (model, model version, run id, chunk, scored-at)
     * @param checkpoint called exactly once when the chunk is durable, inside the chunk's own transaction when the sink writes
     *     to Keel's store
     * @return the rows written
     */
    int write(int chunk, List<Object[]> rows, Object[] runValues, Checkpoint checkpoint);

    /** After the last chunk: swaps the staging table in, publishes the dataset version. Safe to call again after a failure. */
    void finish();

    @Override
    default void close() {
    }

    /** Records a chunk as done. */
    interface Checkpoint {
        /**
         * @param storeConnection a connection to Keel's store inside the transaction that wrote the chunk, or empty when the chunk
         *     was written elsewhere and committed already
         * @throws dev.keel.core.error.KeelException UNAVAILABLE when the store fails; CONFLICT when the run lost its lease
         */
        void record(Optional<Connection> storeConnection, int written);
    }
}
