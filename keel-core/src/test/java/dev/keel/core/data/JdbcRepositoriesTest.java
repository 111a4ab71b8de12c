package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Expectation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** The JDBC repositories on a real SQLite file and the real PostgreSQL, after every migration (V20 is this package's). */
@OnEachStore
class JdbcRepositoriesTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00.123Z");

    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.TestStore store;
    private Database database;

    @BeforeEach
    void open() {
        store = TestDatabases.create(kind, directory);
        database = store.openMigrated();
    }

    @AfterEach
    void close() {
        database.close();
        store.close();
    }

    @Test
    void pipelines_storeVersionsAndListTheLatest() {
        JdbcPipelineRepository pipelines = new JdbcPipelineRepository(database);
        pipelines.insert(new PipelineVersion("a", 1, "pipeline: a", "1".repeat(64), T0));
        pipelines.insert(new PipelineVersion("a", 2, "pipeline: a # v2", "2".repeat(64), T0.plusSeconds(1)));
        pipelines.insert(new PipelineVersion("b", 1, "pipeline: b", "3".repeat(64), T0));

        assertThat(pipelines.latest("a").orElseThrow().version()).isEqualTo(2);
        assertThat(pipelines.find("a", 1).orElseThrow()).isEqualTo(new PipelineVersion("a", 1, "pipeline: a", "1".repeat(64), T0));
        assertThat(pipelines.listLatest()).extracting(PipelineVersion::pipeline, PipelineVersion::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 2), org.assertj.core.groups.Tuple.tuple("b", 1));
        assertThatThrownBy(() -> pipelines.insert(new PipelineVersion("a", 2, "x", "4".repeat(64), T0)))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
    }

    @Test
    void pipelines_storeTheScheduleStateAndReplaceIt() {
        JdbcPipelineRepository pipelines = new JdbcPipelineRepository(database);
        ScheduleState paused = new ScheduleState("a", ScheduleState.Status.PAUSED, 2, T0, "ana (tok-1)");
        ScheduleState resumed = new ScheduleState("a", ScheduleState.Status.ACTIVE, 3, T0.plusSeconds(60), "bo (tok-2)");

        assertThat(pipelines.schedule("a")).isEmpty();
        pipelines.saveSchedule(paused);
        assertThat(pipelines.schedule("a")).contains(paused);
        pipelines.saveSchedule(resumed);
        assertThat(pipelines.schedule("a")).contains(resumed);
        assertThat(pipelines.schedule("b")).isEmpty();
    }

    @Test
    void pipelines_storeAPublishHoldUntilItIsDeleted() {
        JdbcPipelineRepository pipelines = new JdbcPipelineRepository(database);
        PublishHold hold = new PublishHold("a", "policy:hold", "incident inc-1: quarantine over its limit", T0);

        assertThat(pipelines.publishHold("a")).isEmpty();
        pipelines.savePublishHold(hold);
        assertThat(pipelines.publishHold("a")).contains(hold);
        assertThat(pipelines.publishHold("b")).isEmpty();
        assertThat(pipelines.deletePublishHold("a")).isTrue();
        assertThat(pipelines.deletePublishHold("a")).isFalse();
        assertThat(pipelines.publishHold("a")).isEmpty();
    }

    @Test
    void runs_roundTripWithStagesAndExpectations() {
        JdbcRunRepository runs = new JdbcRunRepository(database);
        PipelineRun started = PipelineRun.started("run-1", new PipelineVersion("a", 3, "x", "1".repeat(64), T0), Trigger.SCHEDULE, T0);
        runs.insert(started);
        PipelineRun finished = started.withAttempts(2).finish(RunStatus.SUCCEEDED, T0.plusSeconds(5),
                new RowAccounting(10, 7, 1, 2, 0),
                List.of(new EngineResult.StageResult("raw", EngineResult.StageKind.SOURCE, "csv", 10, 9, 1, 0, 12, "f".repeat(64))),
                List.of(new EngineResult.ExpectationResult("age", "raw", Expectation.Action.QUARANTINE, 1, "values outside")),
                List.of("out@1"), Optional.empty()).withUnchanged(List.of("quarantine@4"));
        runs.update(finished);
        runs.insert(PipelineRun.started("run-2", new PipelineVersion("a", 3, "x", "1".repeat(64), T0), Trigger.API,
                T0.plusSeconds(60)));

        assertThat(runs.find("run-1")).contains(finished);
        assertThat(runs.history("a", 10)).extracting(PipelineRun::id).containsExactly("run-2", "run-1");
        assertThat(runs.withStatus(RunStatus.RUNNING)).extracting(PipelineRun::id).containsExactly("run-2");
    }

    @Test
    void runs_roundTripTheirLinkageReports() {
        JdbcRunRepository runs = new JdbcRunRepository(database);
        PipelineRun started = PipelineRun.started("run-l", new PipelineVersion("a", 1, "x", "1".repeat(64), T0), Trigger.API, T0);
        runs.insert(started);
        PipelineRun finished = started.withAttempts(1).finish(RunStatus.SUCCEEDED, T0.plusSeconds(9), new RowAccounting(5, 3, 0, 2, 0),
                List.of(), List.of(), List.of("airports@1", "airports-clusters@1", "airports-links@1"), Optional.empty())
                .withLinkage(List.of(LinkageReports.evaluated("airports"), LinkageReports.unevaluated("golden")));
        runs.update(finished);

        PipelineRun found = runs.find("run-l").orElseThrow();
        assertThat(found).isEqualTo(finished);
        assertThat(found.linkage().get(1).model().comparisons().get(0).levels().get(1).weight()).isNegative().isInfinite();
        assertThat(found.linkage().get(0).evaluation().orElseThrow().curve().get(1).precision()).isNaN();
        assertThat(runs.history("a", 5).get(0).linkage()).hasSize(2);
    }

    @Test
    void runs_storedBeforeLinkage_readWithNoReports() {
        JdbcRunRepository runs = new JdbcRunRepository(database);
        runs.insert(PipelineRun.started("run-0", new PipelineVersion("a", 1, "x", "1".repeat(64), T0), Trigger.API, T0));

        assertThat(runs.find("run-0").orElseThrow().linkage()).isEmpty();
    }

    @Test
    void datasets_roundTripProfilesAndFindFilesByHash() {
        JdbcDatasetRepository datasets = new JdbcDatasetRepository(database);
        DatasetProfile profile = new DatasetProfile(3, List.of(new DatasetProfile.ColumnProfile("age", "integer", 2, 1, 2,
                Optional.of("19"), Optional.of("75"), Optional.of(47.0), List.of(19.5, 20.0, 30.0, 47.0, 60.0, 70.0, 74.5),
                List.of(new DatasetProfile.Bin(19, 75, 2)), List.of(new DatasetProfile.ValueCount("19", 1)))));
        DatasetVersion first = new DatasetVersion("people", 1, "a".repeat(64), "snapshots/aa/x.parquet", 3, 100, profile, "p", 1, "run-1",
                Map.of("raw", "b".repeat(64)), T0);
        datasets.insert(first);
        datasets.insert(new DatasetVersion("people", 2, "c".repeat(64), "snapshots/cc/y.parquet", 3, 100, profile, "p", 2, "run-2",
                Map.of(), T0));

        assertThat(datasets.find("people", 1)).contains(first);
        assertThat(datasets.latest("people").orElseThrow().version()).isEqualTo(2);
        assertThat(datasets.versions("people")).extracting(DatasetVersion::version).containsExactly(1, 2);
        assertThat(datasets.listLatest()).extracting(DatasetVersion::reference).containsExactly("people@2");
        assertThat(datasets.referencesFile("a".repeat(64))).isTrue();
        assertThat(datasets.referencesFile("d".repeat(64))).isFalse();
    }
}
