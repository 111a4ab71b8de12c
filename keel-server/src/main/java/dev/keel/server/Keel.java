package dev.keel.server;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.data.DataCollection;
import dev.keel.core.event.EventDispatcher;
import dev.keel.core.monitor.Monitoring;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.security.AuditCheckpointWebhook;
import dev.keel.core.security.AuditCheckpoints;
import dev.keel.core.security.AuditLog;
import dev.keel.core.security.ProjectService;
import dev.keel.core.security.TokenService;
import dev.keel.core.serving.Serving;
import dev.keel.core.serving.ServingSettings;
import dev.keel.core.store.Database;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.store.Migrator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import dev.keel.core.security.Principal;
import dev.keel.core.security.Role;

/** Keel's components, wired by hand in one place; closed in reverse order of creation. */
public final class Keel implements AutoCloseable {
    private static final int EVENT_QUEUE_CAPACITY = 10_000;
    /** Failed deliveries in a row after which a channel becomes an incident of its own. */
    private static final int CHANNEL_FAILING_AFTER = 3;
    private static final java.time.Duration EVENT_CLOSE_GRACE = java.time.Duration.ofSeconds(5);
    private final KeelConfig config;
    private final Clock clock;
    private final Database database;
    private final LocalArtifactStore artifacts;
    private final ModelRuntimes runtimes;
    private final ProjectService projects;
    private final TokenService tokens;
    private final dev.keel.core.security.ColumnMasker masker;
    private final Optional<dev.keel.core.security.OidcAuthenticator> oidc;
    private final AuditLog audit;
    private final ModelRegistry registry;
    private final PrometheusMeterRegistry metrics;
    private final EventDispatcher events;
    private final Serving serving;
    private final dev.keel.core.serving.InputLimits inputLimits;
    private final Monitoring monitoring;
    private final DataCollection data;
    private final dev.keel.core.alert.Alerting alerting;
    private final dev.keel.core.incident.Incidents incidents;
    private final dev.keel.core.incident.Patterns patterns;
    private final dev.keel.core.incident.policy.Policies policies;
    private final dev.keel.core.training.Training training;
    private final dev.keel.core.batch.BatchScoring scoring;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Keel(KeelConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = clock;
        // checked before anything is opened: a bad identity provider setting stops the start with its key named
        this.oidc = dev.keel.core.security.OidcSettings.from(config.root().section("security").section("oidc"))
                .map(settings -> new dev.keel.core.security.OidcAuthenticator(settings, clock));
        // the trusted signing keys are read before anything is opened too: a missing key file names its setting
        dev.keel.core.security.SigningSettings signing = dev.keel.core.security.SigningSettings.from(
                config.root().section("security").section("signing"));
        try {
            this.database = Database.open(config.store().url(), config.store().user(), config.store().password(), config.store().pool());
            closeables.add(database);
            new Migrator(database).migrate();
            dev.keel.core.security.Envelope envelope = new dev.keel.core.security.Envelope(config.security().encryption());
            this.artifacts = new LocalArtifactStore(config.artifacts().directory(), envelope);
            artifacts.sweepStaging();
            this.runtimes = ModelRuntimes.discover();
            this.projects = new ProjectService(database, clock);
            projects.ensureDefault();
            byte[] pepper = dev.keel.core.security.KeyFiles.load("security.token-pepper", config.security().tokenPepper(),
                    config.security().tokenPepperFile(), 32, !TokenService.hasPepperedTokens(database));
            this.tokens = new TokenService(database, clock, config.security().tokenCacheTtl(), pepper);
            this.masker = dev.keel.core.security.ColumnMasker.derivedFrom(pepper);
            this.audit = openAudit(config.security().audit(), database, clock, closeables);
            this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(metrics);
            new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(metrics);
            this.events = new EventDispatcher(metrics, EVENT_QUEUE_CAPACITY, EVENT_CLOSE_GRACE);
            this.registry = new ModelRegistry(database, artifacts, runtimes, projects, clock, events, signing);
            // on the publisher's thread: closed after the dispatcher, so that the last failures it carries are written
            this.incidents = dev.keel.core.incident.Incidents.open(dev.keel.core.incident.IncidentsConfig.from(config.root().section("incidents")),
                    database, clock, metrics, new ModelProjects(registry));
            closeables.add(incidents);
            events.subscribe(incidents.sink());
            incidents.start(java.time.Duration.ofMinutes(1));
            this.monitoring = Monitoring.open(config, database, registry, clock, events);
            closeables.add(monitoring);
            // closed after serving (no more predictions) and before the prediction log, which its last events still reach
            closeables.add(events);
            ServingSettings servingSettings = ServingSettings.from(config.root().section("serving"));
            this.inputLimits = servingSettings.input();
            events.subscribe(new dev.keel.core.monitor.PredictionLogListener(monitoring.predictionLog(), registry));
            this.serving = new Serving(database, registry, runtimes, metrics, servingSettings, clock, events);
            closeables.add(serving);
            serving.start();
            this.data = DataCollection.open(config, database, clock, audit, projects, events);
            closeables.add(data);
            dev.keel.core.config.ConfigNode alertsNode = config.root().section("alerts");
            this.alerting = dev.keel.core.alert.Alerting.open(dev.keel.core.alert.AlertsConfig.from(alertsNode), database,
                    new dev.keel.core.data.EnvironmentSecrets(config.dataDirectory()), dev.keel.core.alert.AlertsConfig.routes(alertsNode), envelope,
                    clock);
            closeables.add(alerting);
            alerting.onChannelFailing(CHANNEL_FAILING_AFTER, (channel, failures, attempts) -> events.publish(new dev.keel.spi.event.ChannelFailing(
                    channel.project(), channel.name(), failures, attempts.isEmpty() ? "" : attempts.getLast().describe(), clock.instant())));
            dev.keel.core.incident.IncidentAlerts incidentAlerts = new dev.keel.core.incident.IncidentAlerts(incidents, alerting.dispatcher()::receive);
            incidents.addListener(incidentAlerts);
            alerting.dispatcher().inhibitWith(incidentAlerts::inhibits);
            this.patterns = dev.keel.core.incident.Patterns.install(incidents, new dev.keel.core.incident.StoreCatalog(
                    new dev.keel.core.data.JdbcPipelineRepository(database), new dev.keel.core.data.JdbcDatasetRepository(database), registry,
                    (model, version) -> monitoring.references().find(model, version).map(dev.keel.core.monitor.ReferenceProfile::source)));
            alerting.start(java.time.Duration.ofSeconds(1));
            this.training = openTraining(config, database, registry, runtimes, serving, data, monitoring, events, clock, masker);
            closeables.add(training);
            this.policies = dev.keel.core.incident.policy.Policies.open(database, incidents, new dev.keel.core.incident.policy.RemedyServices(
                    registry, serving, data.service(), alerting, audit, training.hook()),
                    project -> projects.find(project).isPresent());
            closeables.add(policies);
            training.start();
            this.scoring = openScoring(config, database, registry, runtimes, data, events, projects, clock, closeables);
        } catch (RuntimeException e) {
            // whatever was opened before the failure (the store, the prediction log) is closed again
            close();
            throw e;
        }
    }

