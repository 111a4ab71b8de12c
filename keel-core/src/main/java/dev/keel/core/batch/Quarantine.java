package dev.keel.core.batch;

import dev.keel.core.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/**
 * Where a run writes the rows it refuses before scoring, one row per refused input row: its run and chunk, its number in the input,
 * its keys (a JSON array), the column, the value (masked for a sensitive feature) and the reason. Writing a chunk's refusals again
 * replaces what an earlier attempt wrote of them.
 */
public interface Quarantine {
    /** Writes the refusals of chunk {@code chunk}, replacing any an earlier attempt wrote; returns how many. */
    int write(BatchRun run, int chunk, List<ScoringPlan.Rejected> rejected);

    /** A table of its own in the destination database, created when missing. */
    static Quarantine table(Database database, String table) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
        return new Quarantine() {
            private boolean created;

            @Override
            public int write(BatchRun run, int chunk, List<ScoringPlan.Rejected> rejected) {
                return database.inTransaction(connection -> {
                    if (!created) {
                        create(connection, table);
                        created = true;
                    }
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + ParquetInput.quote(table)
                            + " WHERE run_id = ? AND run_chunk = ?")) {
                        delete.setString(1, run.id());
                        delete.setInt(2, chunk);
                        delete.executeUpdate();
                    }
                    if (rejected.isEmpty()) {
                        return 0;
                    }
                    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ParquetInput.quote(table) + " (run_id, run_chunk,"
                            + " input_row, keys, column_name, value, reason, model, model_version, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                        for (ScoringPlan.Rejected row : rejected) {
                            insert.setString(1, run.id());
                            insert.setInt(2, chunk);
                            insert.setLong(3, row.inputRow());
                            insert.setString(4, keys(row.keys()));
                            insert.setString(5, row.column());
                            insert.setString(6, row.value().orElse(null));
                            insert.setString(7, row.reason());
                            insert.setString(8, run.model());
                            insert.setInt(9, run.modelVersion());
                            insert.setString(10, run.scoredAt().toString());
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                    return rejected.size();
                });
            }
        };
    }

    /** Keel's own {@code batch_quarantine} table, for destinations that are not database tables. */
    static Quarantine store(Database store) {
        Objects.requireNonNull(store, "store");
        return (run, chunk, rejected) -> store.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM batch_quarantine WHERE run_id = ? AND run_chunk = ?", run.id(), chunk);
            for (ScoringPlan.Rejected row : rejected) {
                Database.update(connection, "INSERT INTO batch_quarantine (project, job, run_id, run_chunk, input_row, keys, column_name, value,"
                        + " reason, model, model_version, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", run.project(), run.job(), run.id(),
                        chunk, row.inputRow(), keys(row.keys()), row.column(), row.value().orElse(null), row.reason(), run.model(),
                        run.modelVersion(), run.scoredAt().toString());
            }
            return rejected.size();
        });
    }

    /** Creates a quarantine table when it does not exist. */
    static void create(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + ParquetInput.quote(table) + " (run_id TEXT NOT NULL, run_chunk INTEGER NOT NULL,"
                    + " input_row BIGINT NOT NULL, keys TEXT NOT NULL, column_name TEXT NOT NULL, value TEXT, reason TEXT NOT NULL,"
                    + " model TEXT NOT NULL, model_version INTEGER NOT NULL, scored_at TEXT NOT NULL)");
            statement.execute("CREATE INDEX IF NOT EXISTS " + ParquetInput.quote(ScoringRun.hashedName("keel_quarantine_", table)) + " ON "
                    + ParquetInput.quote(table) + " (run_id, run_chunk)");
        }
    }

    /** The keys as a JSON array. */
    static String keys(List<Object> keys) {
        return dev.keel.core.json.Json.write(keys);
    }
}
