package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Labels by project on SQLite and PostgreSQL, from a V30 table holding labels of before (migration V31). */
@OnEachStore
class LabelProjectsTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.TestStore store;
    private Database database;
    private LabelStore labels;

    @BeforeEach
    void open() {
        store = TestDatabases.create(kind, directory);
        database = store.openDatabase();
        script("V30__monitoring.sql");
        database.update("INSERT INTO monitor_labels (request_id, label, value, labelled_at, received_at, received_by) VALUES (?, ?, ?, ?, ?, ?)",
                "req-old", "good", null, T0.toEpochMilli(), T0.toEpochMilli(), "before");
        script("V31__label_projects.sql");
        labels = new LabelStore(database, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        database.close();
        store.close();
    }

    private static GroundTruth truth(String requestId, String label) {
        return new GroundTruth(requestId, Optional.of(label), OptionalDouble.empty(), T0);
    }

    @Test
    void aLabelOfBefore_isJoinedByEveryProject_untilTheProjectRecordsItsOwn() {
        assertThat(labels.find("a", "req-old")).map(GroundTruth::label).contains(Optional.of("good"));
        assertThat(labels.find("b", "req-old")).map(GroundTruth::label).contains(Optional.of("good"));

        labels.record(Map.of("a", List.of(truth("req-old", "bad"))), "ana");

        assertThat(labels.find("a", "req-old")).map(GroundTruth::label).contains(Optional.of("bad"));
        assertThat(labels.find("b", "req-old")).map(GroundTruth::label).contains(Optional.of("good"));
    }

    @Test
    void aLaterLabel_replacesOnlyTheLabelOfItsOwnProject() {
        labels.record(Map.of("a", List.of(truth("req-1", "good"))), "ana");
        labels.record(Map.of("b", List.of(truth("req-1", "bad"))), "bob");
        labels.record(Map.of("a", List.of(truth("req-2", "good"), truth("req-2", "bad"))), "ana");

        assertThat(labels.lookup("a", List.of("req-1", "req-2"))).extractingByKeys("req-1", "req-2").extracting(GroundTruth::label)
                .containsExactly(Optional.of("good"), Optional.of("bad"));
        assertThat(labels.find("b", "req-1")).map(GroundTruth::label).contains(Optional.of("bad"));
        assertThat(labels.lookup("c", List.of("req-1", "req-2"))).isEmpty();
        assertThat(labels.count()).isEqualTo(4);
    }

    private void script(String name) {
        try (InputStream in = LabelProjectsTest.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            database.withConnection(connection -> {
                Database.execute(connection, text);
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
