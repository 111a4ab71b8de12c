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
        assertThat(database.query("SELECT version FROM keel_schema_history ORDER BY version", row -> row.getInt(1))).isEqualTo(first);
        assertThat(database.queryOne("SELECT COUNT(*) FROM projects", row -> row.getLong(1))).contains(0L);
    }

    @Test
    void migrate_refusesAMigrationChangedAfterItWasApplied() {
        new Migrator(database).migrate();
        database.update("UPDATE keel_schema_history SET checksum = ? WHERE version = 1", "0".repeat(64));

        assertThatThrownBy(() -> new Migrator(database).migrate())
                .isInstanceOf(KeelException.class)
                .hasMessageContaining("V1")
                .hasMessageContaining("changed after it was applied");
    }

    @Test
    void migrate_fromTwoPoolsAtOnce_appliesEachMigrationOnce() throws Exception {
        try (Database other = store.openDatabase()) {
            List<Database> pools = List.of(database, other);
            List<Integer> applied = Concurrently.run(2, i -> new Migrator(pools.get(i)).migrate()).stream().flatMap(List::stream).toList();

            assertThat(applied).doesNotHaveDuplicates();
            assertThat(database.query("SELECT version FROM keel_schema_history", row -> row.getInt(1))).containsExactlyInAnyOrderElementsOf(applied);
        }
    }
}
