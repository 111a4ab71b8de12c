package dev.keel.core.store;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;

/**
 * The metadata database: a small pool of JDBC connections to SQLite or PostgreSQL with helpers for queries and transactions.
 *
 * <p>SQLite runs in WAL mode with immediate transactions so that concurrent writers queue instead of failing.
 */
public final class Database implements AutoCloseable {
    /** The SQL dialect of the database behind the URL. */
    public enum Dialect { SQLITE, POSTGRES }

    private final String url;
    private final Dialect dialect;
    private final Properties properties;
    private final BlockingQueue<Connection> idle;
    private final int poolSize;
    private final List<Connection> all = new ArrayList<>();
    private volatile boolean closed;

    private Database(String url, Dialect dialect, Properties properties, int poolSize) {
        this.url = url;
        this.dialect = dialect;
        this.properties = properties;
        this.poolSize = poolSize;
        this.idle = new ArrayBlockingQueue<>(poolSize);
    }

    /** Opens a pool over the URL; fails with a message naming the URL when the database cannot be reached. */
    public static Database open(String url, String user, String password, int poolSize) {
        Objects.requireNonNull(url, "url");
        Dialect dialect;
        Properties properties;
        if (url.startsWith("jdbc:sqlite:")) {
            dialect = Dialect.SQLITE;
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(30_000);
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            config.enforceForeignKeys(true);
            properties = config.toProperties();
            String file = url.substring("jdbc:sqlite:".length());
            if (!file.isEmpty() && !file.startsWith(":memory:")) {
                try {
                    java.nio.file.Path parent = java.nio.file.Path.of(file).toAbsolutePath().getParent();
                    if (parent != null) {
                        java.nio.file.Files.createDirectories(parent);
                    }
                } catch (java.io.IOException e) {
                    throw new KeelException(ErrorCode.UNAVAILABLE, "cannot create the directory of database file '" + file + "': " + e);
                }
            }
        } else if (url.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRES;
            properties = new Properties();
            if (!user.isEmpty()) {
                properties.setProperty("user", user);
            }
            if (!password.isEmpty()) {
                properties.setProperty("password", password);
            }
            properties.setProperty("ApplicationName", "keel");
        } else {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "store url '" + url + "' must start with jdbc:sqlite: or jdbc:postgresql:");
        }
        Database database = new Database(url, dialect, properties, poolSize);
        database.release(database.connect());
        return database;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The URL without credentials. */
    public String url() {
        return url;
    }

    private Connection connect() {
        try {
            Connection connection = DriverManager.getConnection(url, properties);
            synchronized (all) {
                all.add(connection);
            }
            return connection;
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot connect to the metadata store at " + url + ": " + e.getMessage(), e);
        }
    }

    private Connection borrow() {
        if (closed) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "the metadata store is closed");
        }
        Connection connection = idle.poll();
        if (connection != null) {
            return connection;
        }
        synchronized (all) {
            if (all.size() < poolSize) {
                return connect();
            }
        }
        try {
            connection = idle.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.UNAVAILABLE, "interrupted while waiting for a database connection");
        }
        if (connection == null) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "no database connection became free within 30 s (pool size " + poolSize + ")");
        }
        return connection;
    }

    private void release(Connection connection) {
        try {
            if (connection.isClosed()) {
                forget(connection);
                return;
            }
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            forget(connection);
            closeQuietly(connection);
            return;
        }
        if (closed || !idle.offer(connection)) {
            forget(connection);
            closeQuietly(connection);
        }
    }

    private void forget(Connection connection) {
        synchronized (all) {
            all.remove(connection);
        }
    }

    /** Work done with one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work on a pooled connection in auto-commit mode. */
    public <T> T withConnection(Work<T> work) {
        Connection connection = borrow();
        boolean broken = false;
        try {
            return work.run(connection);
        } catch (SQLException e) {
            broken = isConnectionFailure(e);
            throw translate(e);
        } finally {
            if (broken) {
                forget(connection);
                closeQuietly(connection);
            } else {
                release(connection);
            }
        }
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) {
        return withConnection(connection -> {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    /** Maps one row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Runs a query and maps every row. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        return withConnection(connection -> query(connection, sql, mapper, parameters));
    }

    /** Runs a query expected to return at most one row. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... parameters) {
        List<T> rows = query(sql, mapper, parameters);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getFirst());
    }

    /** Runs an insert, update or delete and returns the number of rows changed. */
    public int update(String sql, Object... parameters) {
        return withConnection(connection -> update(connection, sql, parameters));
    }

    public static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters); ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            while (rows.next()) {
                result.add(mapper.map(rows));
            }
            return result;
        }
    }

    public static <T> Optional<T> queryOne(Connection connection, String sql, RowMapper<T> mapper, Object... parameters)
            throws SQLException {
        List<T> rows = query(connection, sql, mapper, parameters);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getFirst());
    }

    public static int update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        }
    }

    /** Runs a script of statements separated by semicolons at line ends. */
    public static void execute(Connection connection, String script) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : script.split(";\\s*(\\r?\\n|$)")) {
                String trimmed = sql.strip();
                if (!trimmed.isEmpty() && !trimmed.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("--"))) {
                    statement.execute(trimmed);
                }
            }
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            Object parameter = parameters[i];
            switch (parameter) {
                case null -> statement.setNull(i + 1, Types.NULL);
                case Optional<?> optional -> statement.setObject(i + 1, optional.orElse(null));
                case Boolean flag -> statement.setInt(i + 1, flag ? 1 : 0);
                case java.time.Instant instant -> statement.setLong(i + 1, instant.toEpochMilli());
                case Enum<?> value -> statement.setString(i + 1, value.name());
                default -> statement.setObject(i + 1, parameter);
            }
        }
        return statement;
    }

    /** Reads a nullable BIGINT column of epoch milliseconds. */
    public static Optional<java.time.Instant> instant(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? Optional.empty() : Optional.of(java.time.Instant.ofEpochMilli(value));
    }

    /** True when the error is a unique or primary key violation. */
    public static boolean isUniqueViolation(SQLException e) {
        String state = e.getSQLState();
        return "23505".equals(state) || (e.getErrorCode() == 19 && String.valueOf(e.getMessage()).contains("UNIQUE"))
                || String.valueOf(e.getMessage()).contains("SQLITE_CONSTRAINT_PRIMARYKEY")
                || String.valueOf(e.getMessage()).contains("SQLITE_CONSTRAINT_UNIQUE");
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("08");
    }

    private KeelException translate(SQLException e) {
        if (isUniqueViolation(e)) {
            return new KeelException(ErrorCode.ALREADY_EXISTS, "a record with the same key exists already", e);
        }
        return new KeelException(ErrorCode.UNAVAILABLE, "metadata store error: " + e.getMessage(), e);
    }

    /** True when the database answers a trivial query. */
    public boolean isHealthy() {
        try {
            return withConnection(connection -> connection.isValid(2));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (all) {
            for (Connection connection : all) {
                closeQuietly(connection);
            }
            all.clear();
        }
        idle.clear();
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the connection is being discarded
        }
    }
}
