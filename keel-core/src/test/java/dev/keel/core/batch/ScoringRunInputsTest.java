package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.TestingDatasetRepository;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Whole scoring runs over the standard inputs: a database table resumed after a failure, a watermark run, a changed file. */
@OnEachStore
class ScoringRunInputsTest {
    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestDatabases.Opened reports;
    private TestDatabases.Opened crm;
    private TestingScoring.Models models;
    private ScoringRun runs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        reports = TestDatabases.open(kind, directory);
        crm = TestDatabases.open(kind, directory);
        models = new TestingScoring.Models();
        PipelineService pipelines = new PipelineService(new TestingPipelineRepository(), new TestingRunRepository(), new TestingDatasetRepository(),
                new SnapshotStore(directory.resolve("data")), List.of(), new EnvironmentSecrets(Map.of(), directory), directory, Clock.systemUTC(),
                duration -> { });
        ScoringDestinations sources = connection -> {
            if (connection.equals("crm")) {
                return crm.database();
            }
            throw KeelException.notFound("no connection '" + connection + "' is declared");
        };
        ScoringInputs inputs = ScoringInputs.standard(pipelines, SourceAccess.confinedTo(directory), directory, sources);
        runs = new ScoringRun(store.database(), models, inputs, ScoringSinks.tables(store.database(), new TestingScoring.Destinations(
                reports.database())), new TestingClock());
        crm.database().update("CREATE TABLE applicants (id BIGINT, f1 DOUBLE PRECISION, f2 DOUBLE PRECISION, seq BIGINT)");
        insert(0, 25);
    }

    @AfterEach
    void close() {
        store.close();
        reports.close();
        crm.close();
    }

    /** Applicants {@code from} to {@code to - 1}, inserted last first: f1 = id / 10, f2 = id mod 7, seq = id. */
    private void insert(int from, int to) {
        for (int id = to - 1; id >= from; id--) {
            crm.database().update("INSERT INTO applicants VALUES (?, ?, ?, ?)", (long) id, id / 10.0, (double) (id % 7), (long) id);
        }
    }

    private ScoringJobSpec spec(String input, String incremental, int chunkSize) {
        return new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: crm-nightly
                model: {name: credit, version: 1}
                input: %s
                keys: [id]
                outputs: {probabilities: true, named: [score]}
                destination: {kind: %s, connection: reports, table: scores}
                chunk_size: %d
                %s
                """, input, kind.name().toLowerCase(Locale.ROOT), chunkSize, incremental));
    }

    private record Scored(long id, double bad, int chunk, String runId) {
    }

    private List<Scored> scores() {
        return reports.database().query("SELECT id, p_1, run_chunk, run_id FROM scores ORDER BY id, run_id", row -> new Scored(row.getLong(1),
                row.getDouble(2), row.getInt(3), row.getString(4)));
    }

    private static void assertScoredIds(List<Scored> rows, long from, long to) {
        assertThat(rows).extracting(Scored::id).containsExactlyElementsOf(LongStream.range(from, to).boxed().toList());
        for (Scored row : rows) {
            assertThat(row.bad()).as("p_1 of %d", row.id()).isCloseTo(TestingScoring.probability(row.id() / 10.0, row.id() % 7), within(1e-6));
        }
    }

    @Test
    void aTableInput_failedOnChunk3_resumesWithoutGapOrDuplicate() {
        ScoringJobSpec spec = spec("{connection: crm, table: applicants, order_by: [id]}", "", 7);
        models.failOnCall = 2;
        assertThatThrownBy(() -> runs.execute(spec, "crm-1")).isInstanceOf(RuntimeException.class);
        assertThat(scores()).hasSize(14);
        models.failOnCall = -1;

        ScoringRun.Outcome resumed = runs.execute(spec, "crm-1");

        assertThat(resumed.chunksWritten()).isEqualTo(2);
        assertThat(resumed.run().rowsTotal()).hasValue(25);
        List<Scored> rows = scores();
        assertScoredIds(rows, 0, 25);
        assertThat(rows).allSatisfy(row -> assertThat(row.chunk()).isEqualTo((int) row.id() / 7));
    }

    @Test
    void aWatermarkJob_scoresOnlyTheRowsAddedSinceItsLastRun() {
        ScoringJobSpec spec = spec("{connection: crm, query: 'SELECT id, f1, f2, seq FROM applicants', order_by: [seq]}",
                "incremental: {watermark: seq}", 10);
        runs.execute(spec, "crm-1");
        insert(25, 35);

        ScoringRun.Outcome second = runs.execute(spec, "crm-2");

        assertThat(second.rowsWritten()).isEqualTo(10);
        assertThat(second.run().watermark()).contains(new ScoringInputs.Watermark("seq", Optional.of("24"), "34"));
        List<Scored> rows = scores();
        assertScoredIds(rows, 0, 35);
        assertThat(rows).allSatisfy(row -> assertThat(row.runId()).isEqualTo(row.id() < 25 ? "crm-1" : "crm-2"));
        assertThat(runs.execute(spec, "crm-3").rowsWritten()).isZero();
    }

    @Test
    void aFileChangedBetweenAFailureAndTheResume_isAConflict() throws Exception {
        Path file = directory.resolve("applicants.csv");
        StringBuilder csv = new StringBuilder("id,f1,f2\n");
        for (int id = 0; id < 25; id++) {
            csv.append(id).append(',').append(id / 10.0).append(',').append((double) (id % 7)).append('\n');
        }
        Files.writeString(file, csv);
        ScoringJobSpec spec = spec("{files: applicants.csv}", "", 7);
        models.failOnCall = 1;
        assertThatThrownBy(() -> runs.execute(spec, "file-1")).isInstanceOf(RuntimeException.class);
        models.failOnCall = -1;
        Files.writeString(file, "25,2.5,4.0\n", StandardOpenOption.APPEND);

        assertThatThrownBy(() -> runs.execute(spec, "file-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("changed since the run started");
        assertScoredIds(scores(), 0, 7);
        ScoringRun.Outcome fresh = runs.execute(spec, "file-2");
        assertThat(fresh.rowsWritten()).isEqualTo(26);
    }
}
