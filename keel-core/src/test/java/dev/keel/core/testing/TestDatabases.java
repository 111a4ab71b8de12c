package dev.keel.core.testing;

import dev.keel.core.store.Database;
import dev.keel.core.store.Migrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh, real metadata stores for tests: a new SQLite file in a temporary directory, or a new schema in the PostgreSQL
 * database {@code test} on 127.0.0.1:5432 (user {@code postgres}, trust authentication), dropped again on close.
 *
 * <p>When PostgreSQL cannot be reached the test fails, unless the system property {@code keel.test.postgres} is
 * {@code skip}, in which case PostgreSQL tests are skipped.
 */
public final class TestDatabases {
    /** The PostgreSQL server the tests use. */
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";

    private TestDatabases() {
    }

    /** A store's JDBC URL, user and password, and the clean-up to run when the test is done. */
    public static final class TestStore implements AutoCloseable {
        private final StoreKind kind;
        private final String url;
        private final String user;
        private final String schema;

        TestStore(StoreKind kind, String url, String user, String schema) {
            this.kind = kind;
            this.url = url;
            this.user = user;
            this.schema = schema;
        }

        public StoreKind kind() {
            return kind;
        }

        public String url() {
            return url;
        }

        public String user() {
            return user;
        }

        /** Opens a connection pool over this store, without migrating it. */
        public Database openDatabase() {
            return Database.open(url, user, "", 4);
        }

        /** Opens a pool and applies every migration. */
        public Database openMigrated() {
            Database database = openDatabase();
            new Migrator(database).migrate();
            return database;
        }

        /** Drops the PostgreSQL schema; the SQLite file goes with the temporary directory. */
        @Override
        public void close() {
            if (kind == StoreKind.POSTGRES) {
                adminExecute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** A fresh empty store of the kind; SQLite files are created under {@code directory}. */
    public static TestStore create(StoreKind kind, Path directory) {
        Objects.requireNonNull(directory, "directory");
        return switch (kind) {
            case SQLITE -> new TestStore(kind, "jdbc:sqlite:" + directory.resolve("keel-" + randomSuffix() + ".db").toAbsolutePath(), "",
                    "");
            case POSTGRES -> {
                requirePostgres();
                String schema = "keel_test_" + randomSuffix();
                adminExecute("CREATE SCHEMA " + schema);
                yield new TestStore(kind, POSTGRES_URL + "?currentSchema=" + schema, POSTGRES_USER, schema);
            }
        };
    }

    /** A migrated store: the pool and the store to clean up, closed together. */
    public record Opened(TestStore store, Database database) implements AutoCloseable {
        @Override
        public void close() {
            database.close();
            store.close();
        }
    }

    /** A fresh store of the kind with every migration applied. */
    public static Opened open(StoreKind kind, Path directory) {
        TestStore store = create(kind, directory);
        try {
            return new Opened(store, store.openMigrated());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** True when PostgreSQL tests are to be skipped rather than failed when the server is down. */
    static boolean skipPostgres() {
        // Under CI (CI=true) nothing is skipped: a green run has run every PostgreSQL test.
        return "skip".equalsIgnoreCase(System.getProperty("keel.test.postgres", "")) && !"true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static void requirePostgres() {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "")) {
            connection.isValid(2);
        } catch (SQLException e) {
            String message = "PostgreSQL is not reachable at " + POSTGRES_URL + " as user " + POSTGRES_USER + " (" + e.getMessage()
                    + "); start it, or pass -Dkeel.test.postgres=skip to skip the PostgreSQL tests";
            Assumptions.assumeFalse(skipPostgres(), message);
            Assertions.fail(message);
        }
    }

    private static void adminExecute(String sql) {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run '" + sql + "' on " + POSTGRES_URL + ": " + e.getMessage(), e);
        }
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