    /** Retraining: specs, runs on the trainers found and declared, evaluation, the gate, approvals and rollouts. */
    private static dev.keel.core.training.Training openTraining(KeelConfig config, Database database, ModelRegistry registry, ModelRuntimes runtimes,
                                                                Serving serving, DataCollection data, Monitoring monitoring, EventDispatcher events,
                                                                Clock clock, dev.keel.core.security.ColumnMasker masker) {
        dev.keel.core.training.TrainingSettings settings = dev.keel.core.training.TrainingSettings.from(config.root().section("training"));
        dev.keel.core.training.TrainingStore store = new dev.keel.core.training.TrainingStore(database);
        dev.keel.core.training.Rollouts rollouts = new dev.keel.core.training.Rollouts(store, registry, serving, events, clock,
                java.time.Duration.ofMillis(500), (project, ids) -> {
                    Map<String, String> found = new java.util.HashMap<>();
                    monitoring.labels().lookup(project, ids).forEach((id, truth) -> truth.label().ifPresent(label -> found.put(id, label)));
                    return found;
                });
        events.subscribe(rollouts);
        java.nio.file.Path workRoot = settings.workDirectory().orElse(config.dataDirectory().resolve("training"));
        dev.keel.core.training.Trainers trainers = dev.keel.core.training.Trainers.discover(settings, workRoot);
        dev.keel.core.training.Training.LabelCounter labels = (project, since) -> database.queryOne(
                "SELECT COUNT(*) AS n FROM monitor_labels WHERE project = ? AND received_at > ?", row -> row.getLong("n"), project, since).orElse(0L);
        dev.keel.core.training.Training.LabelledTraffic traffic = (project, model, limit) -> {
            List<dev.keel.core.monitor.PredictionRecord> records = new ArrayList<>();
            monitoring.predictionLog().scan(dev.keel.core.monitor.PredictionQuery.last(model, limit, clock.instant()), record -> {
                if (!record.shadow()) {
                    records.add(record);
                }
            });
            Map<String, dev.keel.core.monitor.GroundTruth> truths = monitoring.labels().lookup(project,
                    records.stream().map(dev.keel.core.monitor.PredictionRecord::requestId).toList());
            List<dev.keel.core.training.Training.TrafficRow> rows = new ArrayList<>();
            for (dev.keel.core.monitor.PredictionRecord record : records) {
                dev.keel.core.monitor.GroundTruth truth = truths.get(record.requestId());
                if (truth != null) {
                    Optional<String> label = truth.label().or(() -> truth.value().isPresent()
                            ? Optional.of(Double.toString(truth.value().getAsDouble())) : Optional.empty());
                    label.ifPresent(text -> rows.add(new dev.keel.core.training.Training.TrafficRow(record.inputs(), text)));
                }
            }
            return rows;
        };
        return new dev.keel.core.training.Training(store, registry, data.service(), runtimes, rollouts, events, clock, trainers::find, trainers.names(),
                labels, settings.trafficRows() == 0 ? dev.keel.core.training.Training.NO_TRAFFIC : traffic, settings, masker);
    }

