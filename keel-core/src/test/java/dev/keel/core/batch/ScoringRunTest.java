package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Scoring runs on a real SQLite file and a real PostgreSQL schema, reading real Parquet through DuckDB. */
@OnEachStore
class ScoringRunTest {
    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestDatabases.Opened reports;
    private TestingScoring.Models models;
    private TestingScoring.Inputs inputs;
    private ScoringRun runs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        reports = TestDatabases.open(kind, directory);
        models = new TestingScoring.Models();
        inputs = new TestingScoring.Inputs(directory);
        inputs.publish("applicants", rows(0, 25));
        runs = new ScoringRun(store.database(), models, inputs, ScoringSinks.tables(store.database(), new TestingScoring.Destinations(reports.database())),
                new TestingClock());
    }

    @AfterEach
    void close() {
        store.close();
        reports.close();
    }

    /** Applicants {@code from} to {@code to - 1}: id, name, f1 = id / 10, f2 = id mod 7 (+ shift). */
    private static String rows(int from, int to) {
        return rows(from, to, 0);
    }

    private static String rows(int from, int to, int shift) {
        return "SELECT i::BIGINT AS id, 'a' || i AS name, i / 10.0 AS f1, ((i % 7) + " + shift + ")::DOUBLE AS f2 FROM range(" + from
                + ", " + to + ") t(i)";
    }

    private static final String SPEC_TEMPLATE = """
            name: j
            model: {name: credit, version: 1}
            input: {dataset: applicants}
            outputs: {label: true}
            destination: {kind: %s, connection: %s, table: scores}
            """;

    private ScoringJobSpec spec(String connection, String table, String mode, int chunkSize) {
        return new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: credit-nightly
                model: {name: credit, alias: champion}
                input: {dataset: applicants, version: latest}
                keys: [id]
                outputs: {probabilities: true, classes: [good, bad], label: true, named: [score]}
                destination: {kind: %s, connection: %s, table: %s, mode: %s}
                chunk_size: %d
                """, kind.name().toLowerCase(Locale.ROOT), connection, table, mode, chunkSize));
    }

    /** One written row, without its run id: what must match between a resumed and an uninterrupted run. */
    record Written(long id, double good, double bad, String label, double score, String model, int version, int chunk, String scoredAt) {
    }

    private static List<Written> table(Database database, String table) {
        return database.query("SELECT * FROM \"" + table + "\" ORDER BY id", ScoringRunTest::written);
    }

    private static Written written(ResultSet row) throws SQLException {
        return new Written(row.getLong("id"), row.getDouble("p_good"), row.getDouble("p_bad"), row.getString("label"), row.getDouble("score"),
                row.getString("model"), row.getInt("model_version"), row.getInt("run_chunk"), row.getString("scored_at"));
    }

    /** Checks each row against the testing model's formula, computed here independently. */
    private static void assertScored(List<Written> rows, int from, int to, int version, int chunkSize) {
        assertThat(rows).extracting(Written::id).containsExactlyElementsOf(range(from, to));
        for (Written row : rows) {
            double f1 = row.id() / 10.0;
            double f2 = row.id() % 7;
            double p = TestingScoring.probability(f1, f2);
            double bad = version == 2 ? 1 - p : p;
            assertThat(row.bad()).as("p_bad of %d", row.id()).isCloseTo(bad, within(1e-6));
            assertThat(row.good()).as("p_good of %d", row.id()).isCloseTo(1 - bad, within(1e-6));
            assertThat(row.label()).isEqualTo(bad > 1 - bad ? "bad" : "good");
            assertThat(row.score()).isCloseTo((float) f1 + (float) f2, within(1e-5));
            assertThat(row.model()).isEqualTo("credit");
            assertThat(row.version()).isEqualTo(version);
            assertThat(row.chunk()).isEqualTo((row.id() - from) / chunkSize);
        }
    }

    private static boolean exists(Database database, String table) {
        Boolean found = database.withConnection(connection -> TableWriter.exists(connection, table));
        return found;
    }

    private static List<Long> range(int from, int to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i < to; i++) {
            ids.add(i);
        }
        return ids;
    }

    @Test
    void validation_missingAndMistypedColumns_areRefusedBeforeAnyRowIsScored() {
        models.versions.put(1, TestingScoring.version("credit", 1, List.of(FeatureSpec.number("f1"), FeatureSpec.number("name"),
                FeatureSpec.number("income"))));

        assertThatThrownBy(() -> runs.execute(spec("reports", "scores", "append", 10), "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("name", "income");
                })
                .hasMessageContaining("column 'name' is VARCHAR in dataset 'applicants' version 1; feature 'name' is a number")
                .hasMessageContaining("column 'income' (feature 3 of 3, number) is missing from dataset 'applicants' version 1")
                .hasMessageContaining("nothing was scored");
        assertThat(models.calls).hasValue(0);
        assertThat(runs.find("run-1")).isEmpty();
        assertThat(exists(reports.database(), "scores")).isFalse();
    }

    @Test
    void validation_missingKeyAndOutput_areNamed() {
        ScoringJobSpec spec = new ScoringJobSpecParser().parseOrThrow("""
                name: j
                model: {name: credit, version: 1}
                input: {dataset: applicants}
                keys: [applicant_id]
                outputs: {named: [margin]}
                destination: {kind: sqlite, connection: reports, table: scores}
                """);

        assertThatThrownBy(() -> runs.execute(spec, "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.errors()).extracting(KeelException.FieldError::field)
                        .containsExactly("applicant_id", "outputs.named"))
                .hasMessageContaining("key column 'applicant_id' is missing")
                .hasMessageContaining("has no tensor output 'margin'");
        assertThat(models.calls).hasValue(0);
    }

    @Test
    void append_writesEveryRowWithItsKeyOutputsAndRunColumns() {
        ScoringRun.Outcome outcome = runs.execute(spec("reports", "scores", "append", 10), "run-1");

        assertThat(outcome.chunksWritten()).isEqualTo(3);
        assertThat(outcome.rowsWritten()).isEqualTo(25);
        assertThat(models.calls).hasValue(3);
        assertThat(outcome.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(outcome.run().rowsWritten()).isEqualTo(25);
        assertThat(outcome.run().modelVersion()).isEqualTo(1);
        List<Written> rows = table(reports.database(), "scores");
        assertScored(rows, 0, 25, 1, 10);
        assertThat(rows).extracting(Written::scoredAt).containsOnly(outcome.run().scoredAt().toString());
        assertThat(reports.database().query("SELECT DISTINCT run_id FROM scores", row -> row.getString(1))).containsExactly("run-1");

        runs.execute(spec("reports", "scores", "append", 10), "run-2");
        assertThat(reports.database().query("SELECT run_id, COUNT(*) FROM scores GROUP BY run_id ORDER BY run_id",
                row -> row.getString(1) + "=" + row.getLong(2))).containsExactly("run-1=25", "run-2=25");
    }

    @Test
    void replace_swapsInTheNewRowsOnly() {
        runs.execute(spec("reports", "scores", "replace", 10), "run-1");
        models.champion = 2;
        inputs.publish("applicants", rows(5, 17));

        ScoringRun.Outcome outcome = runs.execute(spec("reports", "scores", "replace", 4), "run-2");

        assertThat(outcome.run().modelVersion()).isEqualTo(2);
        assertScored(table(reports.database(), "scores"), 5, 17, 2, 4);
        assertThat(exists(reports.database(), ScoringRun.stagingTable("scores", "run-2"))).isFalse();
    }

    @Test
    void upsert_insertsNewKeysAndUpdatesExistingOnes() {
        runs.execute(spec("reports", "scores", "upsert", 10), "run-1");
        models.champion = 2;
        inputs.publish("applicants", rows(15, 30));

        runs.execute(spec("reports", "scores", "upsert", 10), "run-2");

        List<Written> rows = table(reports.database(), "scores");
        assertScored(rows.subList(0, 15), 0, 15, 1, 10);
        assertScored(rows.subList(15, 30), 15, 30, 2, 10);
        assertThat(reports.database().query("SELECT run_id, COUNT(*) FROM scores GROUP BY run_id ORDER BY run_id",
                row -> row.getString(1) + "=" + row.getLong(2))).containsExactly("run-1=15", "run-2=15");
    }

    @Test
    void failedMidway_thenResumed_equalsAnUninterruptedRun_inEveryMode() {
        for (String mode : List.of("append", "replace", "upsert")) {
            for (String connection : List.of("keel", "reports")) {
                Database database = connection.equals("keel") ? store.database() : reports.database();
                String table = mode + "_" + connection;
                runs.execute(spec(connection, table + "_whole", mode, 7), mode + "-" + connection + "-whole");
                models.calls.set(0);
                models.failOnCall = 2;

                assertThatThrownBy(() -> runs.execute(spec(connection, table, mode, 7), mode + "-" + connection))
                        .hasMessageContaining("failed to score rows 14 to 20");
                assertThat(runs.find(mode + "-" + connection).orElseThrow().status()).isEqualTo(BatchRun.Status.FAILED);
                assertThat(runs.find(mode + "-" + connection).orElseThrow().message()).get().asString().contains("fails on call 2");
                if (mode.equals("replace")) {
                    assertThat(exists(database, table)).as("the table appears only at the swap").isFalse();
                } else {
                    assertThat(table(database, table)).hasSize(14);
                }
                models.failOnCall = -1;
                models.calls.set(0);

                ScoringRun.Outcome resumed = runs.execute(spec(connection, table, mode, 7), mode + "-" + connection);

                assertThat(resumed.chunksWritten()).as(mode + " on " + connection).isEqualTo(2);
                assertThat(models.calls).hasValue(2);
                assertThat(resumed.run().rowsWritten()).isEqualTo(25);
                List<Written> whole = table(database, table + "_whole");
                assertThat(withoutTime(table(database, table))).as(mode + " on " + connection).isEqualTo(withoutTime(whole));
                assertScored(table(database, table), 0, 25, 1, 7);
            }
        }
    }

    private static List<Written> withoutTime(List<Written> rows) {
        return rows.stream().map(row -> new Written(row.id(), row.good(), row.bad(), row.label(), row.score(), row.model(), row.version(),
                row.chunk(), "")).toList();
    }

    @Test
    void chunkWrittenButNotCheckpointed_isWrittenOnceOnResume() {
        models.failOnCall = 2;
        assertThatThrownBy(() -> runs.execute(spec("reports", "scores", "append", 10), "run-1")).isInstanceOf(KeelException.class);
        // As if the process died after the destination committed chunk 1 and before its checkpoint was stored.
        store.database().update("DELETE FROM batch_chunks WHERE run_id = ? AND chunk = 1", "run-1");
        store.database().update("UPDATE batch_runs SET rows_written = 10 WHERE id = ?", "run-1");
        assertThat(table(reports.database(), "scores")).hasSize(20);
        models.failOnCall = -1;

        ScoringRun.Outcome resumed = runs.execute(spec("reports", "scores", "append", 10), "run-1");

        assertThat(resumed.chunksWritten()).isEqualTo(2);
        assertThat(resumed.run().rowsWritten()).isEqualTo(25);
        assertScored(table(reports.database(), "scores"), 0, 25, 1, 10);
    }

    @Test
    void interruptedThread_stopsBetweenChunks_andTheRunResumes() {
        models.interruptOnCall = 1;
        assertThatThrownBy(() -> runs.execute(spec("keel", "scores", "append", 10), "run-1"))
                .hasMessageContaining("run 'run-1' was interrupted after 2 chunks");
        assertThat(Thread.interrupted()).isTrue();
        assertThat(table(store.database(), "scores")).hasSize(20);

        ScoringRun.Outcome resumed = runs.execute(spec("keel", "scores", "append", 10), "run-1");

        assertThat(resumed.chunksWritten()).isEqualTo(1);
        assertScored(table(store.database(), "scores"), 0, 25, 1, 10);
    }

    @Test
    void finishedRun_executedAgain_writesNothing() {
        runs.execute(spec("reports", "scores", "replace", 10), "run-1");
        models.calls.set(0);
        inputs.publish("applicants", rows(100, 110));
        models.champion = 2;

        ScoringRun.Outcome again = runs.execute(spec("reports", "scores", "replace", 10), "run-1");

        assertThat(again.chunksWritten()).isZero();
        assertThat(again.rowsWritten()).isZero();
        assertThat(models.calls).hasValue(0);
        assertScored(table(reports.database(), "scores"), 0, 25, 1, 10);
    }

    @Test
    void resumedRun_keepsItsPinnedModelAndDatasetVersion() {
        models.failOnCall = 1;
        assertThatThrownBy(() -> runs.execute(spec("reports", "scores", "append", 10), "run-1")).isInstanceOf(KeelException.class);
        models.failOnCall = -1;
        models.champion = 2;
        inputs.publish("applicants", rows(100, 110));

        ScoringRun.Outcome resumed = runs.execute(spec("reports", "scores", "append", 10), "run-1");

        assertThat(resumed.run().modelVersion()).isEqualTo(1);
        assertThat(resumed.run().datasetVersion()).isEqualTo(1);
        assertScored(table(reports.database(), "scores"), 0, 25, 1, 10);
    }

    @Test
    void destination_ofAnotherKindOrUndeclared_isRefusedBeforeScoring() {
        String other = kind == StoreKind.SQLITE ? "postgres" : "sqlite";
        ScoringJobSpec mismatched = new ScoringJobSpecParser().parseOrThrow(SPEC_TEMPLATE.formatted(other, "reports"));
        ScoringJobSpec undeclared = new ScoringJobSpecParser().parseOrThrow(SPEC_TEMPLATE.formatted(kind.name().toLowerCase(Locale.ROOT),
                "warehouse"));

        assertThatThrownBy(() -> runs.execute(mismatched, "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("destination.kind is " + other + " but connection 'reports' is a " + kind.name().toLowerCase(Locale.ROOT)
                        + " database");
        assertThatThrownBy(() -> runs.execute(undeclared, "run-2"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessage("no connection 'warehouse' is declared");
        assertThat(models.calls).hasValue(0);
        assertThat(runs.find("run-1")).isEmpty();
        assertThat(runs.find("run-2")).isEmpty();
    }

    @Test
    void runId_withAnotherSpec_isAConflict() {
        runs.execute(spec("reports", "scores", "append", 10), "run-1");

        assertThatThrownBy(() -> runs.execute(spec("reports", "scores", "append", 5), "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("run 'run-1' was started by job 'credit-nightly' with a different spec");
        assertThat(Optional.of(table(reports.database(), "scores").size())).contains(25);
    }
}
