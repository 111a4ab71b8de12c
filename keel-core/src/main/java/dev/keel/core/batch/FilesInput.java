package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
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
import java.util.function.Function;

/**
 * Parquet or CSV files read through DuckDB one after the other, in the order given: row {@code n} is found by counting the
 * selected rows of each file in turn, and within a file rows come in file order. A Parquet file is scanned from a file row
 * number (every row) or filtered, keeping insertion order; a CSV file, which has no row numbers, is scanned by a single thread,
 * so its rows come in the order they are written. Every file must have the first file's column names in the same order; CSV
 * column types are detected over all the files at once and then fixed for each file.
 */
final class FilesInput implements ScoringInput {
    private final List<Path> files;
    private final ScoringJobSpec.FileFormat format;
    private final Optional<ScoringInputs.Watermark> watermark;
    private final String label;
    private final List<Column> columns;
    private final DuckSql.Predicate range;

    FilesInput(List<Path> files, ScoringJobSpec.FileFormat format, Optional<ScoringInputs.Watermark> watermark, String label) {
        this.files = List.copyOf(files);
        this.format = Objects.requireNonNull(format, "format");
        this.watermark = Objects.requireNonNull(watermark, "watermark");
        this.label = Objects.requireNonNull(label, "label");
        KeelException.requireArgument(!this.files.isEmpty(), "%s matches no file", label);
        this.columns = describe();
        this.range = DuckSql.watermark(watermark, columns, "", label);
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public OptionalLong count() {
        try (Connection connection = connect(false)) {
            return OptionalLong.of(DuckSql.count(connection, "SELECT COUNT(*) FROM " + scan(files) + range.where(), range.parameters()));
        } catch (SQLException e) {
            throw DuckSql.failure(label, e);
        }
    }

    /** The highest non-null value of a column over every file, as canonical text. */
    Optional<String> highest(String column) {
        try (Connection connection = connect(false)) {
            return DuckSql.highest(connection, scan(files), columns, column, label);
        } catch (SQLException e) {
            throw DuckSql.failure(label, e);
        }
    }

    @Override
    public Cursor rows(long firstRow) {
        KeelException.requireArgument(firstRow >= 0, "first row must be >= 0; got %d", firstRow);
        Connection connection = connect(true);
        try {
            int index = 0;
            long skip = firstRow;
            while (index < files.size()) {
                long rows = countOf(connection, files.get(index));
                if (skip < rows) {
                    break;
                }
                skip -= rows;
                index++;
            }
            return new Chain(connection, index, skip);
        } catch (SQLException e) {
            JdbcCursor.closeQuietly(connection);
            throw failure(e);
        } catch (RuntimeException e) {
            JdbcCursor.closeQuietly(connection);
            throw e;
        }
    }

    private long countOf(Connection connection, Path file) throws SQLException {
        return DuckSql.count(connection, "SELECT COUNT(*) FROM " + scan(List.of(file)) + range.where(), range.parameters());
    }

    /** A cursor over one file from its {@code skip}-th selected row. */
    private JdbcCursor open(Connection connection, Path file, long skip) throws SQLException {
        String select = "SELECT " + DuckSql.select(columns, "") + " FROM ";
        List<Object> parameters = new ArrayList<>(range.parameters());
        String sql;
        if (format == ScoringJobSpec.FileFormat.PARQUET && range.isEmpty()) {
            sql = select + "read_parquet(" + DuckSql.literal(file.toString()) + ", file_row_number = true) WHERE file_row_number >= ?";
        } else {
            sql = select + scan(List.of(file)) + range.where() + " OFFSET ?";
        }
        parameters.add(skip);
        PreparedStatement statement = DuckSql.prepare(connection, sql, parameters);
        try {
            statement.setFetchSize(DuckSql.FETCH_SIZE);
            ResultSet result = statement.executeQuery();
            Function<SQLException, KeelException> failure = e -> failure(file, e);
            return new JdbcCursor(result, DuckSql.readers(columns), List.of(statement), failure);
        } catch (SQLException e) {
            JdbcCursor.closeQuietly(statement);
            throw e;
        }
    }

    /** The files one after another, each opened when the one before it ends. */
    private final class Chain implements Cursor {
        private final Connection connection;
        private int index;
        private long skip;
        private JdbcCursor current;

        Chain(Connection connection, int index, long skip) {
            this.connection = connection;
            this.index = index;
            this.skip = skip;
        }

        @Override
        public List<Object[]> next(int max) {
            List<Object[]> rows = new ArrayList<>(Math.min(Math.max(max, 0), 4_096));
            while (rows.size() < max) {
                if (current == null) {
                    if (index >= files.size()) {
                        break;
                    }
                    try {
                        current = open(connection, files.get(index), skip);
                    } catch (SQLException e) {
                        throw failure(files.get(index), e);
                    }
                    skip = 0;
                }
                rows.addAll(current.next(max - rows.size()));
                if (current.exhausted()) {
                    current.close();
                    current = null;
                    index++;
                }
            }
            return rows;
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
            }
            JdbcCursor.closeQuietly(connection);
        }
    }

