package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import dev.keel.spi.data.ColumnType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The rows of a SELECT over a SQLite or PostgreSQL database, wrapped as a subquery, in {@code ORDER BY} order: the input's
 * order-by columns, or every column when it names none. Row {@code n} is found with {@code OFFSET n} under the same order, so a
 * resumed run reads the rows it has not read as long as the source's rows do not change under it (a watermark's upper bound,
 * fixed when the run starts, keeps rows added later out of an incremental run). Rows are streamed with a fetch size (on
 * PostgreSQL in a transaction, which a cursor needs). Every statement runs read-only: in a {@code READ ONLY} transaction on
 * PostgreSQL, under {@code PRAGMA query_only} on SQLite.
 */
final class QueryInput implements ScoringInput {
    static final int FETCH_SIZE = 1_000;
    private static final String ALIAS = "keel_input";

    private final Database database;
    private final String source;
    private final Optional<ScoringInputs.Watermark> watermark;
    private final String label;
    private final List<Column> columns;
    private final List<Integer> jdbcTypes;
    private final String orderBy;

    QueryInput(Database database, String source, List<String> orderBy, Optional<ScoringInputs.Watermark> watermark, String label) {
        this.database = Objects.requireNonNull(database, "database");
        this.source = Objects.requireNonNull(source, "source");
        this.watermark = Objects.requireNonNull(watermark, "watermark");
        this.label = Objects.requireNonNull(label, "label");
        List<Column> found = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        readOnly(connection -> {
            try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT * FROM " + from()
                    + (postgres() ? " LIMIT 0" : " LIMIT 1"))) {
                ResultSetMetaData meta = result.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String declared = Objects.requireNonNullElse(meta.getColumnTypeName(i), "");
                    found.add(new Column(meta.getColumnLabel(i), type(meta.getColumnType(i), declared), declared));
                    types.add(meta.getColumnType(i));
                }
            }
            return null;
        });
        this.columns = List.copyOf(found);
        this.jdbcTypes = List.copyOf(types);
        this.orderBy = order(orderBy);
        watermark.ifPresent(range -> DuckSql.column(columns, range.column(), label));
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public OptionalLong count() {
        return OptionalLong.of(readOnly(connection -> {
            try (PreparedStatement statement = prepare(connection, "SELECT COUNT(*) FROM " + from() + where());
                 ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }));
    }

    /** The highest non-null value of a column, as canonical text. */
    Optional<String> highest(String name) {
        Column column = DuckSql.column(columns, name, label);
        int index = columns.indexOf(column);
        return readOnly(connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("SELECT MAX(" + DuckSql.quote(name) + ") AS " + DuckSql.quote(name) + " FROM " + from())) {
                result.next();
                Object value = reader(column, jdbcTypes.get(index)).read(result, 1);
                return Optional.ofNullable(value).map(Canonical::text);
            }
        });
    }

    @Override
    public Cursor rows(long firstRow) {
        KeelException.requireArgument(firstRow >= 0, "first row must be >= 0; got %d", firstRow);
        Connection connection = begin();
        AutoCloseable end = () -> end(connection);
        try {
            PreparedStatement statement = prepare(connection, "SELECT * FROM " + from() + where() + " ORDER BY " + orderBy
                    + (postgres() ? "" : " LIMIT -1") + " OFFSET ?");
            statement.setLong(watermark.map(range -> range.above().isPresent() ? 3 : 2).orElse(1), firstRow);
            statement.setFetchSize(FETCH_SIZE);
            ResultSet result = statement.executeQuery();
            List<JdbcCursor.Reader> readers = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                readers.add(reader(columns.get(i), jdbcTypes.get(i)));
            }
            return new JdbcCursor(result, readers, List.of(end, statement), this::failure);
        } catch (SQLException e) {
            JdbcCursor.closeQuietly(end);
            throw failure(e);
        } catch (RuntimeException e) {
            JdbcCursor.closeQuietly(end);
            throw e;
        }
    }

    private boolean postgres() {
        return database.dialect() == Database.Dialect.POSTGRES;
    }

    private String from() {
        return "(" + source + "\n) AS " + ALIAS;
    }

    private String where() {
        if (watermark.isEmpty()) {
            return "";
        }
        String column = DuckSql.quote(watermark.get().column());
        return " WHERE " + (watermark.get().above().isPresent() ? column + " > ? AND " : "") + column + " <= ?";
    }

    /** The statement with the watermark's bounds bound, in the column's own type. */
    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            if (watermark.isPresent()) {
                ScoringInputs.Watermark range = watermark.get();
                Column column = DuckSql.column(columns, range.column(), label);
                int type = jdbcTypes.get(columns.indexOf(column));
                int parameter = 1;
                if (range.above().isPresent()) {
                    bind(statement, parameter++, column, type, range.above().get());
                }
                bind(statement, parameter, column, type, range.upTo());
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            JdbcCursor.closeQuietly(statement);
            throw e;
        }
    }

    private void bind(PreparedStatement statement, int parameter, Column column, int jdbcType, String text) throws SQLException {
        try {
            switch (column.type()) {
                case INTEGER -> {
                    if (text.matches("-?[0-9]{1,18}")) {
                        statement.setLong(parameter, Long.parseLong(text));
                    } else {
                        statement.setBigDecimal(parameter, new BigDecimal(text));
                    }
                }
                case DOUBLE -> {
                    if (jdbcType == Types.NUMERIC || jdbcType == Types.DECIMAL) {
                        statement.setBigDecimal(parameter, new BigDecimal(text));
                    } else {
                        statement.setDouble(parameter, Double.parseDouble(text));
                    }
                }
                case BOOLEAN -> statement.setBoolean(parameter, Boolean.parseBoolean(text));
                case DATE -> statement.setObject(parameter, LocalDate.parse(text));
                case TIMESTAMP -> {
                    if (zoned(column)) {
                        statement.setObject(parameter, Canonical.instant(text).atOffset(ZoneOffset.UTC));
                    } else {
                        statement.setObject(parameter, LocalDateTime.ofInstant(Canonical.instant(text), ZoneOffset.UTC));
                    }
                }
                case STRING -> statement.setString(parameter, text);
            }
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw KeelException.badRequest("watermark bound '" + text + "' is not a " + column.type().specName() + " value for column '"
                    + column.name() + "' of " + label);
        }
    }

    /** {@code ORDER BY} columns: those named, each a column of the input, or every column in order. */
    private String order(List<String> names) {
        List<String> terms = new ArrayList<>();
        if (names.isEmpty()) {
            for (int i = 0; i < columns.size(); i++) {
                String quoted = DuckSql.quote(columns.get(i).name());
                terms.add(postgres() && !orderable(jdbcTypes.get(i)) ? "CAST(" + quoted + " AS TEXT)" : quoted);
            }
        } else {
            for (String name : names) {
                if (columns.stream().noneMatch(column -> column.name().equals(name))) {
                    throw KeelException.badRequest("input.order_by names column '" + name + "', which " + label + " does not have; its"
                            + " columns are " + columns.stream().map(Column::name).toList());
                }
                terms.add(DuckSql.quote(name));
            }
        }
        KeelException.requireArgument(!terms.isEmpty(), "input.order_by: %s has no columns to order by", label);
        return String.join(", ", terms);
    }

    private static boolean orderable(int jdbcType) {
        return switch (jdbcType) {
            case Types.OTHER, Types.SQLXML, Types.STRUCT, Types.JAVA_OBJECT, Types.DISTINCT, Types.ARRAY -> false;
            default -> true;
        };
    }

    private ColumnType type(int jdbcType, String declared) {
        String upper = declared.toUpperCase(Locale.ROOT);
        if (!postgres()) {
            // SQLite's type affinity, from the declared type (or, for an expression, the first row's value)
            if (upper.contains("INT")) {
                return ColumnType.INTEGER;
            }
            if (upper.contains("BOOL")) {
                return ColumnType.BOOLEAN;
            }
            if (upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") || upper.contains("NUMERIC")
                    || upper.contains("DECIMAL")) {
                return ColumnType.DOUBLE;
            }
            return ColumnType.STRING;
        }
        return switch (jdbcType) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> ColumnType.INTEGER;
            case Types.REAL, Types.FLOAT, Types.DOUBLE, Types.NUMERIC, Types.DECIMAL -> ColumnType.DOUBLE;
            case Types.BOOLEAN -> ColumnType.BOOLEAN;
            case Types.BIT -> upper.equals("BOOL") || upper.equals("BOOLEAN") ? ColumnType.BOOLEAN : ColumnType.STRING;
            case Types.DATE -> ColumnType.DATE;
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> ColumnType.TIMESTAMP;
            default -> ColumnType.STRING;
        };
    }

    private static boolean zoned(Column column) {
        String declared = column.declared().toLowerCase(Locale.ROOT);
        return declared.equals("timestamptz") || declared.contains("with time zone");
    }

    /** Reads a column as the Java value a scoring input gives: Long, Double or BigDecimal, Boolean, LocalDate, Instant or String. */
    private JdbcCursor.Reader reader(Column column, int jdbcType) {
        if (!postgres()) {
            return switch (column.type()) {
                case INTEGER -> (row, index) -> {
                    Object value = row.getObject(index);
                    return value instanceof Integer || value instanceof Long ? ((Number) value).longValue() : value;
                };
                case DOUBLE -> (row, index) -> {
                    Object value = row.getObject(index);
                    return value instanceof Number number ? number.doubleValue() : value;
                };
                case BOOLEAN -> (row, index) -> {
                    Object value = row.getObject(index);
                    return value instanceof Number number ? number.longValue() != 0 : value;
                };
                case STRING, DATE, TIMESTAMP -> (row, index) -> row.getString(index);
            };
        }
        return switch (column.type()) {
            case INTEGER -> (row, index) -> {
                long value = row.getLong(index);
                return row.wasNull() ? null : value;
            };
            case DOUBLE -> jdbcType == Types.NUMERIC || jdbcType == Types.DECIMAL ? (row, index) -> row.getBigDecimal(index) : (row, index) -> {
                double value = row.getDouble(index);
                return row.wasNull() ? null : value;
            };
            case BOOLEAN -> (row, index) -> {
                boolean value = row.getBoolean(index);
                return row.wasNull() ? null : value;
            };
            case DATE -> (row, index) -> row.getObject(index, LocalDate.class);
            case TIMESTAMP -> zoned(column) ? (row, index) -> {
                OffsetDateTime value = row.getObject(index, OffsetDateTime.class);
                return value == null ? null : value.toInstant();
            } : (row, index) -> {
                LocalDateTime value = row.getObject(index, LocalDateTime.class);
                return value == null ? null : value.toInstant(ZoneOffset.UTC);
            };
            case STRING -> (row, index) -> row.getString(index);
        };
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T readOnly(Work<T> work) {
        Connection connection = begin();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            end(connection);
        }
    }

    /** A connection of the pool in a read-only transaction (PostgreSQL) or with queries only (SQLite). */
    private Connection begin() {
        Connection connection = database.lend();
        try {
            if (postgres()) {
                connection.setAutoCommit(false);
                connection.setReadOnly(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET TRANSACTION READ ONLY");
                }
            } else {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA query_only = true");
                }
            }
            return connection;
        } catch (SQLException e) {
            end(connection);
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot open a read-only session for " + label + ": " + DuckSql.message(e), e);
        }
    }

    /** Ends the session and returns the connection to the pool as it was lent. */
    private void end(Connection connection) {
        try {
            if (postgres()) {
                connection.rollback();
            } else {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA query_only = false");
                }
            }
        } catch (SQLException e) {
            // the connection is closed below; the pool retires a broken one
        } finally {
            JdbcCursor.closeQuietly(connection);
        }
    }

    /** A database error as a Keel error naming the input: UNAVAILABLE, NOT_FOUND, FORBIDDEN (a write) or INVALID_INPUT. */
    private KeelException failure(SQLException e) {
        String state = Objects.requireNonNullElse(e.getSQLState(), "");
        String message = DuckSql.message(e);
        String lower = message.toLowerCase(Locale.ROOT);
        if (state.startsWith("08")) {
            return new KeelException(ErrorCode.UNAVAILABLE, label + " cannot be reached: " + message, e);
        }
        if (state.equals("42P01") || state.equals("3F000") || lower.contains("no such table")) {
            return new KeelException(ErrorCode.NOT_FOUND, label + " names a table that does not exist: " + message, e);
        }
        if (state.equals("25006") || lower.contains("sqlite_readonly")) {
            return new KeelException(ErrorCode.FORBIDDEN, label + " tried to write; scoring inputs are read in read-only transactions: "
                    + message, e);
        }
        return new KeelException(ErrorCode.INVALID_INPUT, label + " cannot be read: " + message, e);
    }
}
