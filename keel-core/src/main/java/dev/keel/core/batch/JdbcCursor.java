package dev.keel.core.batch;

import dev.keel.core.error.KeelException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A cursor over a streamed JDBC result set: each column read by its own reader, the resources closed in reverse order. */
final class JdbcCursor implements ScoringInput.Cursor {
    /** Reads one column of the current row as the Java value a scoring input gives. */
    @FunctionalInterface
    interface Reader {
        Object read(ResultSet row, int column) throws SQLException;
    }

    private final ResultSet result;
    private final List<Reader> readers;
    private final List<AutoCloseable> resources;
    private final Function<SQLException, KeelException> failure;
    private boolean exhausted;

    /** @param resources what to close with the cursor (the result set is closed first, then these from last to first) */
    JdbcCursor(ResultSet result, List<Reader> readers, List<AutoCloseable> resources, Function<SQLException, KeelException> failure) {
        this.result = result;
        this.readers = List.copyOf(readers);
        this.resources = List.copyOf(resources);
        this.failure = failure;
    }

    @Override
    public List<Object[]> next(int max) {
        List<Object[]> rows = new ArrayList<>(Math.min(Math.max(max, 0), 4_096));
        try {
            while (!exhausted && rows.size() < max) {
                if (!result.next()) {
                    exhausted = true;
                    break;
                }
                Object[] row = new Object[readers.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = readers.get(i).read(result, i + 1);
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw failure.apply(e);
        }
    }

    /** True once the result set has no more rows. */
    boolean exhausted() {
        return exhausted;
    }

    @Override
    public void close() {
        closeQuietly(result);
        for (int i = resources.size() - 1; i >= 0; i--) {
            closeQuietly(resources.get(i));
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing after the work is done or has failed; a failure there is what is reported
        }
    }
}
