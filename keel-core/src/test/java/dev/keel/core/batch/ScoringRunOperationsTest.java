package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Quarantine, carried and sensitive columns, the lease, cancel and progress of scoring runs, on SQLite and PostgreSQL. */
@OnEachStore
class ScoringRunOperationsTest {
    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestDatabases.Opened reports;
    private TestingScoring.Models models;
    private TestingScoring.Inputs inputs;
    private TestingClock clock;
    private ScoringRun runs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        reports = TestDatabases.open(kind, directory);
        models = new TestingScoring.Models();
        inputs = new TestingScoring.Inputs(directory);
        clock = new TestingClock();
        runs = executor(clock);
    }

    private ScoringRun executor(TestingClock at) {
        return new ScoringRun(store.database(), models, inputs, ScoringSinks.tables(store.database(),
                new TestingScoring.Destinations(reports.database())), at, Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        store.close();
        reports.close();
    }

    private ScoringJobSpec spec(String extra, int chunkSize) {
        return new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: credit-nightly
                model: {name: credit, version: 1}
                input: {dataset: applicants}
                keys: [id]
                %s
                outputs: {probabilities: true, classes: [good, bad]}
                destination: {kind: %s, connection: reports, table: scores}
                chunk_size: %d
                """, extra, kind.name().toLowerCase(Locale.ROOT), chunkSize));
    }

    /** Features with limits: f1 a number in [0, 2], f2 a whole number, sensitive. */
    private void limitedFeatures() {
        models.versions.put(1, TestingScoring.version("credit", 1, List.of(
                new FeatureSpec("f1", "number", Optional.of(0.0), Optional.of(2.0), List.of(), false, Optional.empty()),
                new FeatureSpec("f2", "integer", Optional.empty(), Optional.empty(), List.of(), true, Optional.empty()))));
    }

    @Test
    void rowsThatFailTheFeatureSchema_goToTheQuarantineWithTheirReason_andTheOthersAreScored() {
        limitedFeatures();
        // ids 0..9: f1 = id / 4 (ids 9 is above 2.0), f2 whole except id 3 (2.5); id 5 has no f1; id 7's f2 is NaN.
        inputs.publish("applicants", """
                SELECT i::BIGINT AS id, 'a' || i AS name,
                       CASE WHEN i = 5 THEN NULL ELSE i / 4.0 END AS f1,
                       CASE WHEN i = 3 THEN 2.5 WHEN i = 7 THEN 'NaN'::DOUBLE ELSE (i % 3)::DOUBLE END AS f2
                FROM range(0, 10) t(i)""");

        ScoringRun.Outcome outcome = runs.execute(spec("", 4), "run-1");

        assertThat(outcome.rowsWritten()).isEqualTo(6);
        assertThat(outcome.rowsQuarantined()).isEqualTo(4);
        assertThat(outcome.run().rowsRead()).isEqualTo(10);
        assertThat(outcome.run().rowsQuarantined()).isEqualTo(4);
        assertThat(reports.database().query("SELECT id FROM scores ORDER BY id", row -> row.getLong(1))).containsExactly(0L, 1L, 2L, 4L, 6L, 8L);
        assertThat(reports.database().query("SELECT input_row, keys, column_name, value, reason, run_chunk FROM scores_quarantine ORDER BY input_row",
                row -> row.getLong(1) + "|" + row.getString(2) + "|" + row.getString(3) + "|" + row.getString(4) + "|" + row.getString(5) + "|"
                        + row.getInt(6))).containsExactly(
                "3|[3]|f2|***|not a whole number; feature 'f2' is an integer|0",
                "5|[5]|f1|null|missing value|1",
                "7|[7]|f2|***|not a finite number|1",
                "9|[9]|f1|2.25|above the feature's maximum 2.0|2");
    }

    @Test
    void quarantine_isWrittenOnceWhenAChunkIsWrittenAgain() {
        limitedFeatures();
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 4.0 AS f1, (i % 3)::DOUBLE AS f2 FROM range(0, 12) t(i)");
        models.failOnCall = 2;

        assertThatThrownBy(() -> runs.execute(spec("", 4), "run-1")).isInstanceOf(KeelException.class);
        ScoringRun.Outcome resumed = runs.execute(spec("", 4), "run-1");

        assertThat(resumed.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(reports.database().query("SELECT input_row FROM scores_quarantine ORDER BY input_row", row -> row.getLong(1)))
                .containsExactly(9L, 10L, 11L);
        assertThat(resumed.run().rowsQuarantined()).isEqualTo(3);
        assertThat(reports.database().query("SELECT COUNT(*) FROM scores", row -> row.getLong(1))).containsExactly(9L);
    }

    @Test
    void carriedColumns_areCopied_andSensitiveOnesOnlyWhenDeclared() {
        limitedFeatures();
        inputs.publish("applicants", "SELECT i::BIGINT AS id, 'a' || i AS name, i / 10.0 AS f1, (i % 3)::DOUBLE AS f2 FROM range(0, 5) t(i)");

        assertThatThrownBy(() -> runs.execute(spec("carry: [name, f2]", 10), "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("f2");
                })
                .hasMessageContaining("carried column 'f2' is sensitive");
        assertThat(models.calls).hasValue(0);

        runs.execute(spec("carry: [name, f2]\nsensitive: [f2]", 10), "run-2");
        assertThat(reports.database().query("SELECT id, name, f2 FROM scores ORDER BY id", row -> row.getLong(1) + ":" + row.getString(2) + ":"
                + row.getDouble(3))).containsExactly("0:a0:0.0", "1:a1:1.0", "2:a2:2.0", "3:a3:0.0", "4:a4:1.0");
    }

    /** A model whose every call waits for a latch, so that a run stays in the middle of its first chunk. */
    private static final class HeldModels implements ScoringModels {
        final TestingScoring.Models delegate;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldModels(TestingScoring.Models delegate) {
            this.delegate = delegate;
        }

        @Override
        public ModelVersion byAlias(String model, String alias) {
            return delegate.byAlias(model, alias);
        }

        @Override
        public ModelVersion byNumber(String model, int version) {
            return delegate.byNumber(model, version);
        }

        @Override
        public LoadedModel load(ModelVersion version) {
            LoadedModel inner = delegate.load(version);
            return new LoadedModel() {
                @Override
                public ModelSignature signature() {
                    return inner.signature();
                }

                @Override
                public Map<String, Tensor> predict(Map<String, Tensor> tensors) {
                    entered.countDown();
                    try {
                        if (!release.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return inner.predict(tensors);
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }
    }

    @Test
    void aRunBeingExecuted_isRefusedToASecondExecutor_untilItsLeaseRunsOut() throws Exception {
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, 30) t(i)");
        HeldModels held = new HeldModels(models);
        ScoringRun first = new ScoringRun(store.database(), held, inputs, ScoringSinks.tables(store.database(),
                new TestingScoring.Destinations(reports.database())), clock, Duration.ofSeconds(30));
        CompletableFuture<ScoringRun.Outcome> running = CompletableFuture.supplyAsync(() -> first.execute(spec("", 10), "run-1"));
        assertThat(held.entered.await(30, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> runs.execute(spec("", 10), "run-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("is being executed by");

        // A minute later the first executor's lease has run out (as after a kill): a second one takes the run over and finishes it.
        TestingClock later = new TestingClock(clock.instant().plus(Duration.ofMinutes(1)));
        ScoringRun.Outcome second = executor(later).execute(spec("", 10), "run-1");
        assertThat(second.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(second.rowsWritten()).isEqualTo(30);

        // The first executor wakes up, writes its chunk again (the same rows) and finds it has lost the run.
        held.release.countDown();
        assertThatThrownBy(running::join).hasCauseInstanceOf(KeelException.class).cause().hasMessageContaining("lost its lease");
        assertThat(runs.find("run-1").orElseThrow().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(reports.database().query("SELECT COUNT(*), COUNT(DISTINCT id) FROM scores", row -> row.getLong(1) + "/" + row.getLong(2)))
                .containsExactly("30/30");
    }

    @Test
    void cancel_stopsTheRunAfterTheChunkItIsWriting_andExecutingItAgainResumes() {
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, 50) t(i)");
        TestingScoring.Models cancelling = new TestingScoring.Models() {
            @Override
            public LoadedModel load(ModelVersion version) {
                LoadedModel inner = super.load(version);
                return new LoadedModel() {
                    @Override
                    public ModelSignature signature() {
                        return inner.signature();
                    }

                    @Override
                    public Map<String, Tensor> predict(Map<String, Tensor> tensors) {
                        if (calls.get() == 1) {
                            runs.cancel("run-1");
                        }
                        clock.advance(Duration.ofSeconds(1));
                        return inner.predict(tensors);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        ScoringRun cancellable = new ScoringRun(store.database(), cancelling, inputs, ScoringSinks.tables(store.database(),
                new TestingScoring.Destinations(reports.database())), clock, Duration.ofSeconds(30));

        ScoringRun.Outcome stopped = cancellable.execute(spec("", 10), "run-1");

        assertThat(stopped.run().status()).isEqualTo(BatchRun.Status.CANCELLED);
        assertThat(stopped.run().message()).hasValueSatisfying(message -> assertThat(message).contains("cancelled after 2 chunks"));
        assertThat(stopped.chunksWritten()).isEqualTo(2);
        assertThat(reports.database().query("SELECT COUNT(*) FROM scores", row -> row.getLong(1))).containsExactly(20L);
        ScoringRun.Progress progress = runs.progress("run-1").orElseThrow();
        assertThat(progress.chunksDone()).isEqualTo(2);
        assertThat(progress.rowsPerSecond().orElseThrow()).isEqualTo(10.0);

        ScoringRun.Outcome resumed = cancellable.execute(spec("", 10), "run-1");
        assertThat(resumed.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(resumed.chunksWritten()).isEqualTo(3);
        assertThat(reports.database().query("SELECT id FROM scores ORDER BY id", row -> row.getLong(1)))
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 50).boxed().toList());
        assertThat(runs.cancel("run-1").orElseThrow().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
    }

    @Test
    void cancel_ofARunWhoseExecutorIsGone_marksItCancelledAtOnce() {
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, 20) t(i)");
        models.failOnCall = 1;
        assertThatThrownBy(() -> runs.execute(spec("", 10), "run-1")).isInstanceOf(KeelException.class);
        // A failed run is not running: cancel leaves it as it is.
        assertThat(runs.cancel("run-1").orElseThrow().status()).isEqualTo(BatchRun.Status.FAILED);
        store.database().update("UPDATE batch_runs SET status = 'RUNNING', lease_owner = 'gone', lease_until = ? WHERE id = 'run-1'",
                clock.millis() - 1);

        assertThat(runs.cancel("run-1").orElseThrow().status()).isEqualTo(BatchRun.Status.CANCELLED);
        assertThat(runs.cancel("nothing")).isEmpty();
    }

    @Test
    void theVersionsLabelsTag_namesTheProbabilityColumns_andAContradictingClassesListIsRefused() {
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, 5) t(i)");
        // The testing model's column 1 is p; a version tagged labels: "yes,no" names column 0 "yes" and column 1 "no".
        models.versions.put(1, TestingScoring.version("credit", 1, TestingScoring.FEATURES.stream().map(FeatureSpec::number).toList(),
                Map.of("labels", "yes,no")));
        ScoringJobSpec unnamed = new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: tagged
                model: {name: credit, version: 1}
                input: {dataset: applicants}
                keys: [id]
                outputs: {probabilities: true, label: true}
                destination: {kind: %s, connection: reports, table: tagged}
                """, kind.name().toLowerCase(Locale.ROOT)));

        runs.execute(unnamed, "run-1");

        List<String> rows = reports.database().query("SELECT id, p_yes, p_no, label FROM tagged ORDER BY id", row -> row.getLong(1) + "|"
                + Math.round(row.getDouble(2) * 1e6) + "|" + Math.round(row.getDouble(3) * 1e6) + "|" + row.getString(4));
        for (int id = 0; id < 5; id++) {
            double p = TestingScoring.probability(id / 10.0, id % 7);
            assertThat(rows.get(id)).isEqualTo(id + "|" + Math.round((float) (1 - p) * 1e6) + "|" + Math.round((float) p * 1e6) + "|"
                    + (p > 1 - p ? "no" : "yes"));
        }
        assertThatThrownBy(() -> runs.execute(spec("", 10), "run-2"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.errors()).extracting(KeelException.FieldError::field)
                        .containsExactly("outputs.classes"))
                .hasMessageContaining("outputs.classes lists [good, bad] but model credit:1 declares its probability columns as [yes, no]");
    }

    @Test
    void inKeelsOwnStore_aJobWritesOnlyScoreTablesOfItsOwnProject() {
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, 5) t(i)");
        String kindName = kind.name().toLowerCase(Locale.ROOT);
        String template = """
                name: %s
                project: %s
                model: {name: credit, version: 1}
                input: {dataset: applicants}
                keys: [id]
                outputs: {probabilities: true}
                destination: {kind: %s, connection: keel, table: %s, mode: replace}
                """;
        ScoringJobSpecParser parser = new ScoringJobSpecParser();

        // Keel's metadata tables are not score tables: replace mode would drop them.
        for (String table : List.of("tokens", "model_versions", "audit_log")) {
            assertThatThrownBy(() -> runs.execute(parser.parseOrThrow(template.formatted("grab", "default", kindName, table)), "grab-" + table))
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                    .hasMessageContaining("table '" + table + "' of Keel's own store is not a table of scores");
            Boolean kept = store.database().withConnection(connection -> TableWriter.exists(connection, table));
            assertThat(kept).as("table %s is still there", table).isTrue();
        }

        runs.execute(parser.parseOrThrow(template.formatted("mine", "alpha", kindName, "shared_scores")), "alpha-1");
        assertThatThrownBy(() -> runs.execute(parser.parseOrThrow(template.formatted("theirs", "beta", kindName, "shared_scores")), "beta-1"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("holds scores of another project");
        assertThat(store.database().query("SELECT DISTINCT run_id FROM shared_scores", row -> row.getString(1))).containsExactly("alpha-1");
        assertThat(runs.execute(parser.parseOrThrow(template.formatted("mine", "alpha", kindName, "shared_scores")), "alpha-2").run().status())
                .isEqualTo(BatchRun.Status.SUCCEEDED);
    }
}
