package dev.keel.core.batch;

import static dev.keel.core.batch.TestingOutputs.assertScored;
import static dev.keel.core.batch.TestingOutputs.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.TestingDatasetRepository;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Scoring runs into Parquet directories under the output root, the run recorded in a real SQLite file or PostgreSQL schema. */
@OnEachStore
class ParquetSinkTest {
    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private Path root;
    private TestDatabases.Opened store;
    private TestingScoring.Models models;
    private TestingScoring.Inputs inputs;
    private ScoringRun runs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        models = new TestingScoring.Models();
        inputs = new TestingScoring.Inputs(directory);
        inputs.publish("applicants", TestingOutputs.applicants(0, 25));
        root = directory.resolve("batch-output");
        runs = runs(root);
    }

    private ScoringRun runs(Path outputRoot) {
        PipelineService pipelines = new PipelineService(new TestingPipelineRepository(), new TestingRunRepository(), new TestingDatasetRepository(),
                new SnapshotStore(directory.resolve("data")), List.of(), new EnvironmentSecrets(Map.of(), directory), directory, Clock.systemUTC(),
                duration -> { });
        return new ScoringRun(store.database(), models, inputs, ScoringSinks.standard(store.database(), new TestingScoring.Destinations(
                store.database()), outputRoot, pipelines), new TestingClock());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static ScoringJobSpec spec(String path, String partitionBy, String mode, int chunkSize) {
        return TestingOutputs.spec("{kind: parquet, path: " + path + ", partition_by: [" + partitionBy + "], mode: " + mode + "}", chunkSize);
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).map(file -> directory.relativize(file).toString()).sorted().toList();
        }
    }

    private static List<String> entries(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        }
    }

    private static String part(String runId, int chunk) {
        return ScoringRun.hashedName("part-", runId) + "-" + String.format("%06d", chunk);
    }

    @Test
    void append_writesOneFilePerChunk_namedByRunAndChunk_rowByRowEqual() throws IOException {
        ScoringRun.Outcome outcome = runs.execute(spec("scores/credit", "", "append", 10), "run-1");

        Path written = root.resolve("scores/credit");
        assertThat(files(written)).containsExactly(part("run-1", 0) + ".parquet", part("run-1", 1) + ".parquet", part("run-1", 2) + ".parquet");
        List<TestingOutputs.Row> rows = TestingOutputs.directory(written);
        assertScored(rows, range(0, 25), 1, 10);
        assertThat(rows).extracting(TestingOutputs.Row::scoredAt).containsOnly(outcome.run().scoredAt().toString());
        assertThat(TestingOutputs.query("SELECT * FROM read_parquet('" + written.resolve(part("run-1", 1) + ".parquet") + "')"))
                .extracting(TestingOutputs.Row::id).containsExactlyElementsOf(range(10, 20));
        assertThat(entries(root.resolve("scores"))).as("no temporary or staging directory is left").containsExactly("credit");

        runs.execute(spec("scores/credit", "", "append", 10), "run-2");
        assertThat(TestingOutputs.runIds(written + "/*.parquet")).containsExactly("run-1=25", "run-2=25");
    }

    @Test
    void partitioned_isHiveStyle_andReadableByDuckDb() throws IOException {
        runs.execute(spec("scores", "label", "append", 10), "run-1");

        List<String> files = files(root.resolve("scores"));
        assertThat(files).allMatch(file -> file.startsWith("label=bad/") || file.startsWith("label=good/"));
        assertThat(files).allMatch(file -> file.matches("label=(bad|good)/" + ScoringRun.hashedName("part-", "run-1") + "-00000[0-2]_0\\.parquet"));
        List<TestingOutputs.Row> rows = TestingOutputs.directory(root.resolve("scores"));
        assertScored(rows, range(0, 25), 1, 10);
        List<TestingOutputs.Row> bad = TestingOutputs.query("SELECT * FROM read_parquet('" + root.resolve("scores") + "/label=bad/*.parquet',"
                + " hive_partitioning = true) ORDER BY id");
        assertThat(bad).isNotEmpty().allMatch(row -> row.label().equals("bad"));
        assertThat(bad).hasSize((int) rows.stream().filter(row -> row.label().equals("bad")).count());
    }

    @Test
    void chunkWrittenButNotCheckpointed_isRewrittenOnce_replacingItsFiles() throws IOException {
        models.failOnCall = 2;
        assertThatThrownBy(() -> runs.execute(spec("scores", "label", "append", 10), "run-1")).isInstanceOf(KeelException.class);
        // As if the process died after chunk 1's files were renamed into place and before its checkpoint was stored.
        store.database().update("DELETE FROM batch_chunks WHERE run_id = ? AND chunk = 1", "run-1");
        List<String> before = files(root.resolve("scores"));
        models.failOnCall = -1;

        ScoringRun.Outcome resumed = runs.execute(spec("scores", "label", "append", 10), "run-1");

        assertThat(resumed.chunksWritten()).isEqualTo(2);
        assertThat(files(root.resolve("scores"))).containsAll(before);
        assertScored(TestingOutputs.directory(root.resolve("scores")), range(0, 25), 1, 10);
    }

    @Test
    void replace_swapsInTheNewFilesOnly_andLeavesNoStagingBehind() throws IOException {
        runs.execute(spec("scores/credit", "", "replace", 10), "run-1");
        assertScored(TestingOutputs.directory(root.resolve("scores/credit")), range(0, 25), 1, 10);
        models.champion = 2;
        inputs.publish("applicants", TestingOutputs.applicants(5, 17));

        runs.execute(spec("scores/credit", "", "replace", 4), "run-2");

        assertScored(TestingOutputs.directory(root.resolve("scores/credit")), range(5, 17), 2, 4);
        assertThat(files(root.resolve("scores/credit"))).allMatch(file -> file.startsWith(ScoringRun.hashedName("part-", "run-2")));
        assertThat(entries(root.resolve("scores"))).containsExactly("credit");
    }

    @Test
    void replace_failedMidway_leavesTheOldFiles_untilTheResumedRunSwaps() throws IOException {
        runs.execute(spec("scores", "", "replace", 10), "run-1");
        models.champion = 2;
        models.calls.set(0);
        models.failOnCall = 1;

        assertThatThrownBy(() -> runs.execute(spec("scores", "", "replace", 10), "run-2")).isInstanceOf(KeelException.class);

        assertScored(TestingOutputs.directory(root.resolve("scores")), range(0, 25), 1, 10);
        assertThat(entries(root)).contains(".staging-" + ScoringRun.hashedName("", "run-2"));
        models.failOnCall = -1;

        runs.execute(spec("scores", "", "replace", 10), "run-2");

        assertScored(TestingOutputs.directory(root.resolve("scores")), range(0, 25), 2, 10);
        assertThat(entries(root)).containsExactly("scores");
    }

    @Test
    void failedMidway_thenResumed_equalsAnUninterruptedRun_inEachMode() {
        for (String mode : List.of("append", "replace")) {
            for (String partitionBy : List.of("", "label")) {
                String path = mode + (partitionBy.isEmpty() ? "" : "_by_" + partitionBy);
                runs.execute(spec(path + "_whole", partitionBy, mode, 7), path + "-whole");
                models.calls.set(0);
                models.failOnCall = 2;

                assertThatThrownBy(() -> runs.execute(spec(path, partitionBy, mode, 7), path)).hasMessageContaining("failed to score rows 14 to 20");
                models.failOnCall = -1;
                models.calls.set(0);
                ScoringRun.Outcome resumed = runs.execute(spec(path, partitionBy, mode, 7), path);

                assertThat(resumed.chunksWritten()).as(path).isEqualTo(2);
                assertThat(models.calls).hasValue(2);
                List<TestingOutputs.Row> whole = TestingOutputs.directory(root.resolve(path + "_whole"));
                List<TestingOutputs.Row> rows = TestingOutputs.directory(root.resolve(path));
                assertThat(rows.stream().map(TestingOutputs.Row::withoutTime).toList()).as(path)
                        .isEqualTo(whole.stream().map(TestingOutputs.Row::withoutTime).toList());
                assertScored(rows, range(0, 25), 1, 7);
            }
        }
    }

    @Test
    void pathThroughASymbolicLinkOutOfTheRoot_isForbiddenBeforeScoring() throws IOException {
        Path outside = Files.createDirectories(directory.resolve("elsewhere"));
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("escape"), outside);

        assertThatThrownBy(() -> runs.execute(spec("escape/scores", "", "append", 10), "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("destination.path 'escape/scores' leads to " + outside.toRealPath() + ", outside batch.output-root");
        assertThat(models.calls).hasValue(0);
        assertThat(runs.find("run-1")).isEmpty();
        assertThat(entries(outside)).isEmpty();
    }

    @Test
    void outputRootThatCannotBeCreated_isRefusedBeforeScoring() throws IOException {
        Path file = Files.writeString(directory.resolve("not-a-directory"), "x");
        ScoringRun blocked = runs(file.resolve("batch-output"));

        assertThatThrownBy(() -> blocked.execute(spec("scores", "", "append", 10), "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("batch.output-root '" + file.resolve("batch-output") + "' cannot be created");
        assertThat(models.calls).hasValue(0);
    }

    @Test
    void refusedRows_goToKeelsQuarantineTable() {
        inputs.publish("applicants", "SELECT i::BIGINT AS id, 'a' || i AS name, CASE WHEN i = 3 THEN NULL ELSE i / 10.0 END AS f1,"
                + " (i % 7)::DOUBLE AS f2 FROM range(0, 12) t(i)");

        ScoringRun.Outcome outcome = runs.execute(spec("scores", "", "append", 5), "run-1");

        assertThat(outcome.run().rowsQuarantined()).isEqualTo(1);
        assertThat(store.database().query("SELECT input_row, column_name, reason FROM batch_quarantine WHERE run_id = ?",
                row -> row.getLong(1) + " " + row.getString(2) + " " + row.getString(3), "run-1")).containsExactly("3 f1 missing value");
        assertThat(TestingOutputs.directory(root.resolve("scores"))).extracting(TestingOutputs.Row::id).hasSize(11).doesNotContain(3L);
    }
}
