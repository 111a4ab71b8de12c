package dev.keel.core.batch;

import dev.keel.core.store.Database;
import java.util.List;
import java.util.Optional;

/**
 * A database table as a run's destination. Append and replace delete a chunk's earlier rows by {@code (run_id, run_chunk)} before
 * writing it; upsert overwrites by key. Replace fills a staging table and swaps it in at the end, in one transaction. In Keel's own
 * store the chunk and its checkpoint commit together.
 */
final class TableSink implements ScoringSink {
    private final ScoringJobSpec.TableDestination destination;
    private final Database database;
    private final boolean sameStore;
    private final BatchRun run;
    private final TableWriter writer;
    private final String target;

    TableSink(ScoringJobSpec.TableDestination destination, Database database, boolean sameStore, List<String> keys, BatchRun run,
              ScoringPlan plan) {
        this.destination = destination;
        this.database = database;
        this.sameStore = sameStore;
        this.run = run;
        this.writer = new TableWriter(plan.columns(), destination.mode() == ScoringJobSpec.Mode.UPSERT ? keys : List.of());
        this.target = destination.mode() == ScoringJobSpec.Mode.REPLACE ? ScoringRun.stagingTable(destination.table(), run.id()) : destination.table();
    }

    @Override
    public boolean prepare(boolean resumed) {
        if (destination.mode() == ScoringJobSpec.Mode.REPLACE && resumed && !database.withConnection(c -> TableWriter.exists(c, target))) {
            // The staging table exists from before chunk 0 until the swap: without it the swap has happened.
            return false;
        }
        database.withConnection(connection -> {
            writer.create(connection, target);
            return null;
        });
        return true;
    }

    @Override
    public int write(int chunk, List<Object[]> rows, Object[] runValues, Checkpoint checkpoint) {
        Database.Work<Integer> writeChunk = connection -> {
            if (destination.mode() != ScoringJobSpec.Mode.UPSERT) {
                TableWriter.deleteChunk(connection, target, run.id(), chunk);
            }
            return rows.isEmpty() ? 0 : writer.write(connection, target, rows, runValues);
        };
        if (sameStore) {
            return database.inTransaction(connection -> {
                int written = writeChunk.run(connection);
                checkpoint.record(Optional.of(connection), written);
                return written;
            });
        }
        int written = database.inTransaction(writeChunk);
        checkpoint.record(Optional.empty(), written);
        return written;
    }

    @Override
    public void finish() {
        if (destination.mode() == ScoringJobSpec.Mode.REPLACE) {
            database.inTransaction(connection -> {
                if (TableWriter.exists(connection, target)) {
                    TableWriter.swap(connection, target, destination.table());
                }
                return null;
            });
        }
    }
}
