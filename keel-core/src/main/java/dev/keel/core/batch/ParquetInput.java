package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ColumnType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A Parquet file read through DuckDB's JDBC driver (found by URL; keel-core compiles against no DuckDB class), in file row
 * order, streamed: the result set is not materialized ({@code jdbc_stream_results}) and the scan is not sorted, because DuckDB
 * keeps a scan's insertion order ({@code preserve_insertion_order}, set explicitly) and the scan starts at a file row number.
 */
public final class ParquetInput implements ScoringInput {
    private static final int FETCH_SIZE = 2_048;

    private final Path file;
    private final List<Column> columns;

    public ParquetInput(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        if (!Files.isRegularFile(this.file)) {
            throw KeelException.notFound("the input file " + this.file + " does not exist");
        }
        this.columns = describe();
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public Cursor rows(long firstRow) {
        KeelException.requireArgument(firstRow >= 0, "first row must be >= 0; got %d", firstRow);
        Connection connection = connect(true);
        try {
            try (Statement setting = connection.createStatement()) {
                setting.execute("SET preserve_insertion_order = true");
            }
            StringBuilder select = new StringBuilder();
            for (Column column : columns) {
                select.append(select.isEmpty() ? "" : ", ").append(quote(column.name()));
            }
            PreparedStatement statement = connection.prepareStatement("SELECT " + select + " FROM read_parquet(" + literal() + ","
                    + " file_row_number = true) WHERE file_row_number >= ?");
            statement.setLong(1, firstRow);
            statement.setFetchSize(FETCH_SIZE);
            ResultSet result = statement.executeQuery();
            return new JdbcCursor(result, DuckSql.readers(columns), List.of(connection, statement),
                    e -> new KeelException(ErrorCode.UNAVAILABLE, "reading the input failed: " + e.getMessage(), e));
        } catch (SQLException e) {
            closeQuietly(connection);
            throw failure("cannot read", e);
        }
    }

    private List<Column> describe() {
        try (Connection connection = connect(false); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("DESCRIBE SELECT * FROM read_parquet(" + literal() + ")")) {
            List<Column> found = new ArrayList<>();
            while (result.next()) {
                String declared = result.getString("column_type");
                found.add(new Column(result.getString("column_name"), type(declared), declared));
            }
            return List.copyOf(found);
        } catch (SQLException e) {
            throw failure("cannot read the columns of", e);
        }
    }

    static ColumnType type(String declared) {
        String upper = declared.toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT" -> ColumnType.INTEGER;
            case "FLOAT", "DOUBLE", "REAL" -> ColumnType.DOUBLE;
            case "BOOLEAN" -> ColumnType.BOOLEAN;
            case "DATE" -> ColumnType.DATE;
            default -> upper.startsWith("DECIMAL") ? ColumnType.DOUBLE : upper.startsWith("TIMESTAMP") ? ColumnType.TIMESTAMP : ColumnType.STRING;
        };
    }

    private Connection connect(boolean streaming) {
        java.util.Properties properties = new java.util.Properties();
        if (streaming) {
            properties.setProperty("jdbc_stream_results", "true");
        }
        try {
            return DriverManager.getConnection("jdbc:duckdb:", properties);
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "DuckDB is not available to read " + file + ": " + e.getMessage(), e);
        }
    }

    private String literal() {
        return "'" + file.toString().replace("'", "''") + "'";
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private KeelException failure(String what, SQLException e) {
        return new KeelException(ErrorCode.UNAVAILABLE, what + " the Parquet file " + file + ": " + e.getMessage(), e);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing after a failure; the failure is what is reported
        }
    }
}
