package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * A scoring run in a separate JVM, killed with SIGKILL part-way through, then resumed here with the same run id: the table
 * equals, row by row, the one an uninterrupted run writes.
 */
@OnEachStore
class KilledScoringRunTest {
    private static final int ROWS = 40;
    private static final int CHUNK = 3;

    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestDatabases.Opened reports;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        reports = TestDatabases.open(kind, directory);
    }

    @AfterEach
    void close() {
        store.close();
        reports.close();
    }

    static String applicants() {
        return "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, " + ROWS + ") t(i)";
    }

    static ScoringJobSpec spec(String kind, String table, String mode) {
        return new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: credit-nightly
                model: {name: credit, version: 1}
                input: {dataset: applicants}
                keys: [id]
                outputs: {probabilities: true, label: true, named: [score]}
                destination: {kind: %s, connection: reports, table: %s, mode: %s}
                chunk_size: %d
                """, kind, table, mode, CHUNK));
    }

    /** Runs one scoring run slowly, to be killed: args are kind, store URL and user, reports URL and user, directory, mode, run id. */
    public static void main(String[] args) {
        Database store = Database.open(args[1], args[2], "", 2);
        Database reports = Database.open(args[3], args[4], "", 2);
        TestingScoring.Models models = new TestingScoring.Models();
        models.sleepMillis = 150;
        TestingScoring.Inputs inputs = new TestingScoring.Inputs(Path.of(args[5]));
        inputs.publish("applicants", applicants());
        new ScoringRun(store, models, inputs, ScoringSinks.tables(store, new TestingScoring.Destinations(reports)), new TestingClock())
                .execute(spec(args[0], args[6], args[6]), args[7]);
    }

    private ScoringRun runs() throws Exception {
        Path inputs = Files.createDirectories(directory.resolve("parent"));
        TestingScoring.Inputs parent = new TestingScoring.Inputs(inputs);
        parent.publish("applicants", applicants());
        // An hour after the killed child's clock: its lease on the run has run out, so the run can be resumed.
        return new ScoringRun(store.database(), new TestingScoring.Models(), parent, ScoringSinks.tables(store.database(),
                new TestingScoring.Destinations(reports.database())), new TestingClock(java.time.Instant.parse("2026-01-01T01:00:00Z")));
    }

    @Test
    void killedWithSigkill_thenResumed_equalsAnUninterruptedRun() throws Exception {
        String kindName = kind.name().toLowerCase(Locale.ROOT);
        for (String mode : List.of("append", "replace")) {
            String runId = mode + "-killed";
            Path childInputs = Files.createDirectories(directory.resolve("child-" + mode));
            TestingScoring.Inputs sameInputs = new TestingScoring.Inputs(Files.createDirectories(directory.resolve("same-" + mode)));
            sameInputs.publish("applicants", applicants());
            ScoringRun sameTime = new ScoringRun(store.database(), new TestingScoring.Models(), sameInputs,
                    ScoringSinks.tables(store.database(), new TestingScoring.Destinations(reports.database())), new TestingClock());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    KilledScoringRunTest.class.getName(), kindName, store.store().url(), store.store().user(), reports.store().url(),
                    reports.store().user(), childInputs.toString(), mode, runId)
                    .redirectErrorStream(true).redirectOutput(directory.resolve("child-" + mode + ".log").toFile()).start();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (checkpoints(runId) < 3 && child.isAlive() && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            // While the child runs it holds the run's lease: this process is refused, and told who holds it.
            assertThatThrownBy(() -> sameTime.execute(spec(kindName, mode, mode), runId))
                    .isInstanceOfSatisfying(dev.keel.core.error.KeelException.class, e -> assertThat(e.code())
                            .isEqualTo(dev.keel.core.error.ErrorCode.CONFLICT))
                    .hasMessageContaining("is being executed by " + child.pid() + "@");
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long done = checkpoints(runId);
            assertThat(done).as("chunks written before the kill (%s)", Files.readString(directory.resolve("child-" + mode + ".log")))
                    .isBetween(3L, (long) (ROWS / CHUNK));
            ScoringRun runs = runs();
            assertThat(runs.find(runId).orElseThrow().status()).isEqualTo(BatchRun.Status.RUNNING);

            ScoringRun.Outcome resumed = runs.execute(spec(kindName, mode, mode), runId);
            runs.execute(spec(kindName, mode + "_whole", mode), mode + "-whole");

            assertThat(resumed.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
            assertThat(resumed.run().rowsWritten()).isEqualTo(ROWS);
            List<String> killed = rows(mode);
            assertThat(killed).hasSize(ROWS).doesNotHaveDuplicates();
            assertThat(killed).isEqualTo(rows(mode + "_whole"));
        }
    }

    private long checkpoints(String runId) {
        return store.database().queryOne("SELECT COUNT(*) FROM batch_chunks WHERE run_id = ?", row -> row.getLong(1), runId).orElse(0L);
    }

    /** Every row but its run id and scored-at time, in key order. */
    private List<String> rows(String table) {
        return reports.database().query("SELECT id, p_0, p_1, label, score, model, model_version, run_chunk FROM \"" + table + "\" ORDER BY id",
                row -> row.getLong(1) + "|" + row.getDouble(2) + "|" + row.getDouble(3) + "|" + row.getString(4) + "|" + row.getDouble(5)
                        + "|" + row.getString(6) + "|" + row.getInt(7) + "|" + row.getInt(8));
    }
}