    private List<Column> describe() {
        try (Connection connection = connect(false)) {
            List<Column> first = own(connection, files.getFirst());
            List<String> names = first.stream().map(Column::name).toList();
            for (Path file : files.subList(1, files.size())) {
                List<Column> own = own(connection, file);
                boolean same = format == ScoringJobSpec.FileFormat.PARQUET ? own.equals(first) : own.stream().map(Column::name).toList()
                        .equals(names);
                if (!same) {
                    throw new KeelException(ErrorCode.INVALID_INPUT, "the files of " + label + " do not share their columns: " + file.getFileName()
                            + " has " + describe(own) + ", " + files.getFirst().getFileName() + " has " + describe(first));
                }
            }
            if (format == ScoringJobSpec.FileFormat.PARQUET) {
                return first;
            }
            // One type per CSV column that fits every file's values, as DuckDB detects it over all the files.
            return DuckSql.describe(connection, "read_csv(" + list(files) + ", header = true, auto_detect = true, union_by_name = true)");
        } catch (SQLException e) {
            throw DuckSql.failure(label, e);
        }
    }

    /** The columns of one file on its own. */
    private List<Column> own(Connection connection, Path file) {
        try {
            return DuckSql.describe(connection, format == ScoringJobSpec.FileFormat.PARQUET ? scan(List.of(file))
                    : "read_csv(" + DuckSql.literal(file.toString()) + ", header = true, auto_detect = true)");
        } catch (SQLException e) {
            throw failure(file, e);
        }
    }

    private static String describe(List<Column> columns) {
        return columns.stream().map(column -> column.name() + " " + column.declared()).toList().toString();
    }

    /** The reader over the files, in the given order; a CSV reader with the column types fixed. */
    private String scan(List<Path> of) {
        if (format == ScoringJobSpec.FileFormat.PARQUET) {
            return "read_parquet(" + list(of) + ")";
        }
        StringBuilder types = new StringBuilder();
        for (Column column : columns) {
            types.append(types.isEmpty() ? "" : ", ").append(DuckSql.literal(column.name())).append(": ").append(DuckSql.literal(column.declared()));
        }
        return "read_csv(" + list(of) + ", header = true, auto_detect = true, types = {" + types + "})";
    }

    private static String list(List<Path> of) {
        StringBuilder list = new StringBuilder("[");
        for (Path file : of) {
            list.append(list.length() == 1 ? "" : ", ").append(DuckSql.literal(file.toString()));
        }
        return list.append("]").toString();
    }

    private Connection connect(boolean streaming) {
        return DuckSql.connect(streaming, format == ScoringJobSpec.FileFormat.CSV, label);
    }

    private KeelException failure(SQLException e) {
        return DuckSql.failure(label, e);
    }

    /**
     * A failure reading one file. A streamed result reports a failed fetch without DuckDB's own message, so the file is counted
     * read once more, unstreamed, to find what is wrong with it (the row and the column).
     */
    private KeelException failure(Path file, SQLException e) {
        String named = label + " (file " + file.getFileName() + ")";
        if (columns == null || range == null) {
            return DuckSql.failure(named, e);
        }
        SQLException reported = e;
        StringBuilder counts = new StringBuilder("0");
        for (Column column : columns) {
            counts.append(" + count(").append(DuckSql.quote(column.name())).append(")");
        }
        try (Connection connection = connect(false)) {
            // every column counted, so that every value is read and converted
            DuckSql.count(connection, "SELECT " + counts + " FROM " + scan(List.of(file)) + range.where(), range.parameters());
        } catch (SQLException again) {
            reported = again;
        } catch (RuntimeException ignored) {
            // DuckDB is gone as well; the first failure is reported
        }
        return DuckSql.failure(named, reported);
    }
}
