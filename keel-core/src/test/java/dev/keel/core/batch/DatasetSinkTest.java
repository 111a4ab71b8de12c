package dev.keel.core.batch;

import static dev.keel.core.batch.TestingOutputs.assertScored;
import static dev.keel.core.batch.TestingOutputs.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.JdbcDatasetRepository;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.data.DatasetProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Scoring runs that publish a new version of a Keel dataset, its versions stored in a real SQLite file or PostgreSQL schema. */
@OnEachStore
class DatasetSinkTest {
    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private Path root;
    private TestDatabases.Opened store;
    private JdbcDatasetRepository datasets;
    private PipelineService pipelines;
    private TestingScoring.Models models;
    private TestingScoring.Inputs inputs;
    private ScoringRun runs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        datasets = new JdbcDatasetRepository(store.database());
        models = new TestingScoring.Models();
        inputs = new TestingScoring.Inputs(directory);
        inputs.publish("applicants", TestingOutputs.applicants(0, 25));
        root = directory.resolve("data").resolve("batch-output");
        pipelines = new PipelineService(new TestingPipelineRepository(), new TestingRunRepository(), datasets, new SnapshotStore(directory.resolve(
                "data")), List.of(new TestingOutputs.Profiler()), new EnvironmentSecrets(Map.of(), directory), directory, Clock.systemUTC(),
                duration -> { });
        runs = new ScoringRun(store.database(), models, inputs, ScoringSinks.standard(store.database(), new TestingScoring.Destinations(
                store.database()), root, pipelines), new TestingClock());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static ScoringJobSpec spec(String dataset, String mode, int chunkSize) {
        return TestingOutputs.spec("{kind: dataset, dataset: " + dataset + ", mode: " + mode + "}", chunkSize);
    }

    /** A version's rows in file order. */
    private List<TestingOutputs.Row> rows(String dataset, int version) {
        try (SnapshotStore.Snapshot snapshot = pipelines.openSnapshot(dataset, version)) {
            return TestingOutputs.query("SELECT * FROM read_parquet('" + snapshot.path() + "')");
        }
    }

    @Test
    void replace_publishesTheRunsRows_withTheRunAsLineage_andAProfile() {
        ScoringRun.Outcome outcome = runs.execute(spec("scores", "replace", 10), "run-1");

        DatasetVersion version = pipelines.dataset("scores", 0);
        assertThat(version.version()).isEqualTo(1);
        assertThat(version.pipeline()).isEqualTo("scoring:credit-nightly");
        assertThat(version.runId()).isEqualTo("run-1");
        assertThat(version.project()).isEqualTo("default");
        assertThat(version.rows()).isEqualTo(25);
        assertThat(version.profile().rows()).isEqualTo(25);
        assertThat(version.profile().columns()).extracting(DatasetProfile.ColumnProfile::name).containsExactly("id", "p_good", "p_bad", "label",
                "score", "model", "model_version", "run_id", "run_chunk", "scored_at");
        List<TestingOutputs.Row> rows = rows("scores", 1);
        assertScored(rows, range(0, 25), 1, 10);
        assertThat(rows).extracting(TestingOutputs.Row::scoredAt).containsOnly(outcome.run().scoredAt().toString());
        assertThat(root.resolve(".datasets")).isEmptyDirectory();
    }

    @Test
    void append_publishesThePreviousRowsThenTheRuns() {
        runs.execute(spec("scores", "replace", 10), "run-1");
        models.champion = 2;
        inputs.publish("applicants", TestingOutputs.applicants(25, 31));

        runs.execute(spec("scores", "append", 4), "run-2");

        List<TestingOutputs.Row> rows = rows("scores", 2);
        assertScored(rows.subList(0, 25), range(0, 25), 1, 10);
        assertScored(rows.subList(25, 31), range(25, 31), 2, 4);
        assertThat(rows("scores", 1)).hasSize(25);
    }

