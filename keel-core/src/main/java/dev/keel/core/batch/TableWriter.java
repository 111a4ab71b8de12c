package dev.keel.core.batch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL a scoring run sends to its destination, portable across SQLite (3.24 or later, for ON CONFLICT) and PostgreSQL.
 * Identifiers come from checked specs and are quoted as well.
 */
final class TableWriter {
    /** The columns every output row carries after the keys and outputs. */
    static final List<ScoringPlan.OutputColumn> RUN_COLUMNS = List.of(new ScoringPlan.OutputColumn("model", "TEXT"),
            new ScoringPlan.OutputColumn("model_version", "INTEGER"), new ScoringPlan.OutputColumn("run_id", "TEXT"),
            new ScoringPlan.OutputColumn("run_chunk", "INTEGER"), new ScoringPlan.OutputColumn("scored_at", "TEXT"));

    private final List<ScoringPlan.OutputColumn> columns;
    private final List<String> keys;

    /** {@code keys} non-empty makes the table's primary key and the writes upserts. */
    TableWriter(List<ScoringPlan.OutputColumn> outputColumns, List<String> keys) {
        List<ScoringPlan.OutputColumn> all = new ArrayList<>(outputColumns);
        all.addAll(RUN_COLUMNS);
        this.columns = List.copyOf(all);
        this.keys = List.copyOf(keys);
    }

    void create(Connection connection, String table) throws SQLException {
        String definitions = columns.stream().map(column -> ParquetInput.quote(column.name()) + " " + column.sqlType()
                + (keys.contains(column.name()) ? " NOT NULL" : "")).collect(Collectors.joining(", "));
        String primaryKey = keys.isEmpty() ? "" : ", PRIMARY KEY (" + keys.stream().map(ParquetInput::quote).collect(Collectors.joining(", ")) + ")";
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + ParquetInput.quote(table) + " (" + definitions + primaryKey + ")");
            if (keys.isEmpty()) {
                statement.execute("CREATE INDEX IF NOT EXISTS " + ParquetInput.quote(ScoringRun.hashedName("keel_run_chunk_", table)) + " ON "
                        + ParquetInput.quote(table) + " (run_id, run_chunk)");
            }
        }
    }

    static boolean exists(Connection connection, String table) {
        try (Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT 1 FROM " + ParquetInput.quote(table) + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Removes what an earlier attempt at this chunk wrote, so that writing it again leaves it once. */
    static void deleteChunk(Connection connection, String table, String runId, int chunk) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM " + ParquetInput.quote(table)
                + " WHERE run_id = ? AND run_chunk = ?")) {
            statement.setString(1, runId);
            statement.setInt(2, chunk);
            statement.executeUpdate();
        }
    }

    /**
     * Inserts the rows (upserts them when there are keys); each row holds the output columns' values, then the run's. PostgreSQL is
     * loaded with {@code COPY} ({@link PostgresCopy}); SQLite with batched INSERTs.
     */
    int write(Connection connection, String table, List<Object[]> rows, Object[] runValues) throws SQLException {
        if (isPostgres(connection)) {
            return PostgresCopy.write(connection, table, columns, keys, rows, runValues);
        }
        return insert(connection, table, rows, runValues);
    }

    private static boolean isPostgres(Connection connection) throws SQLException {
        return connection.getMetaData().getDatabaseProductName().equals("PostgreSQL");
    }

    /** Batched INSERTs, or upserts when there are keys. */
    int insert(Connection connection, String table, List<Object[]> rows, Object[] runValues) throws SQLException {
        String names = columns.stream().map(column -> ParquetInput.quote(column.name())).collect(Collectors.joining(", "));
        String marks = columns.stream().map(column -> "?").collect(Collectors.joining(", "));
        StringBuilder sql = new StringBuilder("INSERT INTO " + ParquetInput.quote(table) + " (" + names + ") VALUES (" + marks + ")");
        if (!keys.isEmpty()) {
            sql.append(" ON CONFLICT (").append(keys.stream().map(ParquetInput::quote).collect(Collectors.joining(", "))).append(") DO UPDATE SET ")
                    .append(columns.stream().filter(column -> !keys.contains(column.name()))
                            .map(column -> ParquetInput.quote(column.name()) + " = excluded." + ParquetInput.quote(column.name()))
                            .collect(Collectors.joining(", ")));
        }
        int outputs = columns.size() - runValues.length;
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (Object[] row : rows) {
                for (int i = 0; i < outputs; i++) {
                    statement.setObject(i + 1, row[i]);
                }
                for (int i = 0; i < runValues.length; i++) {
                    statement.setObject(outputs + i + 1, runValues[i]);
                }
                statement.addBatch();
            }
            statement.executeBatch();
        }
        return rows.size();
    }

    /** Replaces {@code table} with {@code staging}; the caller runs it in one transaction. */
    static void swap(Connection connection, String staging, String table) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + ParquetInput.quote(table));
            statement.execute("ALTER TABLE " + ParquetInput.quote(staging) + " RENAME TO " + ParquetInput.quote(table));
        }
    }
}
