package dev.keel.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.KeelException;
import dev.keel.core.testing.Concurrently;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

@OnEachStore
class MigratorTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.TestStore store;
    private Database database;

    @BeforeEach
    void open() {
        store = TestDatabases.create(kind, directory);
        database = store.openDatabase();
    }

    @AfterEach
    void close() {
        database.close();
        store.close();
    }

    @Test
    void migrate_appliesEveryMigrationOnceAndIsIdempotent() {
        List<Integer> first = new Migrator(database).migrate();
        List<Integer> second = new Migrator(database).migrate();

        assertThat(first).startsWith(1).isSorted();
        assertThat(second).isEmpty();
        assertThat(database.query("SELECT version FROM keel_migrations WHERE success = TRUE AND type = 'SQL' ORDER BY installed_rank", row -> row.getInt(1)))
                .isEqualTo(first);
        assertThat(database.queryOne("SELECT COUNT(*) FROM projects", row -> row.getLong(1))).contains(0L);
    }

    @Test
    void migrate_refusesAMigrationChangedAfterItWasApplied() {
        new Migrator(database).migrate();
        database.update("UPDATE keel_migrations SET checksum = ? WHERE version = '1'", 12345);

        assertThatThrownBy(() -> new Migrator(database).migrate())
                .isInstanceOf(KeelException.class)
                .hasMessageContaining("changed after it was applied")
                .hasMessageContaining("version 1");
    }

    @Test
    void migrate_fromTwoPoolsAtOnce_appliesEachMigrationOnce() throws Exception {
        try (Database other = store.openDatabase()) {
            List<Database> pools = List.of(database, other);
            List<Integer> applied = Concurrently.run(2, i -> new Migrator(pools.get(i)).migrate()).stream().flatMap(List::stream).toList();

            assertThat(applied).doesNotHaveDuplicates();
            assertThat(database.query("SELECT version FROM keel_migrations WHERE success = TRUE AND type = 'SQL'", row -> row.getInt(1)))
                    .containsExactlyInAnyOrderElementsOf(applied);
        }
    }

    /** A store made before Flyway: its history table lists what ran; those run never again, the rest runs once. */
    @Test
    void migrate_onAStoreWithThePreviousHistoryTable_carriesItOverAndAppliesOnlyWhatIsMissing() throws Exception {
        List<String> before = List.of("V1__foundation.sql", "V3__token_pepper.sql", "V10__serving.sql", "V20__pipelines.sql",
                "V30__monitoring.sql");
        database.withConnection(connection -> {
            Database.execute(connection, "CREATE TABLE keel_schema_history (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    + " checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            for (String file : before) {
                String text = resource(file);
                Database.execute(connection, text);
                Database.update(connection, "INSERT INTO keel_schema_history (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                        Integer.parseInt(file.substring(1, file.indexOf("__"))), file, Migrator.sha256(text), 0L);
            }
            return null;
        });
        database.update("INSERT INTO projects (name, description, created_at, created_by) VALUES (?, ?, ?, ?)", "kept", "", 0L, "test");

        List<Integer> applied = new Migrator(database).migrate();

        assertThat(applied).contains(2, 21, 31).doesNotContain(1, 3, 10, 20, 30);
        assertThat(database.queryOne("SELECT COUNT(*) FROM projects WHERE name = ?", row -> row.getLong(1), "kept")).contains(1L);
        assertThat(new Migrator(database).migrate()).isEmpty();
    }

    @Test
    void migrate_onAStoreWhosePreviousHistoryDisagreesWithAMigrationsText_refusesToStart() {
        database.withConnection(connection -> {
            Database.execute(connection, "CREATE TABLE keel_schema_history (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    + " checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            Database.execute(connection, resource("V1__foundation.sql"));
            Database.update(connection, "INSERT INTO keel_schema_history (version, name, checksum, applied_at) VALUES (1, 'V1', ?, 0)",
                    "0".repeat(64));
            return null;
        });

        assertThatThrownBy(() -> new Migrator(database).migrate()).isInstanceOf(KeelException.class)
                .hasMessageContaining("V1").hasMessageContaining("changed after it was applied");
    }

    private static String resource(String file) {
        try (var in = MigratorTest.class.getClassLoader().getResourceAsStream("db/migration/" + file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
