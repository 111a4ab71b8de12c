package dev.keel.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pool under the metadata store, on a real SQLite file and the real PostgreSQL. */
class DatabaseTest {
    @TempDir
    Path directory;

    @Test
    void sqlite_everyConnectionRunsInWalModeWithForeignKeysAndABusyTimeout() {
        try (Database database = Database.open("jdbc:sqlite:" + directory.resolve("keel.db"), "", "", 3)) {
            for (int i = 0; i < 3; i++) {
                assertThat(database.queryOne("PRAGMA journal_mode", row -> row.getString(1))).contains("wal");
                assertThat(database.queryOne("PRAGMA foreign_keys", row -> row.getInt(1))).contains(1);
                assertThat(database.queryOne("PRAGMA busy_timeout", row -> row.getInt(1))).contains(30_000);
            }
        }
    }

    @Test
    void postgres_aConnectionKilledByTheServer_isReplacedBeforeItIsLentAgain() throws Exception {
        String application = "keel-pool-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (Database database = Database.open(TestDatabases.POSTGRES_URL + "?ApplicationName=" + application,
                TestDatabases.POSTGRES_USER, "", Database.Pool.ofSize(2))) {
            assertThat(database.queryOne("SELECT 1", row -> row.getInt(1))).contains(1);

            int killed = terminateBackends(application);
            Thread.sleep(600); // past HikariCP's window in which a just-used connection is lent without a check

            assertThat(killed).isPositive();
            assertThat(database.queryOne("SELECT 2", row -> row.getInt(1))).contains(2);
            assertThat(database.isHealthy()).isTrue();
        }
    }

    @Test
    void aCallerWaitingLongerThanTheTimeoutForAConnection_getsUnavailableNamingThePoolSize() throws Exception {
        Database.Pool one = new Database.Pool(1, Duration.ofMillis(300), Duration.ofMinutes(30), Duration.ZERO);
        try (Database database = Database.open("jdbc:sqlite:" + directory.resolve("keel.db"), "", "", one)) {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = Thread.ofVirtual().start(() -> database.withConnection(connection -> {
                holding.countDown();
                try {
                    return release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                assertThatThrownBy(() -> database.queryOne("SELECT 1", row -> row.getInt(1)))
                        .isInstanceOfSatisfying(KeelException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                            assertThat(e.getMessage()).contains("no connection to the metadata store became free").contains("pool size 1");
                        });
            } finally {
                release.countDown();
                holder.join();
            }
            assertThat(database.queryOne("SELECT 1", row -> row.getInt(1))).contains(1);
        }
    }

    @Test
    void anUnreachableStore_isUnavailableNamingTheUrl() {
        assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/none", "nobody", "", 1))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("cannot connect to the metadata store at jdbc:postgresql://127.0.0.1:1/none");
                });
    }

    private static int terminateBackends(String application) throws Exception {
        try (Connection admin = DriverManager.getConnection(TestDatabases.POSTGRES_URL, TestDatabases.POSTGRES_USER, "");
             Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                     + application + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
