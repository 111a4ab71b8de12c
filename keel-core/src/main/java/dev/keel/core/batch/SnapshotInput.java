package dev.keel.core.batch;

import dev.keel.core.error.KeelException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A dataset version's snapshot file restricted to a selection, in file row order: every row (a scan that starts at a file row
 * number), the rows in a watermark range (a filtered scan, which keeps insertion order, skipping {@code n} rows), or the rows the
 * version {@code changedSince} does not hold (an anti-join over every column, {@code IS NOT DISTINCT FROM} so that NULLs match,
 * sorted by file row number; none when that version is the pinned one).
 */
final class SnapshotInput implements ScoringInput {
    private final Path file;
    private final Optional<Path> previous;
    private final List<Column> columns;
    private final Optional<ScoringInputs.Watermark> watermark;
    private final OptionalLong rows;
    private final String label;
    private final boolean empty;
    private final Runnable release;

    /**
     * @param previous the snapshot of version {@code changedSince} when only new or changed rows are read; a version that lacks a
     *     column, or has it with another kind of type, holds none of the rows
     * @param rows the version's row count, when every row is read
     * @param release run on {@link #close()}: gives the snapshot files back (deletes decrypted copies)
     */
    SnapshotInput(Path file, Optional<Path> previous, Optional<ScoringInputs.Watermark> watermark, OptionalLong rows, String label,
                  Runnable release) {
        this.release = Objects.requireNonNull(release, "release");
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        this.watermark = Objects.requireNonNull(watermark, "watermark");
        this.label = Objects.requireNonNull(label, "label");
        boolean itself = previous.isPresent() && previous.get().toAbsolutePath().equals(this.file);
        this.rows = itself ? OptionalLong.of(0) : rows;
        this.empty = itself;
        try (Connection connection = DuckSql.connect(false, false, label)) {
            this.columns = DuckSql.describe(connection, scan(this.file, false));
            Optional<Path> compared = Optional.empty();
            if (previous.isPresent()) {
                Path old = previous.get().toAbsolutePath();
                List<Column> oldColumns = DuckSql.describe(connection, scan(old, false));
                compared = comparable(columns, oldColumns) ? Optional.of(old) : Optional.empty();
            }
            this.previous = compared;
        } catch (SQLException e) {
            throw DuckSql.failure(label, e);
        }
        DuckSql.watermark(watermark, columns, "", label);
    }

    @Override
    public void close() {
        release.run();
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public OptionalLong count() {
        if (rows.isPresent()) {
            return rows;
        }
        Query query = query("COUNT(*)", false);
        try (Connection connection = DuckSql.connect(false, false, label)) {
            return OptionalLong.of(DuckSql.count(connection, query.sql(), query.parameters()));
        } catch (SQLException e) {
            throw DuckSql.failure(label, e);
        }
    }

    @Override
    public Cursor rows(long firstRow) {
        KeelException.requireArgument(firstRow >= 0, "first row must be >= 0; got %d", firstRow);
        String sql;
        List<Object> parameters = new ArrayList<>();
        if (watermark.isEmpty() && previous.isEmpty()) {
            sql = "SELECT " + DuckSql.select(columns, "") + " FROM " + scan(file, true) + " WHERE file_row_number >= ?";
        } else {
            Query query = query(DuckSql.select(columns, "p"), true);
            sql = query.sql() + " OFFSET ?";
            parameters.addAll(query.parameters());
        }
        parameters.add(firstRow);
        if (empty) {
            sql += " LIMIT 0";
        }
        Connection connection = DuckSql.connect(true, false, label);
        try {
            PreparedStatement statement = DuckSql.prepare(connection, sql, parameters);
            statement.setFetchSize(DuckSql.FETCH_SIZE);
            ResultSet result = statement.executeQuery();
            return new JdbcCursor(result, DuckSql.readers(columns), List.of(connection, statement), e -> DuckSql.failure(label, e));
        } catch (SQLException e) {
            JdbcCursor.closeQuietly(connection);
            throw DuckSql.failure(label, e);
        }
    }

    private record Query(String sql, List<Object> parameters) {
    }

    /** The selected rows, {@code select} of them; ordered by file row number for reading when rows are compared with a version. */
    private Query query(String select, boolean ordered) {
        DuckSql.Predicate range = DuckSql.watermark(watermark, columns, "p", label);
        StringBuilder sql = new StringBuilder("SELECT ").append(select).append(" FROM ").append(scan(file, true)).append(" AS p WHERE true")
                .append(range.and());
        if (previous.isPresent()) {
            sql.append(" AND NOT EXISTS (SELECT 1 FROM ").append(scan(previous.get(), false)).append(" AS o WHERE true");
            for (Column column : columns) {
                sql.append(" AND o.").append(DuckSql.quote(column.name())).append(" IS NOT DISTINCT FROM p.").append(DuckSql.quote(column.name()));
            }
            sql.append(")");
            if (ordered) {
                sql.append(" ORDER BY p.file_row_number");
            }
        }
        return new Query(sql.toString(), range.parameters());
    }

    /** True when every column has a column of its name and kind (integer, number, string, …) in the earlier version. */
    private static boolean comparable(List<Column> columns, List<Column> earlier) {
        return columns.stream().allMatch(column -> earlier.stream().anyMatch(old -> old.name().equals(column.name()) && old.type() == column.type()));
    }

    private static String scan(Path file, boolean rowNumbers) {
        return "read_parquet(" + DuckSql.literal(file.toString()) + (rowNumbers ? ", file_row_number = true" : "") + ")";
    }
}
