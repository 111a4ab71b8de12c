package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.security.AuditLog;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Run audit entries in the real audit log, on SQLite and PostgreSQL: runs and crash recovery, in the pipeline's project. */
@OnEachStore
class RunAuditLogTest {
    private static final String SPEC = """
            pipeline: nightly
            project: fraud
            sources: [{name: raw, type: csv, path: in.csv}]
            outputs: [{dataset: nightly-out, from: raw}]
            """;

    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.TestStore store;
    private Database database;
    private AuditLog audit;

    @BeforeEach
    void open() {
        store = TestDatabases.create(kind, directory);
        database = store.openMigrated();
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 7);
        audit = new AuditLog(database, Clock.systemUTC(), key, dev.keel.core.security.AuditCheckpoints.open(
                directory.resolve("audit").resolve("checkpoints.jsonl"), directory.resolve("keys").resolve("audit-signing.key")));
    }

    @AfterEach
    void close() {
        database.close();
        store.close();
    }

    private PipelineService service() {
        return new PipelineService(new JdbcPipelineRepository(database), new JdbcRunRepository(database), new JdbcDatasetRepository(database),
                new SnapshotStore(directory.resolve("data")), List.of(new TestingDataEngine()), new EnvironmentSecrets(Map.of(), directory),
                directory, SourceAccess.confinedTo(directory), Clock.systemUTC(), duration -> { }, DataCollection.audited(audit),
                Set.of("default", "fraud")::contains);
    }

    @Test
    void aRunAndTheRecoveryOfAnAbandonedOne_areAuditedInThePipelinesProject() {
        PipelineService service = service();
        PipelineVersion version = service.register(SPEC);
        PipelineRun run = service.run("nightly", Trigger.API, "ana (tok-1)");
        new JdbcRunRepository(database).insert(PipelineRun.started("run-cut-off", version, Trigger.SCHEDULE, version.createdAt()));

        int abandoned = service().recover();

        assertThat(abandoned).isEqualTo(1);
        List<AuditLog.Entry> entries = audit.list(Optional.of("fraud"), 10, Optional.empty()).reversed();
        assertThat(entries).extracting(AuditLog.Entry::actor, AuditLog.Entry::action, AuditLog.Entry::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ana (tok-1)", "pipeline.run-start", "success"),
                org.assertj.core.groups.Tuple.tuple("ana (tok-1)", "pipeline.run-finish", "failure"),
                org.assertj.core.groups.Tuple.tuple("system", "pipeline.run-abandon", "failure"));
        assertThat(entries).extracting(AuditLog.Entry::target).containsExactly(Optional.of("/v1/pipeline-runs/" + run.id()),
                Optional.of("/v1/pipeline-runs/" + run.id()), Optional.of("/v1/pipeline-runs/run-cut-off"));
        assertThat(entries).extracting(AuditLog.Entry::status).containsOnly(0);
        assertThat(entries.getFirst().detail()).contains("pipeline 'nightly': version 1, trigger api");
        assertThat(audit.verify().intact()).isTrue();
    }
}