    /**
     * Batch scoring: jobs, their runs in the background, schedules and chaining after pipeline runs. Destinations are the pipelines'
     * declared connections, opened on first use and closed after the runs have stopped.
     */
    private static dev.keel.core.batch.BatchScoring openScoring(KeelConfig config, Database database, ModelRegistry registry,
                                                                 ModelRuntimes runtimes, DataCollection data, EventDispatcher events,
                                                                 ProjectService projects, Clock clock, List<AutoCloseable> closeables) {
        dev.keel.core.batch.BatchSettings settings = dev.keel.core.batch.BatchSettings.from(config.root().section("batch"));
        dev.keel.core.data.PipelinesConfig pipelines = dev.keel.core.data.PipelinesConfig.from(config.root().section("pipelines"),
                config.dataDirectory());
        dev.keel.core.batch.ConnectionDestinations destinations = new dev.keel.core.batch.ConnectionDestinations(pipelines.connections(),
                new dev.keel.core.data.EnvironmentSecrets(pipelines.baseDirectory()), settings.connectionPool());
        closeables.add(destinations);
        java.nio.file.Path outputRoot = settings.outputRoot().orElse(config.dataDirectory().resolve("batch-output"));
        dev.keel.core.batch.ScoringModels models = new dev.keel.core.batch.ScoringModels() {
            @Override
            public dev.keel.core.registry.ModelVersion byAlias(String model, String alias) {
                return registry.resolve(model, alias);
            }

            @Override
            public dev.keel.core.registry.ModelVersion byNumber(String model, int version) {
                return registry.requireVersion(model, version);
            }

            @Override
            public dev.keel.spi.LoadedModel load(dev.keel.core.registry.ModelVersion version) {
                return runtimes.require(version.format()).load(registry.servableArtifact(version), dev.keel.spi.RuntimeOptions.defaults());
            }
        };
        Batch batch = openBatch(database, data, destinations, pipelines, outputRoot);
        dev.keel.core.batch.BatchScoring scoring = new dev.keel.core.batch.BatchScoring(database, models, batch.inputs(), batch.sinks(), events,
                clock, settings.lease(), pipelines.zone(), project -> projects.find(project).isPresent());
        closeables.add(scoring);
        events.subscribe(scoring.pipelineHook());
        if (settings.scheduler()) {
            scoring.startScheduler();
        }
        return scoring;
    }

