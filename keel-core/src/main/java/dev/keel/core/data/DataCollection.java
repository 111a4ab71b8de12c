package dev.keel.core.data;

import dev.keel.spi.event.EventSink;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.security.AuditLog;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.Database;
import dev.keel.spi.data.DataEngine;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Data collection wired for the server: pipelines, runs and datasets in the metadata database, snapshots under the data
 * directory, engines found with {@link ServiceLoader}, crash recovery at start and the cron scheduler.
 */
public final class DataCollection implements AutoCloseable {
    /** How long closing waits for runs in progress. */
    public static final java.time.Duration RUN_GRACE = java.time.Duration.ofSeconds(30);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DataCollection.class);
    private final PipelineService service;
    private final Scheduler scheduler;
    private final ExecutorService runs;

    private DataCollection(PipelineService service, Scheduler scheduler, ExecutorService runs) {
        this.service = service;
        this.scheduler = scheduler;
        this.runs = runs;
    }

    /**
     * Opens data collection from the {@code pipelines} section, with runs audited in the audit log and specs checked against
     * the known projects; recovers from a crash and starts the scheduler if enabled.
     */
    public static DataCollection open(KeelConfig config, Database database, Clock clock, AuditLog audit, ProjectService projects,
                                      EventSink events) {
        PipelinesConfig settings = PipelinesConfig.from(config.root().section("pipelines"), config.dataDirectory());
        SourceAccess access = SourceAccess.of(settings, config.store().url(), List.of(config.dataDirectory(),
                config.artifacts().directory(), settings.datasetsDirectory(), config.security().tokenPepperFile().getParent()));
        return open(settings, database, ServiceLoader.load(DataEngine.class).stream().map(ServiceLoader.Provider::get).toList(),
                new EnvironmentSecrets(settings.baseDirectory()), access, new Envelope(config.security().encryption()), clock,
                audited(audit), project -> projects.find(project).isPresent(), events);
    }

    /**
     * Opens data collection with explicit engines and secrets, without an audit log (tests, embedding); sources confined as
     * the settings say.
     */
    public static DataCollection open(PipelinesConfig settings, Database database, List<DataEngine> engines, EnvironmentSecrets secrets,
                                      Clock clock) {
        return open(settings, database, engines, secrets, Envelope.plaintext(), clock);
    }

    /**
     * Opens data collection with explicit engines, secrets and snapshot encryption, without an audit log (tests, embedding);
     * sources confined as the settings say.
     */
    public static DataCollection open(PipelinesConfig settings, Database database, List<DataEngine> engines, EnvironmentSecrets secrets,
                                      Envelope envelope, Clock clock) {
        return open(settings, database, engines, secrets, SourceAccess.of(settings, "", List.of(settings.datasetsDirectory())),
                envelope, clock, RunAudit.NONE, project -> true, EventSink.discarding());
    }

    /** The run audit that appends to the audit log: target {@code /v1/pipeline-runs/<id>}, status 0 (not an HTTP call). */
    static RunAudit audited(AuditLog audit) {
        Objects.requireNonNull(audit, "audit");
        return (actor, action, project, run, outcome, detail) -> audit.append(actor, action, Optional.of(project),
                Optional.of("/v1/pipeline-runs/" + run.id()), outcome, 0, Optional.empty(), Optional.of("pipeline '" + run.pipeline()
                        + "': " + detail));
    }

    private static DataCollection open(PipelinesConfig settings, Database database, List<DataEngine> engines, EnvironmentSecrets secrets,
                                       SourceAccess access, Envelope envelope, Clock clock, RunAudit audit, Predicate<String> knownProject,
                                       EventSink events) {
        Objects.requireNonNull(settings, "settings");
        PipelineService service = new PipelineService(new JdbcPipelineRepository(database), new JdbcRunRepository(database),
                new JdbcDatasetRepository(database), new SnapshotStore(settings.datasetsDirectory(), envelope), engines, secrets,
                settings.baseDirectory(), access, clock, duration -> Thread.sleep(duration), audit, knownProject,
                settings.profileExactDistinctMaxRows(), events, settings.runLimits());
        service.recover();
        ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
        Scheduler scheduler = new Scheduler(service, clock, settings.zone(), runs, events);
        if (settings.scheduler()) {
            scheduler.start();
        }
        return new DataCollection(service, scheduler, runs);
    }

    /** The facade the HTTP routes and the CLI call. */
    public PipelineService service() {
        return service;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The verified snapshot file of a dataset version, for readers outside the engine; close it when done. */
    public SnapshotStore.Snapshot openSnapshot(String dataset, int version) {
        return service.openSnapshot(dataset, version);
    }

    /**
     * Stops the scheduler and gives runs started in the background up to {@link #RUN_GRACE} to end; a run still going after
     * that is marked abandoned at the next start.
     */
    @Override
    public void close() {
        scheduler.stop();
        runs.shutdown();
        if (!service.awaitBackgroundRuns(RUN_GRACE)) {
            LOG.warn("pipeline runs still in progress at shutdown; the next start marks them abandoned");
        }
    }
}
