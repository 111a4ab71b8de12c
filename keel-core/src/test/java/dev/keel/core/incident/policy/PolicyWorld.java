package dev.keel.core.incident.policy;

import dev.keel.core.alert.Alerting;
import dev.keel.core.alert.AlertsConfig;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.JdbcDatasetRepository;
import dev.keel.core.data.JdbcPipelineRepository;
import dev.keel.core.data.JdbcRunRepository;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.event.EventDispatcher;
import dev.keel.core.incident.Incidents;
import dev.keel.core.incident.IncidentsConfig;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.AuditCheckpoints;
import dev.keel.core.security.AuditLog;
import dev.keel.core.security.ProjectService;
import dev.keel.core.serving.Serving;
import dev.keel.core.serving.ServingSettings;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingModelRuntime;
import dev.keel.spi.event.KeelEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Keel's real parts as the policies see them, over one store: registry and serving with the testing runtime, pipelines with
 * {@link TestingPipelineEngine}, alerts, the audit log and incidents, and the policies wired to them with a
 * {@link TestingRetryScheduler}.
 */
final class PolicyWorld implements AutoCloseable {
    final TestingClock clock = new TestingClock();
    final TestDatabases.Opened store;
    final EventDispatcher events;
    final ModelRegistry registry;
    final Serving serving;
    final TestingPipelineEngine engine = new TestingPipelineEngine();
    final PipelineService pipelines;
    final Alerting alerting;
    final AuditLog audit;
    final Incidents incidents;
    final TestingRetryScheduler retries = new TestingRetryScheduler();
    final Policies policies;

    /** Runs a scheduled task when the test says so; keeps the delays it was asked for. */
    static final class TestingRetryScheduler implements PolicyEngine.RetryScheduler {
        final List<Duration> delays = new ArrayList<>();
        private final List<Runnable> due = new ArrayList<>();

        @Override
        public synchronized void schedule(Duration delay, Runnable task) {
            delays.add(delay);
            due.add(task);
        }

        /** Runs the tasks scheduled so far; answers how many. */
        int runDue() {
            List<Runnable> tasks;
            synchronized (this) {
                tasks = new ArrayList<>(due);
                due.clear();
            }
            tasks.forEach(Runnable::run);
            return tasks.size();
        }
    }

    PolicyWorld(StoreKind kind, Path directory) {
        store = TestDatabases.open(kind, directory);
        events = new EventDispatcher(new SimpleMeterRegistry(), 10_000, Duration.ofSeconds(5));
        ProjectService projects = new ProjectService(store.database(), clock);
        projects.ensureDefault();
        ModelRuntimes runtimes = new ModelRuntimes(List.of(new TestingModelRuntime("testing")));
        registry = new ModelRegistry(store.database(), new LocalArtifactStore(directory.resolve("artifacts")), runtimes, projects, clock, events);
        serving = new Serving(store.database(), registry, runtimes, new SimpleMeterRegistry(), ServingSettings.defaults(), clock, events);
        pipelines = new PipelineService(new JdbcPipelineRepository(store.database()), new JdbcRunRepository(store.database()),
                new JdbcDatasetRepository(store.database()), new SnapshotStore(directory.resolve("data")), List.of(engine),
                new EnvironmentSecrets(Map.of(), directory), directory, SourceAccess.confinedTo(directory), clock, duration -> { });
        alerting = Alerting.open(new AlertsConfig(true, 1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(5)), store.database(),
                new EnvironmentSecrets(Map.of(), directory), List.of(), clock);
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 7);
        audit = new AuditLog(store.database(), clock, key, AuditCheckpoints.open(directory.resolve("audit").resolve("checkpoints.jsonl"),
                directory.resolve("keys").resolve("audit-signing.key")));
        incidents = Incidents.open(new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofHours(6), Duration.ofDays(30)), store.database(),
                clock, new SimpleMeterRegistry(), signal -> ProjectService.DEFAULT);
        policies = new Policies(new PolicyStore(store.database()), incidents, new RemedyServices(registry, serving, pipelines, alerting, audit,
                RetrainHook.NONE), name -> projects.find(name).isPresent(), retries, new Random(42));
    }

    /** Registers a version of model {@code churn} (created on first use) and answers its number. */
    int version(String label) {
        if (registry.findModel("churn").isEmpty()) {
            registry.createModel(ProjectService.DEFAULT, "churn", "", PromotionGate.open(), "alice");
        }
        return registry.registerVersion("churn", TestingModelRuntime.artifact(label), new NewVersion("testing", List.of(), Map.of(), Map.of(),
                Lineage.none(), label), "alice").version();
    }

    /** Hands events to the incident sink, writes them, and waits until the policies acted on them. */
    void publish(KeelEvent... published) {
        for (KeelEvent event : published) {
            incidents.sink().accept(event);
        }
        incidents.sink().flush();
        settle();
    }

    /** Waits until the policies acted on every change so far. */
    void settle() {
        if (!policies.engine().awaitIdle(Duration.ofSeconds(30))) {
            throw new AssertionError("the policies did not act within 30 s");
        }
    }

    List<AuditLog.Entry> auditOf(String actor) {
        return audit.list(java.util.Optional.empty(), 1000, java.util.Optional.empty()).stream().filter(entry -> entry.actor().equals(actor))
                .toList();
    }

    @Override
    public void close() {
        policies.close();
        incidents.close();
        alerting.close();
        serving.close();
        audit.close();
        events.close();
        store.close();
    }
}
