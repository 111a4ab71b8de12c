package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.spi.data.DatasetProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Migration V21 on a database that holds V20's pipelines and datasets: the rows from before land in project {@code default}. */
@OnEachStore
class DataProjectsMigrationTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

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
        script("V20__pipelines.sql");
    }

    @AfterEach
    void close() {
        database.close();
        store.close();
    }

    @Test
    void v21_movesExistingPipelinesAndDatasetsIntoDefault_andStoresTheProjectOfNewOnes() {
        database.update("INSERT INTO pipeline_versions (pipeline, version, spec_yaml, sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                "legacy", 1, "pipeline: legacy", "1".repeat(64), T0.toEpochMilli());
        database.update("INSERT INTO dataset_versions (dataset, version, sha256, location, row_count, byte_count, profile_json, pipeline,"
                + " spec_version, run_id, source_fingerprints_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "legacy-out", 1, "a".repeat(64), "snapshots/aa/x.parquet", 3, 100, "{\"rows\":3,\"columns\":[]}", "legacy", 1, "run-1",
                "{}", T0.toEpochMilli());

        script("V21__data_projects.sql");
        // the repository of today also reads the sensitive columns, which V71 adds with an empty default for old rows
        script("V71__sensitive_columns.sql");
        JdbcPipelineRepository pipelines = new JdbcPipelineRepository(database);
        JdbcDatasetRepository datasets = new JdbcDatasetRepository(database);
        pipelines.insert(new PipelineVersion("scoped", 1, "pipeline: scoped", "2".repeat(64), T0, "fraud"));
        datasets.insert(new DatasetVersion("scoped-out", 1, "b".repeat(64), "snapshots/bb/y.parquet", 1, 10, new DatasetProfile(1, List.of()),
                "scoped", 1, "run-2", Map.of(), T0, "fraud"));

        assertThat(pipelines.listLatest()).extracting(PipelineVersion::pipeline, PipelineVersion::project)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("legacy", "default"), org.assertj.core.groups.Tuple.tuple("scoped", "fraud"));
        assertThat(datasets.listLatest()).extracting(DatasetVersion::dataset, DatasetVersion::project)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("legacy-out", "default"),
                        org.assertj.core.groups.Tuple.tuple("scoped-out", "fraud"));
        assertThat(datasets.listLatest().getFirst().sensitive().isEmpty()).as("a version from before V71 declares nothing").isTrue();
    }

    @Test
    void theDataMigrations_areOnTheClassPathUnderTheirNumbers() {
        for (String name : List.of("V20__pipelines.sql", "V21__data_projects.sql", "V22__run_unchanged.sql", "V23__pipeline_schedules.sql")) {
            assertThat(resource(name)).as(name).isNotBlank();
        }
    }

    private void script(String name) {
        database.withConnection(connection -> {
            Database.execute(connection, resource(name));
            return null;
        });
    }

    private static String resource(String name) {
        try (InputStream in = DataProjectsMigrationTest.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
