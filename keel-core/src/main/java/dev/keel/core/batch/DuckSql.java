package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ColumnType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * What the inputs read through DuckDB share: an in-memory connection found by URL (keel-core compiles against no DuckDB class)
 * that keeps a scan's insertion order and streams its results, column descriptions, value readers, watermark predicates and
 * error messages that name the input.
 */
final class DuckSql {
    static final int FETCH_SIZE = 2_048;
    private static final int MAX_MESSAGE = 600;

    private DuckSql() {
    }

    /** A predicate with its parameters, empty when nothing is filtered. */
    record Predicate(String sql, List<Object> parameters) {
        static final Predicate NONE = new Predicate("", List.of());

        Predicate {
            parameters = List.copyOf(parameters);
        }

        boolean isEmpty() {
            return sql.isEmpty();
        }

        /** {@code WHERE predicate}, or nothing. */
        String where() {
            return sql.isEmpty() ? "" : " WHERE " + sql;
        }

        /** {@code AND predicate}, or nothing. */
        String and() {
            return sql.isEmpty() ? "" : " AND " + sql;
        }
    }

    /**
     * A new in-memory DuckDB that keeps insertion order.
     *
     * @param singleThread scan with one thread, so that a reader without row numbers (CSV) gives rows in file order
     */
    static Connection connect(boolean streaming, boolean singleThread, String label) {
        Properties properties = new Properties();
        if (streaming) {
            properties.setProperty("jdbc_stream_results", "true");
        }
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:duckdb:", properties);
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "DuckDB is not available to read " + label + ": " + e.getMessage(), e);
        }
        try (Statement setting = connection.createStatement()) {
            setting.execute("SET preserve_insertion_order = true");
            if (singleThread) {
                setting.execute("SET threads = 1");
            }
            return connection;
        } catch (SQLException e) {
            JdbcCursor.closeQuietly(connection);
            throw new KeelException(ErrorCode.UNAVAILABLE, "DuckDB cannot be set up to read " + label + ": " + e.getMessage(), e);
        }
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** The columns of {@code SELECT * FROM from}. */
    static List<ScoringInput.Column> describe(Connection connection, String from) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("DESCRIBE SELECT * FROM " + from)) {
            List<ScoringInput.Column> found = new ArrayList<>();
            while (result.next()) {
                String declared = result.getString("column_type");
                found.add(new ScoringInput.Column(result.getString("column_name"), ParquetInput.type(declared), declared));
            }
            return List.copyOf(found);
        }
    }

    /** The quoted column names, comma-separated, each prefixed by {@code qualifier} when it is not empty. */
    static String select(List<ScoringInput.Column> columns, String qualifier) {
        StringBuilder select = new StringBuilder();
        for (ScoringInput.Column column : columns) {
            select.append(select.isEmpty() ? "" : ", ").append(qualifier.isEmpty() ? "" : qualifier + ".").append(quote(column.name()));
        }
        return select.toString();
    }

    /**
     * One reader per column: floating point as {@code Double}, integers as {@code Long} (wider ones as {@code BigInteger}),
     * dates as {@code LocalDate}, time stamps as {@code Instant}.
     */
    static List<JdbcCursor.Reader> readers(List<ScoringInput.Column> columns) {
        return columns.stream().map(DuckSql::reader).toList();
    }

    private static JdbcCursor.Reader reader(ScoringInput.Column column) {
        String declared = column.declared().toUpperCase(Locale.ROOT);
        if (declared.startsWith("TIMESTAMP WITH TIME ZONE") || declared.equals("TIMESTAMPTZ")) {
            return (row, index) -> {
                OffsetDateTime value = row.getObject(index, OffsetDateTime.class);
                return value == null ? null : value.toInstant();
            };
        }
        if (column.type() == ColumnType.TIMESTAMP) {
            return (row, index) -> {
                LocalDateTime value = row.getObject(index, LocalDateTime.class);
                return value == null ? null : value.toInstant(ZoneOffset.UTC);
            };
        }
        if (column.type() == ColumnType.DATE) {
            return (row, index) -> row.getObject(index, LocalDate.class);
        }
        // Typed getters for the common kinds: DuckDB's getObject dispatches on the vector's type for every value.
        if (List.of("FLOAT", "REAL", "DOUBLE").contains(declared)) {
            return (row, index) -> {
                double value = row.getDouble(index);
                return row.wasNull() ? null : value;
            };
        }
        if (List.of("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER").contains(declared)) {
            return (row, index) -> {
                long value = row.getLong(index);
                return row.wasNull() ? null : value;
            };
        }
        if (declared.equals("BOOLEAN")) {
            return (row, index) -> {
                boolean value = row.getBoolean(index);
                return row.wasNull() ? null : value;
            };
        }
        return (row, index) -> {
            Object value = row.getObject(index);
            return value instanceof Integer || value instanceof Short || value instanceof Byte ? ((Number) value).longValue() : value;
        };
    }

    /** The rows of a watermark range, compared in the column's own type; NONE without a watermark. */
    static Predicate watermark(Optional<ScoringInputs.Watermark> watermark, List<ScoringInput.Column> columns, String qualifier, String label) {
        if (watermark.isEmpty()) {
            return Predicate.NONE;
        }
        ScoringInputs.Watermark range = watermark.get();
        ScoringInput.Column column = column(columns, range.column(), label);
        String name = (qualifier.isEmpty() ? "" : qualifier + ".") + quote(column.name());
        List<Object> parameters = new ArrayList<>();
        String value;
        String bound;
        if (column.type() == ColumnType.TIMESTAMP) {
            value = "epoch_us(" + name + ")";
            bound = "?";
            range.above().ifPresent(above -> parameters.add(Canonical.epochMicros(above)));
            parameters.add(Canonical.epochMicros(range.upTo()));
        } else if (column.type() == ColumnType.STRING) {
            value = name;
            bound = "?";
            range.above().ifPresent(parameters::add);
            parameters.add(range.upTo());
        } else {
            value = name;
            bound = "CAST(? AS " + column.declared() + ")";
            range.above().ifPresent(parameters::add);
            parameters.add(range.upTo());
        }
        String sql = (range.above().isPresent() ? value + " > " + bound + " AND " : "") + value + " <= " + bound;
        return new Predicate(sql, parameters);
    }

    /** The highest non-null value of a column as canonical text. */
    static Optional<String> highest(Connection connection, String from, List<ScoringInput.Column> columns, String name, String label)
            throws SQLException {
        ScoringInput.Column column = column(columns, name, label);
        String quoted = quote(column.name());
        String expression = column.type() == ColumnType.TIMESTAMP ? "epoch_us(max(" + quoted + "))"
                : column.type() == ColumnType.DATE ? "CAST(max(" + quoted + ") AS VARCHAR)" : "max(" + quoted + ")";
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT " + expression + " FROM " + from)) {
            result.next();
            Object value = result.getObject(1);
            if (value == null) {
                return Optional.empty();
            }
            return Optional.of(column.type() == ColumnType.TIMESTAMP ? Canonical.fromEpochMicros(((Number) value).longValue()).toString()
                    : Canonical.text(value));
        }
    }

    static long count(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters); ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    static PreparedStatement prepare(Connection connection, String sql, List<Object> parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            return statement;
        } catch (SQLException e) {
            JdbcCursor.closeQuietly(statement);
            throw e;
        }
    }

    static ScoringInput.Column column(List<ScoringInput.Column> columns, String name, String label) {
        return columns.stream().filter(column -> column.name().equals(name)).findFirst()
                .orElseThrow(() -> new KeelException(ErrorCode.INVALID_INPUT, "watermark column '" + name + "' is missing from " + label
                        + "; its columns are " + columns.stream().map(ScoringInput.Column::name).toList()));
    }

    /** A DuckDB error reading an input: INVALID_INPUT naming the input, NOT_FOUND when its files are gone. */
    static KeelException failure(String label, SQLException e) {
        String message = message(e);
        ErrorCode code = message.startsWith("IO Error: No files found") ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_INPUT;
        return new KeelException(code, "cannot read " + label + ": " + message, e);
    }

    /**
     * The first paragraph of a database error, without the lines that echo the statement or the input's data, at most a few
     * hundred characters.
     */
    static String message(SQLException e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        StringBuilder kept = new StringBuilder();
        for (String line : text.split("\\R")) {
            if (line.isBlank()) {
                if (!kept.isEmpty()) {
                    break;
                }
                continue;
            }
            if (line.startsWith("Original Line") || line.startsWith("LINE ") || line.strip().startsWith("^")) {
                continue;
            }
            kept.append(kept.isEmpty() ? "" : "; ").append(line.strip());
        }
        String result = kept.toString();
        return result.length() > MAX_MESSAGE ? result.substring(0, MAX_MESSAGE) + "…" : result;
    }
}