    /** Where scoring runs read and write. */
    private record Batch(dev.keel.core.batch.ScoringInputs inputs, dev.keel.core.batch.ScoringSinks sinks) {
    }

    /**
     * The inputs and sinks of scoring runs: datasets, declared databases and files under the source roots in; tables, Parquet
     * directories under the output root and dataset versions out.
     */
    private static Batch openBatch(Database database, DataCollection data, dev.keel.core.batch.ScoringDestinations destinations,
                                   dev.keel.core.data.PipelinesConfig pipelines, java.nio.file.Path outputRoot) {
        dev.keel.core.data.PipelineService service = data.service();
        return new Batch(dev.keel.core.batch.ScoringInputs.standard(service, service.sourceAccess(), pipelines.baseDirectory(), destinations),
                dev.keel.core.batch.ScoringSinks.standard(database, destinations, outputRoot, service));
    }

    /** The audit log with its key, signed checkpoints and webhook; registered to close (with a last checkpoint) before the store. */
    private static AuditLog openAudit(KeelConfig.Audit settings, Database database, Clock clock, List<AutoCloseable> closeables) {
        byte[] key = dev.keel.core.security.KeyFiles.load("security.audit-key", settings.key(), settings.keyFile(), 32,
                !AuditLog.hasKeyedEntries(database));
        AuditCheckpoints checkpoints = AuditCheckpoints.open(settings.checkpointFile(), settings.signingKeyFile());
        settings.checkpointWebhook().ifPresent(target -> {
            AuditCheckpointWebhook webhook = new AuditCheckpointWebhook(target, java.time.Duration.ofSeconds(10));
            closeables.add(webhook);
            checkpoints.addListener(webhook::offer);
        });
        AuditLog audit = new AuditLog(database, clock, key, checkpoints);
        closeables.add(audit);
        audit.startCheckpoints(settings.checkpointInterval(), settings.checkpointEntries());
        return audit;
    }

    /** Opens the store, applies migrations and builds every component. */
    public static Keel open(KeelConfig config) {
        return new Keel(config, Clock.systemUTC());
    }

    /** Opens Keel on the given clock, which every component reads (schedules, windows, timestamps); for tests and embedding. */
    public static Keel open(KeelConfig config, Clock clock) {
        return new Keel(config, Objects.requireNonNull(clock, "clock"));
    }

    public KeelConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public Database database() {
        return database;
    }

    public LocalArtifactStore artifacts() {
        return artifacts;
    }

    public ModelRuntimes runtimes() {
        return runtimes;
    }

    public ProjectService projects() {
        return projects;
    }

    public TokenService tokens() {
        return tokens;
    }

    /** Masks sensitive columns and features for callers without SENSITIVE_READ; its key is derived from the token pepper. */
    public dev.keel.core.security.ColumnMasker masker() {
        return masker;
    }

