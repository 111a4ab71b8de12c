package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.DatasetProfile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline's project: checked at registration, kept across versions, and carried into the audit of its runs. */
class PipelineServiceProjectsTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final String SPEC = """
            pipeline: scores
            project: %s
            sources: [{name: raw, type: csv, path: in.csv}]
            outputs: [{dataset: %s, from: raw}]
            """;

    /** One audit entry as the service handed it over. */
    record Entry(String actor, String action, String project, String runId, String outcome, String detail) {
    }

    @TempDir
    Path directory;

    private final List<Entry> entries = new ArrayList<>();
    private final TestingPipelineRepository pipelines = new TestingPipelineRepository();
    private final TestingRunRepository runs = new TestingRunRepository();
    private final TestingDatasetRepository datasets = new TestingDatasetRepository();
    private final TestingDataEngine engine = new TestingDataEngine();
    private boolean auditBroken;
    private PipelineService service;

    @BeforeEach
    void wire() {
        RunAudit audit = (actor, action, project, run, outcome, detail) -> {
            if (auditBroken) {
                throw new IllegalStateException("the audit store is down");
            }
            entries.add(new Entry(actor, action, project, run.id(), outcome, detail));
        };
        service = new PipelineService(pipelines, runs, datasets, new SnapshotStore(directory.resolve("data")), List.of(engine),
                new EnvironmentSecrets(Map.of(), directory), directory, SourceAccess.confinedTo(directory), Clock.fixed(NOW, ZoneOffset.UTC), duration -> { },
                audit, Set.of("default", "a", "b")::contains);
    }

    @Test
    void register_absentProjectKey_putsThePipelineInDefault() {
        PipelineVersion version = service.register(SPEC.formatted("default", "out").replace("project: default\n", ""));

        assertThat(version.project()).isEqualTo("default");
        assertThat(service.pipelineProject("scores")).contains("default");
    }

    @Test
    void register_unknownProject_isAnErrorAtPathProject() {
        assertThat(service.validate(SPEC.formatted("nowhere", "out")))
                .extracting(SpecError::path).containsExactly("project");
        assertThatThrownBy(() -> service.register(SPEC.formatted("nowhere", "out")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC))
                .hasMessageContaining("project 'nowhere' does not exist");
    }

    @Test
    void register_newVersionInAnotherProject_isRefusedNamingTheFieldAndTheOwner() {
        service.register(SPEC.formatted("a", "out"));

        assertThatThrownBy(() -> service.register(SPEC.formatted("b", "out")))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("project");
                })
                .hasMessage("pipeline 'scores' belongs to project 'a'; a new version cannot move it to another project"
                        + " (field 'project' is 'b')");
        assertThat(pipelines.listLatest()).extracting(PipelineVersion::version, PipelineVersion::project)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "a"));
    }

    @Test
    void register_outputNamingAnotherProjectsDataset_isRefused() {
        datasets.insert(new DatasetVersion("theirs", 1, "a".repeat(64), "snapshots/aa/x.parquet", 1, 1,
                new DatasetProfile(1, List.of()), "other", 1, "run-0", Map.of(), NOW, "b"));

        assertThatThrownBy(() -> service.register(SPEC.formatted("a", "theirs")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("dataset 'theirs' is published in another project")
                .hasMessageContaining("outputs[0].dataset")
                .hasMessageNotContaining("'b'");
        assertThat(pipelines.listLatest()).isEmpty();
    }

    @Test
    void run_auditsTheStartAndTheFailedEndInThePipelinesProject() {
        service.register(SPEC.formatted("a", "out"));

        PipelineRun run = service.run("scores", Trigger.API, "ana (tok-1)");

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(entries).extracting(Entry::actor, Entry::action, Entry::project, Entry::runId, Entry::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ana (tok-1)", "pipeline.run-start", "a", run.id(), "success"),
                org.assertj.core.groups.Tuple.tuple("ana (tok-1)", "pipeline.run-finish", "a", run.id(), "failure"));
        assertThat(entries.get(1).detail()).startsWith("failed: ").contains("the testing engine runs nothing");
    }

    @Test
    void start_returnsTheRunningRunAtOnceAndAwaitGivesItsEnd() {
        service.register(SPEC.formatted("a", "out"));
        engine.hold();

        PipelineRun started = service.start("scores", Trigger.API, "ana (tok-1)");
        PipelineRun meanwhile = service.runById(started.id());
        KeelException again = org.assertj.core.api.Assertions.catchThrowableOfType(KeelException.class,
                () -> service.start("scores", Trigger.API, "ana (tok-1)"));
        PipelineRun stillRunning = service.await(started.id(), java.time.Duration.ZERO);
        engine.release();
        PipelineRun ended = service.await(started.id(), java.time.Duration.ofMinutes(1));

        assertThat(started.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(meanwhile.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(again.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(stillRunning.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
        assertThat(ended.error()).get().asString().contains("the testing engine runs nothing");
        assertThat(runs.history("scores", 10)).extracting(PipelineRun::id).containsExactly(started.id());
        assertThat(entries).extracting(Entry::action).containsExactly("pipeline.run-start", "pipeline.run-finish");
        assertThat(service.awaitBackgroundRuns(java.time.Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void start_whoseStartCannotBeAudited_isRefusedAndLeavesNoRun() {
        service.register(SPEC.formatted("a", "out"));
        auditBroken = true;

        assertThatThrownBy(() -> service.start("scores", Trigger.API, "ana (tok-1)")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(runs.history("scores", 10)).isEmpty();
        assertThat(engine.executions()).isZero();
        assertThat(service.isRunning("scores")).isFalse();
    }

    @Test
    void run_scheduled_isAuditedAsTheScheduler() {
        service.register(SPEC.formatted("b", "out"));

        service.run("scores", Trigger.SCHEDULE);

        assertThat(entries).extracting(Entry::actor).containsOnly("scheduler");
        assertThat(entries).extracting(Entry::project).containsOnly("b");
    }

    @Test
    void run_whenTheStartCannotBeAudited_isRefusedAndLeavesNoRun() {
        service.register(SPEC.formatted("a", "out"));
        auditBroken = true;

        assertThatThrownBy(() -> service.run("scores", Trigger.API, "ana (tok-1)"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessage("pipeline 'scores' was not run: the audit entry for its start could not be written");
        assertThat(runs.history("scores", 10)).isEmpty();
        assertThat(engine.executions()).isZero();
        assertThat(service.isRunning("scores")).isFalse();
    }

    @Test
    void recover_auditsEachAbandonedRunAsSystemInItsPipelinesProject() {
        PipelineVersion version = service.register(SPEC.formatted("b", "out"));
        PipelineRun stale = PipelineRun.started("run-crashed", version, Trigger.CLI, NOW.minusSeconds(60));
        runs.insert(stale);

        int abandoned = service.recover();

        assertThat(abandoned).isEqualTo(1);
        assertThat(runs.find("run-crashed")).map(PipelineRun::status).contains(RunStatus.ABANDONED);
        assertThat(entries).containsExactly(new Entry("system", "pipeline.run-abandon", "b", "run-crashed", "failure",
                "abandoned: the process stopped during the run; nothing was published by it after the crash"));
    }

    @Test
    void projectLookups_followThePipeline_andAreEmptyForUnknownObjects() {
        service.register(SPEC.formatted("a", "out"));
        PipelineRun run = service.run("scores", Trigger.API, "ana (tok-1)");

        assertThat(service.runProject(run.id())).contains("a");
        assertThat(service.runProject("no-such-run")).isEmpty();
        assertThat(service.pipelineProject("no-such-pipeline")).isEmpty();
        assertThat(service.datasetProject("no-such-dataset")).isEmpty();
        assertThat(service.projectOfSpec(SPEC.formatted("b", "out"))).as("the stored pipeline's project wins").contains("a");
        assertThat(service.projectOfSpec("pipeline: fresh\nproject: b\n")).contains("b");
        assertThat(service.projectOfSpec("pipeline: fresh\n")).contains("default");
        assertThat(service.projectOfSpec("not: a pipeline")).isEqualTo(Optional.empty());
    }
}
