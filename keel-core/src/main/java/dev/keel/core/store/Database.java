package dev.keel.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata database: a HikariCP pool of JDBC connections to SQLite or PostgreSQL with helpers for queries and
 * transactions. The pool checks a connection before lending it when it has been idle, retires connections after their
 * maximum lifetime and logs a connection held longer than the leak threshold with the stack of the code that took it.
 *
 * <p>SQLite runs in WAL mode with immediate transactions so that concurrent writers queue instead of failing. The JDBC
 * drivers are found at run time ({@code java.sql.DriverManager}); this module compiles against none of them.
 */
public final class Database implements AutoCloseable {
    /** The SQL dialect of the database behind the URL. */
    public enum Dialect { SQLITE, POSTGRES }

    /**
     * How the pool lends connections.
     *
     * @param size the most connections open at once
     * @param connectionTimeout how long a caller waits for a free connection before the store counts as unavailable
     * @param maxLifetime how long a connection lives before the pool replaces it (0: forever)
     * @param leakThreshold a connection held longer than this is logged as a possible leak (0: never; else at least 2 s)
     */
    public record Pool(int size, Duration connectionTimeout, Duration maxLifetime, Duration leakThreshold) {
        public Pool {
            KeelException.requireArgument(size >= 1, "pool size must be at least 1 (got %d)", size);
            Objects.requireNonNull(connectionTimeout, "connectionTimeout");
            Objects.requireNonNull(maxLifetime, "maxLifetime");
            Objects.requireNonNull(leakThreshold, "leakThreshold");
        }

        /** A pool of {@code size} connections: 30 s to wait for one, 30 min lifetime, leaks logged after 1 min. */
        public static Pool ofSize(int size) {
            return new Pool(size, Duration.ofSeconds(30), Duration.ofMinutes(30), Duration.ofMinutes(1));
        }
    }

    private final String url;
    private final Dialect dialect;
    private final HikariDataSource pool;

    private Database(String url, Dialect dialect, HikariDataSource pool) {
        this.url = url;
        this.dialect = dialect;
        this.pool = pool;
    }

    /** Opens a pool of {@code poolSize} connections with the default timeouts; see {@link #open(String, String, String, Pool)}. */
    public static Database open(String url, String user, String password, int poolSize) {
        return open(url, user, password, Pool.ofSize(poolSize));
    }

    /** Opens a pool over the URL; fails with a message naming the URL when the database cannot be reached. */
    public static Database open(String url, String user, String password, Pool settings) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(settings, "settings");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("keel-store");
        config.setMaximumPoolSize(settings.size());
        config.setConnectionTimeout(Math.max(250, settings.connectionTimeout().toMillis()));
        config.setMaxLifetime(settings.maxLifetime().toMillis());
        config.setLeakDetectionThreshold(settings.leakThreshold().toMillis());
        config.setAutoCommit(true);
        config.setInitializationFailTimeout(1);
        Dialect dialect;
        if (url.startsWith("jdbc:sqlite:")) {
            dialect = Dialect.SQLITE;
            // The driver's connection properties (org.sqlite.SQLiteConfig.Pragma names), applied to every new connection.
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.addDataSourceProperty("busy_timeout", "30000");
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.addDataSourceProperty("foreign_keys", "true");
            createParentDirectory(url.substring("jdbc:sqlite:".length()));
        } else if (url.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRES;
            if (!user.isEmpty()) {
                config.setUsername(user);
            }
            if (!password.isEmpty()) {
                config.setPassword(password);
            }
            config.addDataSourceProperty("ApplicationName", "keel");
        } else {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "store url '" + url + "' must start with jdbc:sqlite: or jdbc:postgresql:");
        }
        try {
            return new Database(url, dialect, new HikariDataSource(config));
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException | IllegalStateException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot connect to the metadata store at " + url + ": " + cause.getMessage(), e);
        }
    }

    private static void createParentDirectory(String file) {
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return;
        }
        try {
            java.nio.file.Path parent = java.nio.file.Path.of(file).toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot create the directory of database file '" + file + "': " + e);
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The pool, for the migrator. */
    javax.sql.DataSource dataSource() {
        return pool;
    }

    /** The URL without credentials. */
    public String url() {
        return url;
    }

    /**
     * A pooled connection for work that outlives one call, such as a result set streamed to a caller; closing it returns it to
     * the pool, which resets its auto-commit and read-only settings.
     */
    public Connection lend() {
        return borrow();
    }

    private Connection borrow() {
        if (pool.isClosed()) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "the metadata store is closed");
        }
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "no connection to the metadata store became free within "
                    + pool.getConnectionTimeout() / 1000.0 + " s (pool size " + pool.getMaximumPoolSize() + "): " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot connect to the metadata store at " + url + ": " + e.getMessage(), e);
        }
    }

    /** Work done with one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs work on a pooled connection in auto-commit mode. A connection that failed with a connection-level error (SQL
     * state 08) is retired by the pool rather than lent again.
     */
    public <T> T withConnection(Work<T> work) {
        try (Connection connection = borrow()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(e);
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
        pool.close();
    }
}