    @Test
    void upsert_replacesTheRowsOfTheRunsKeys_andKeepsTheOthers() {
        runs.execute(spec("scores", "replace", 10), "run-1");
        models.champion = 2;
        inputs.publish("applicants", TestingOutputs.applicants(15, 30));

        runs.execute(spec("scores", "upsert", 10), "run-2");

        List<TestingOutputs.Row> rows = new ArrayList<>(rows("scores", 2));
        assertThat(rows).hasSize(30);
        rows.sort(java.util.Comparator.comparingLong(TestingOutputs.Row::id));
        assertScored(rows.subList(0, 15), range(0, 15), 1, 10);
        assertScored(rows.subList(15, 30), range(15, 30), 2, 10);
    }

    @Test
    void failedMidway_thenResumed_publishesTheVersionAnUninterruptedRunPublishes() {
        for (String mode : List.of("replace", "append", "upsert")) {
            runs.execute(spec(mode + "_whole", mode, 7), mode + "-whole");
            models.calls.set(0);
            models.failOnCall = 2;

            assertThatThrownBy(() -> runs.execute(spec(mode, mode, 7), mode)).hasMessageContaining("failed to score rows 14 to 20");
            assertThat(datasets.versions(mode)).as("nothing is published before the run ends").isEmpty();
            models.failOnCall = -1;
            models.calls.set(0);
            ScoringRun.Outcome resumed = runs.execute(spec(mode, mode, 7), mode);

            assertThat(resumed.chunksWritten()).isEqualTo(2);
            assertThat(rows(mode, 1).stream().map(TestingOutputs.Row::withoutTime).toList()).as(mode)
                    .isEqualTo(rows(mode + "_whole", 1).stream().map(TestingOutputs.Row::withoutTime).toList());
            assertScored(rows(mode, 1), range(0, 25), 1, 7);
        }
    }

    @Test
    void finishingAgain_afterThePublish_publishesNothing() {
        runs.execute(spec("scores", "append", 10), "run-1");
        // As if the process died after the version was published and before the run was marked succeeded.
        store.database().update("UPDATE batch_runs SET status = 'FAILED', message = 'killed' WHERE id = ?", "run-1");
        models.calls.set(0);

        ScoringRun.Outcome again = runs.execute(spec("scores", "append", 10), "run-1");

        assertThat(again.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(models.calls).hasValue(0);
        assertThat(datasets.versions("scores")).extracting(DatasetVersion::version).containsExactly(1);
        assertThat(pipelines.publishExternal("default", "scores", directory.resolve("unused.parquet"), "scoring:credit-nightly", "run-1"))
                .isEqualTo(datasets.versions("scores").getFirst());
    }

    @Test
    void datasetOfAnotherProject_isForbidden_beforeScoring_andAtPublish() throws Exception {
        runs.execute(spec("scores", "replace", 10), "run-1");
        DatasetVersion first = datasets.versions("scores").getFirst();
        datasets.insert(new DatasetVersion("theirs", 1, first.sha256(), first.location(), first.rows(), first.bytes(), first.profile(), "intake", 1,
                "p-1", Map.of(), Instant.EPOCH, "marketing"));

        assertThatThrownBy(() -> runs.execute(spec("theirs", "append", 10), "run-2"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessage("dataset 'theirs' belongs to project 'marketing'; scoring job 'credit-nightly' of project 'default' cannot publish a"
                        + " version of it");
        assertThat(runs.find("run-2")).isEmpty();
        Path file;
        try (SnapshotStore.Snapshot snapshot = pipelines.openSnapshot("scores", 1)) {
            file = Files.copy(snapshot.path(), directory.resolve("copy.parquet"));
        }
        assertThatThrownBy(() -> pipelines.publishExternal("default", "theirs", file, "scoring:credit-nightly", "run-3"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("dataset 'theirs' belongs to project 'marketing'");
        assertThat(datasets.versions("theirs")).hasSize(1);
    }
}
