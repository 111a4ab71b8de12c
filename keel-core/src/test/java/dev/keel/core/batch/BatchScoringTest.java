package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Fingerprints;
import dev.keel.core.incident.Signal;
import dev.keel.core.incident.Signals;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.PipelineRunFinished;
import dev.keel.spi.event.ScoringRunFailed;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Scoring jobs operated on a real SQLite file and a real PostgreSQL schema: apply, start, one run per job, retries, cron, chaining, cancel. */
@OnEachStore
class BatchScoringTest {
    private static final Instant START = Instant.parse("2026-03-01T01:00:00Z");

    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestingScoring.Models models;
    private TestingScoring.Inputs inputs;
    private final List<KeelEvent> events = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private TestingClock clock;
    private BatchScoring scoring;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        models = new TestingScoring.Models();
        inputs = new TestingScoring.Inputs(directory);
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(0, 25) t(i)");
        clock = new TestingClock(START);
        scoring = scoring(models);
    }

    private BatchScoring scoring(ScoringModels scoringModels) {
        return new BatchScoring(store.database(), new Strict(scoringModels), inputs, ScoringSinks.tables(store.database(), connection -> {
            throw KeelException.notFound("no connection '" + connection + "' is declared");
        }), events::add, clock, Duration.ofSeconds(60), ZoneOffset.UTC, project -> !project.equals("unknown"), sleeps::add);
    }

    @AfterEach
    void close() {
        scoring.close();
        store.close();
    }

    private String spec(String extra) {
        return """
                name: nightly
                model: {name: credit, version: 1}
                input: {dataset: applicants}
                keys: [id]
                outputs: {probabilities: true}
                destination: {kind: %s, connection: keel, table: scores}
                chunk_size: 10
                """.formatted(kind.name().toLowerCase(Locale.ROOT)) + extra;
    }

    private BatchRun awaitEnd(String runId) throws InterruptedException {
        assertThat(scoring.awaitIdle("nightly", Duration.ofSeconds(30))).as("the run ended").isTrue();
        return scoring.requireRun(runId);
    }

    private long rows() {
        return store.database().queryOne("SELECT COUNT(*) FROM scores", row -> row.getLong(1)).orElseThrow();
    }

    @Test
    void apply_storesTheSpec_andAnUnchangedSpecIsANoOp_whileAChangeIsTheNextVersion() {
        ScoringJob first = scoring.apply(spec(""), "alice");
        ScoringJob again = scoring.apply(spec(""), "bob");
        ScoringJob changed = scoring.apply(spec("retries: 2\n"), "bob");

        assertThat(first.version()).isEqualTo(1);
        assertThat(again).isEqualTo(first);
        assertThat(changed.version()).isEqualTo(2);
        assertThat(changed.spec().operations().retries()).isEqualTo(2);
        assertThat(scoring.job("nightly").updatedBy()).isEqualTo("bob");
        assertThat(scoring.jobs("default")).extracting(ScoringJob::name).containsExactly("nightly");
        assertThat(scoring.jobs("other")).isEmpty();
        assertThat(scoring.delete("nightly")).isTrue();
        assertThat(scoring.findJob("nightly")).isEmpty();
        assertThat(scoring.delete("nightly")).isFalse();
    }

    @Test
    void apply_refusesBadSpecs_namingTheField() {
        assertThatThrownBy(() -> scoring.apply("name: [unclosed", "alice")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC));
        assertThatThrownBy(() -> scoring.apply(spec("").replace("version: 1", "version: 9"), "alice")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("model"));
        assertThatThrownBy(() -> scoring.apply(spec("").replace("connection: keel", "connection: reports"), "alice"))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("destination");
                });
        assertThatThrownBy(() -> scoring.apply(spec("project: unknown\n"), "alice")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("project"));
        assertThatThrownBy(() -> scoring.apply(spec("project: other\n"), "alice")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.getMessage()).contains("belongs to project 'default'"));
        inputs.publish("applicants", "SELECT i::BIGINT AS id, i / 10.0 AS f1 FROM range(0, 5) t(i)");
        assertThatThrownBy(() -> scoring.apply(spec(""), "alice")).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(e.getMessage()).contains("'f2'");
        });
        assertThat(scoring.findJob("nightly")).isEmpty();
    }

    @Test
    void start_runsInTheBackground_andAClientRunIdThatSucceededIsReturnedUnchanged() throws Exception {
        scoring.apply(spec(""), "alice");
        BatchRun started = scoring.start("nightly", Optional.of("client-1"), "alice");
        BatchRun ended = awaitEnd(started.id());
        int calls = models.calls.get();
        BatchRun again = scoring.start("nightly", Optional.of("client-1"), "alice");

        assertThat(started.id()).isEqualTo("client-1");
        assertThat(ended.status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(ended.rowsWritten()).isEqualTo(25);
        assertThat(rows()).isEqualTo(25);
        assertThat(again).isEqualTo(ended);
        assertThat(models.calls.get()).as("no model call for a finished run id").isEqualTo(calls);
        assertThat(scoring.trigger("client-1").orElseThrow().kind()).isEqualTo(RunTrigger.Kind.MANUAL);
        assertThat(scoring.find("client-1").orElseThrow().progress().chunksDone()).isEqualTo(3);
        assertThat(scoring.runs("default", Optional.empty(), 10)).extracting(BatchRun::id).containsExactly("client-1");
        assertThat(scoring.runs("other", Optional.empty(), 10)).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void start_whileARunOfTheJobIsInProgress_isAConflict_andTheCronSlotIsSkipped() throws Exception {
        models.sleepMillis = 300;
        scoring.apply(spec("schedule: \"0 2 * * *\"\n"), "alice");
        BatchRun first = scoring.start("nightly", Optional.empty(), "alice");

        assertThatThrownBy(() -> scoring.start("nightly", Optional.empty(), "bob")).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(e.getMessage()).contains(first.id());
        });
        assertThat(scoring.tick(Instant.parse("2026-03-01T02:00:01Z"))).as("a slot while the job runs is skipped").isEmpty();
        assertThatThrownBy(() -> scoring.delete("nightly")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(awaitEnd(first.id()).status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(scoring.runs("default", Optional.of("nightly"), 10)).hasSize(1);
    }

    @Test
    void aTransientFailure_isRetriedAfterTheDelay_resumingTheSameRunFromItsCheckpoint() throws Exception {
        models.failOnCall = 2;
        scoring.apply(spec("retries: 2\nretry_delay: 5s\n"), "alice");
        String runId = scoring.start("nightly", Optional.empty(), "alice").id();
        BatchRun ended = awaitEnd(runId);

        assertThat(ended.status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(ended.rowsWritten()).isEqualTo(25);
        assertThat(rows()).isEqualTo(25);
        assertThat(models.calls.get()).as("chunks 0 and 1, the failed chunk 2, then chunk 2 again: nothing scored twice").isEqualTo(4);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(5));
        assertThat(events).singleElement().isInstanceOfSatisfying(ScoringRunFailed.class, failed -> {
            assertThat(failed.runId()).isEqualTo(runId);
            assertThat(failed.job()).isEqualTo("nightly");
            assertThat(failed.attempt()).isEqualTo(1);
            assertThat(failed.willRetry()).isTrue();
            assertThat(failed.message()).contains("fails on call 2");
        });
        assertThat(scoring.trigger(runId).orElseThrow().attempts()).isEqualTo(2);
        assertThat(scoring.runs("default", Optional.of("nightly"), 10)).extracting(BatchRun::id).containsExactly(runId);
    }

    @Test
    void aJobThatKeepsFailing_isRetriedWithDoublingDelays_thenFails_andItsFailuresFoldIntoOneIncident() throws Exception {
        scoring.close();
        scoring = scoring(new Broken(models));
        scoring.apply(spec("retries: 2\nretry_delay: 1s\n"), "alice");
        String runId = scoring.start("nightly", Optional.empty(), "alice").id();
        BatchRun ended = awaitEnd(runId);
        String second = scoring.start("nightly", Optional.empty(), "alice").id();
        awaitEnd(second);

        assertThat(ended.status()).isEqualTo(BatchRun.Status.FAILED);
        assertThat(ended.message().orElseThrow()).contains("the scorer is down");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2));
        List<ScoringRunFailed> failures = events.stream().map(ScoringRunFailed.class::cast).toList();
        assertThat(failures).extracting(ScoringRunFailed::attempt).containsExactly(1, 2, 3, 1, 2, 3);
        assertThat(failures).extracting(ScoringRunFailed::willRetry).containsExactly(true, true, false, true, true, false);
        List<Signal> signals = failures.stream().map(failed -> Signals.of(failed).orElseThrow()).toList();
        assertThat(signals).extracting(Signal::kind).containsOnly("scoring.run_failed");
        assertThat(signals.getLast().object("scoring_job")).isEqualTo("nightly");
        assertThat(signals.stream().map(Fingerprints::of).distinct()).as("one incident for every failure of the job").hasSize(1);
    }

    @Test
    void aCronSlot_startsARun_once() throws Exception {
        scoring.apply(spec("schedule: \"0 2 * * *\"\n"), "alice");

        assertThat(scoring.tick(Instant.parse("2026-03-01T01:59:00Z"))).isEmpty();
        assertThat(scoring.tick(Instant.parse("2026-03-01T02:00:30Z"))).containsExactly("nightly");
        assertThat(scoring.awaitIdle("nightly", Duration.ofSeconds(30))).isTrue();
        assertThat(scoring.tick(Instant.parse("2026-03-01T02:05:00Z"))).as("the slot fired already").isEmpty();

        BatchRun run = scoring.runs("default", Optional.of("nightly"), 10).getFirst();
        assertThat(run.status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        RunTrigger trigger = scoring.trigger(run.id()).orElseThrow();
        assertThat(trigger.kind()).isEqualTo(RunTrigger.Kind.SCHEDULE);
        assertThat(trigger.reference()).isEqualTo("2026-03-01T02:00:00Z");
    }

    @Test
    void aSucceededRunOfThePipeline_startsTheJobsThatRunAfterIt_inItsProjectOnly() throws Exception {
        scoring.apply(spec("after: applicants-pipeline\n"), "alice");

        scoring.pipelineHook().accept(new PipelineRunFinished("other", "applicants-pipeline", "run-9", 1, START));
        scoring.pipelineHook().accept(new PipelineRunFinished("default", "another-pipeline", "run-8", 1, START));
        assertThat(scoring.runs("default", Optional.of("nightly"), 10)).isEmpty();
        assertThat(scoring.pipelineHook().wants(PipelineRunFinished.class)).isTrue();
        assertThat(scoring.pipelineHook().wants(ScoringRunFailed.class)).isFalse();

        scoring.pipelineHook().accept(new PipelineRunFinished("default", "applicants-pipeline", "run-7", 1, START));
        assertThat(scoring.awaitIdle("nightly", Duration.ofSeconds(30))).isTrue();

        BatchRun run = scoring.runs("default", Optional.of("nightly"), 10).getFirst();
        assertThat(run.status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(scoring.trigger(run.id()).orElseThrow()).satisfies(trigger -> {
            assertThat(trigger.kind()).isEqualTo(RunTrigger.Kind.PIPELINE);
            assertThat(trigger.reference()).isEqualTo("run-7");
        });
    }

    @Test
    void cancel_whileARunWaitsToBeRetried_leavesItCancelled_andResumeFinishesIt() throws Exception {
        scoring.close();
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        scoring = new BatchScoring(store.database(), new Strict(models), inputs, ScoringSinks.tables(store.database(), connection -> {
            throw KeelException.notFound("no connection '" + connection + "' is declared");
        }), events::add, clock, Duration.ofSeconds(60), ZoneOffset.UTC, project -> true, delay -> {
            waiting.countDown();
            Thread.sleep(60_000);
        });
        models.failOnCall = 1;
        scoring.apply(spec("retries: 3\nretry_delay: 1m\n"), "alice");
        String runId = scoring.start("nightly", Optional.empty(), "alice").id();
        assertThat(waiting.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the run failed and waits for its retry").isTrue();

        BatchRun cancelled = scoring.cancel(runId);

        assertThat(cancelled.status()).isEqualTo(BatchRun.Status.CANCELLED);
        assertThat(cancelled.message().orElseThrow()).contains("cancelled while waiting to be retried");
        assertThat(awaitEnd(runId).status()).as("no retry ran after the cancel").isEqualTo(BatchRun.Status.CANCELLED);
        assertThat(models.calls.get()).isEqualTo(2);
        scoring.resume(runId, "alice");
        assertThat(awaitEnd(runId).status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(rows()).isEqualTo(25);
    }

    @Test
    void cancel_stopsTheRunAfterItsChunk_andResumeFinishesIt() throws Exception {
        models.sleepMillis = 200;
        scoring.apply(spec("").replace("chunk_size: 10", "chunk_size: 5"), "alice");
        String runId = scoring.start("nightly", Optional.empty(), "alice").id();
        BatchRun cancelled = scoring.cancel(runId);
        BatchRun stopped = awaitEnd(runId);

        assertThat(cancelled.cancelRequested() || cancelled.status() == BatchRun.Status.CANCELLED).isTrue();
        assertThat(stopped.status()).isEqualTo(BatchRun.Status.CANCELLED);
        assertThat(stopped.rowsWritten()).isLessThan(25);

        models.sleepMillis = 0;
        BatchRun resumed = scoring.resume(runId, "bob");
        assertThat(resumed.id()).isEqualTo(runId);
        assertThat(awaitEnd(runId).status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(rows()).isEqualTo(25);
        assertThat(scoring.resume(runId, "bob").status()).as("a succeeded run is left alone").isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(events).isEmpty();
    }

    @Test
    void unknownJobsRunsAndIds_areNotFoundOrInvalid() {
        assertThatThrownBy(() -> scoring.start("missing", Optional.empty(), "alice")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        scoring.apply(spec(""), "alice");
        assertThatThrownBy(() -> scoring.start("nightly", Optional.of("bad id!"), "alice")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("runId"));
        assertThatThrownBy(() -> scoring.requireRun("x".repeat(500))).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> scoring.cancel("nope")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    /** Models that are NOT_FOUND where the testing models have none. */
    private record Strict(ScoringModels models) implements ScoringModels {
        @Override
        public ModelVersion byAlias(String model, String alias) {
            return Optional.ofNullable(models.byAlias(model, alias)).orElseThrow(() -> KeelException.notFound("no alias " + alias));
        }

        @Override
        public ModelVersion byNumber(String model, int version) {
            return Optional.ofNullable(models.byNumber(model, version)).orElseThrow(() -> KeelException.notFound("no version " + version));
        }

        @Override
        public LoadedModel load(ModelVersion version) {
            return models.load(version);
        }
    }

    /** The testing models, whose runtime cannot load any of them. */
    private record Broken(TestingScoring.Models models) implements ScoringModels {
        @Override
        public ModelVersion byAlias(String model, String alias) {
            return models.byAlias(model, alias);
        }

        @Override
        public ModelVersion byNumber(String model, int version) {
            return models.byNumber(model, version);
        }

        @Override
        public LoadedModel load(ModelVersion version) {
            throw new IllegalStateException("the scorer is down");
        }
    }
}