    /** The verifier of the identity provider's JWTs, when {@code security.oidc} is configured. */
    public Optional<dev.keel.core.security.OidcAuthenticator> oidc() {
        return oidc;
    }

    public AuditLog audit() {
        return audit;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** Prediction log, labels, references, monitors and their scheduler. */
    public Monitoring monitoring() {
        return monitoring;
    }

    /** The process's event dispatcher: every area publishes to it, sinks subscribe to it. */
    public EventDispatcher events() {
        return events;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** Data collection: pipeline specs, runs on the data engine, dataset snapshots, the cron scheduler. */
    public DataCollection data() {
        return data;
    }

    /** Alert channels, silences, deliveries and the alert dispatcher. */
    public dev.keel.core.alert.Alerting alerting() {
        return alerting;
    }

    /** Incidents, their timelines and the sink that folds failure events into them. */
    public dev.keel.core.incident.Incidents incidents() {
        return incidents;
    }

    /** Recurring-pattern escalation and reports over the incidents. */
    public dev.keel.core.incident.Patterns patterns() {
        return patterns;
    }

    /** Remediation policies and the engine that runs them on incident changes. */
    public dev.keel.core.incident.policy.Policies policies() {
        return policies;
    }

    /** Retraining: training specs, runs, Keel's evaluations, approvals and rollouts. */
    public dev.keel.core.training.Training training() {
        return training;
    }

    /** Batch scoring: jobs, runs, schedules and chaining after pipelines. */
    public dev.keel.core.batch.BatchScoring scoring() {
        return scoring;
    }

    /** How much one prediction call may carry ({@code serving.max-rows-per-request}, {@code serving.max-tensor-elements}). */
    public dev.keel.core.serving.InputLimits inputLimits() {
        return inputLimits;
    }

    /** Online serving: endpoints, prediction, hot swap. */
    public Serving serving() {
        return serving;
    }

    /**
     * On first start (no token yet) creates the admin token, with the given secret (from {@code KEEL_ADMIN_TOKEN}) or a new one.
     *
     * @return the created token, whose secret must be shown once; empty when tokens existed already
     */
    public Optional<TokenService.CreatedToken> bootstrapAdmin(Optional<String> secret) {
        Optional<String> chosen = secret.filter(value -> !value.isBlank());
        chosen.filter(value -> value.length() < TokenService.MIN_CHOSEN_SECRET).ifPresent(value -> {
            throw new dev.keel.core.error.KeelException(dev.keel.core.error.ErrorCode.INVALID_CONFIG, "KEEL_ADMIN_TOKEN has "
                    + value.length() + " characters; at least " + TokenService.MIN_CHOSEN_SECRET + " are required (e.g. openssl rand -hex 32)");
        });
        if (!tokens.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(tokens.create("admin", Map.of(Principal.ALL_PROJECTS, Role.ADMIN), Optional.empty(), "keel", chosen));
    }

    /** Registers something to close when Keel closes (before the store). */
    public void closeOnExit(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Keel.class).warn("failed to close {}", closeables.get(i), e);
            }
        }
    }

    /** The project of a failure whose publisher did not know it: its model's, remembered; the default project for none. */
    private static final class ModelProjects implements java.util.function.Function<dev.keel.core.incident.Signal, String> {
        private final ModelRegistry registry;
        private final java.util.Map<String, String> known = new java.util.concurrent.ConcurrentHashMap<>();

        ModelProjects(ModelRegistry registry) {
            this.registry = registry;
        }

        @Override
        public String apply(dev.keel.core.incident.Signal signal) {
            String model = signal.object("model");
            if (model.isEmpty()) {
                return ProjectService.DEFAULT;
            }
            String project = known.get(model);
            if (project == null) {
                project = registry.findModel(model).map(dev.keel.core.registry.RegisteredModel::project).orElse(ProjectService.DEFAULT);
                if (known.size() < 10_000) {
                    known.put(model, project);
                }
            }
            return project;
        }
    }
}
