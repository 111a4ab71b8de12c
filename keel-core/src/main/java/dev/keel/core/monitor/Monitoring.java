package dev.keel.core.monitor;

import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.MonitorBreached;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.monitor.stats.ColumnDrift;
import dev.keel.core.monitor.stats.ColumnSummary;
import dev.keel.core.monitor.stats.DatasetDrift;
import dev.keel.core.monitor.stats.DatasetDriftOptions;
import dev.keel.core.monitor.stats.DriftDetector;
import dev.keel.core.monitor.stats.DriftOptions;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model monitoring: the prediction log, ground-truth labels, reference sets, declared monitors and the scheduler that
 * evaluates them, keeps their results and records breaches.
 */
public final class Monitoring implements AutoCloseable {
    public static final String PENDING = "pending";
    public static final String OK = "ok";
    public static final String BREACHED = "breached";
    public static final String NO_DATA = "no_data";
    public static final String ERROR = "error";
    private static final Logger LOG = LoggerFactory.getLogger(Monitoring.class);

    private final MonitoringConfig config;
    private final ModelRegistry registry;
    private final Clock clock;
    private final PredictionLog log;
    private final LabelStore labels;
    private final ReferenceStore references;
    private final MonitorRepository monitors;
    private final MonitorEvaluator evaluator;
    private final Database database;
    private final ScheduledExecutorService scheduler;
    private final Object evaluationLock = new Object();
    private final EventSink events;
    private final DriftDetector detector = DriftDetector.sequential();

    private Monitoring(MonitoringConfig config, java.nio.file.Path dataDirectory, Database database, ModelRegistry registry, Clock clock,
                       boolean schedule, EventSink events) {
        this.config = Objects.requireNonNull(config, "config");
        this.events = Objects.requireNonNull(events, "events");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.database = Objects.requireNonNull(database, "database");
        this.log = PredictionLog.open(dataDirectory.resolve("predictions"), config);
        database.query("SELECT endpoint, sample_rate FROM monitor_log_sample_rates", row -> Map.entry(row.getString(1), row.getDouble(2)))
                .forEach(rate -> log.sampleRate(rate.getKey(), rate.getValue()));
        this.labels = new LabelStore(database, clock);
        this.references = new ReferenceStore(dataDirectory.resolve("references"), database, clock, config.exactDriftMaxValues());
        this.monitors = new MonitorRepository(database);
        this.evaluator = new MonitorEvaluator(log, labels, references, registry, config);
        if (schedule && config.enabled()) {
            scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("keel-monitor-scheduler").daemon(true).factory());
            long period = config.evaluationInterval().toMillis();
            scheduler.scheduleWithFixedDelay(this::evaluateAllQuietly, period, period, TimeUnit.MILLISECONDS);
        } else {
            scheduler = null;
        }
    }

    /**
     * Opens monitoring from the {@code monitoring:} section, under the data directory, and starts its scheduler; breaches
     * are published to {@code events} as {@link MonitorBreached}.
     */
    public static Monitoring open(KeelConfig config, Database database, ModelRegistry registry, Clock clock, EventSink events) {
        return new Monitoring(MonitoringConfig.from(config.root().section("monitoring")), config.dataDirectory(), database, registry, clock, true,
                events);
    }

    /** Opens monitoring without a scheduler: monitors are evaluated only when asked. */
    public static Monitoring openUnscheduled(MonitoringConfig config, java.nio.file.Path dataDirectory, Database database,
                                             ModelRegistry registry, Clock clock) {
        return openUnscheduled(config, dataDirectory, database, registry, clock, EventSink.discarding());
    }

    /** Opens monitoring without a scheduler, publishing breaches to {@code events}. */
    public static Monitoring openUnscheduled(MonitoringConfig config, java.nio.file.Path dataDirectory, Database database,
                                             ModelRegistry registry, Clock clock, EventSink events) {
        return new Monitoring(config, dataDirectory, database, registry, clock, false, events);
    }

    public MonitoringConfig config() {
        return config;
    }

    /** The prediction log; serving hands it each prediction through {@link PredictionLog#accept}. */
    public PredictionLog predictionLog() {
        return log;
    }

    public LabelStore labels() {
        return labels;
    }

    public ReferenceStore references() {
        return references;
    }

    /**
     * Sets the share of the endpoint's predictions that is logged, from now on and after restarts (stored in
     * {@code monitor_log_sample_rates}, which takes precedence over the configuration).
     */
    public void sampleRate(String endpoint, double rate, String actor) {
        KeelException.requireArgument(rate >= 0 && rate <= 1, "sample rate of endpoint '%s' is %s; expected a number from 0 to 1", endpoint, rate);
        database.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM monitor_log_sample_rates WHERE endpoint = ?", endpoint);
            Database.update(connection, "INSERT INTO monitor_log_sample_rates (endpoint, sample_rate, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                    endpoint, rate, clock.millis(), actor);
            return null;
        });
        log.sampleRate(endpoint, rate);
    }

    /**
     * Checks a batch of labels against the predictions they label before any is stored, and refuses the whole batch naming
     * every bad item: a label with both {@code label} and {@code value}; a {@code value} for a classifier (a version
     * tagged with its classes, {@code labels=good,bad}); a {@code label} that is not one of the classifier's classes. A label
     * whose request id has no logged prediction (not logged yet, sampled out, or unknown) is not checked.
     *
     * @param logged the model versions that logged each request id, from {@link PredictionLog#loggedModels}
     */
    public void checkLabels(List<GroundTruth> truths, Map<String, java.util.Set<PredictionLog.LoggedModel>> logged) {
        List<KeelException.FieldError> errors = new ArrayList<>();
        Map<PredictionLog.LoggedModel, List<String>> classes = new java.util.HashMap<>();
        for (int i = 0; i < truths.size(); i++) {
            GroundTruth truth = truths.get(i);
            String where = "[" + i + "]";
            if (truth.label().isPresent() && truth.value().isPresent()) {
                errors.add(new KeelException.FieldError(where, "request '" + truth.requestId() + "' has both 'label' and 'value'; "
                        + "expected 'label' (a class) or 'value' (a number), not both"));
                continue;
            }
            for (PredictionLog.LoggedModel model : logged.getOrDefault(truth.requestId(), java.util.Set.of())) {
                List<String> known = classes.computeIfAbsent(model, this::classesOf);
                if (known.isEmpty()) {
                    continue;
                }
                String name = model.model() + ":" + model.version();
                if (truth.value().isPresent()) {
                    errors.add(new KeelException.FieldError(where + ".value", "request '" + truth.requestId() + "' was predicted by "
                            + "classifier " + name + " (classes " + known + "); expected 'label', not 'value'"));
                } else if (!known.contains(truth.label().orElseThrow())) {
                    errors.add(new KeelException.FieldError(where + ".label", "request '" + truth.requestId() + "' has label '"
                            + truth.label().get() + "'; classifier " + name + " has classes " + known));
                }
                break;
            }
        }
        if (!errors.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, errors.size() + " of " + truths.size() + " labels are invalid, nothing was "
                    + "recorded; first: " + errors.getFirst().field() + ": " + errors.getFirst().message(), errors);
        }
    }

    /** The classes a version is tagged with ({@code labels=good,bad}); empty for a regressor or an untagged version. */
    private List<String> classesOf(PredictionLog.LoggedModel model) {
        Optional<String> tag;
        try {
            tag = Optional.ofNullable(registry.requireVersion(model.model(), model.version()).tags().get("labels"));
        } catch (KeelException e) {
            return List.of();
        }
        return tag.filter(text -> !text.isBlank()).map(text -> java.util.Arrays.stream(text.split(",")).map(String::strip).toList())
                .orElse(List.of());
    }

    /** Writes logged predictions in one batch (for replay and import), after checking the model and version exist. */
    public int ingest(List<PredictionRecord> records) {
        Map<String, Boolean> checked = new LinkedHashMap<>();
        for (PredictionRecord record : records) {
            checked.computeIfAbsent(record.model() + ":" + record.version(), key -> {
                registry.requireVersion(record.model(), record.version());
                return true;
            });
        }
        log.write(records);
        return records.size();
    }

    /** Stores an uploaded CSV reference for the version. */
    public ReferenceProfile uploadReferenceCsv(String model, String version, byte[] csv, String actor) {
        ModelVersion resolved = registry.resolve(model, version);
        return references.uploadCsv(resolved.model(), resolved.version(), csv, resolved.features(), actor);
    }

    /**
     * Makes a dataset snapshot the reference of the version.
     *
     * @param snapshot the snapshot's Parquet file, its hash already checked
     * @param label where it came from, e.g. {@code dataset:credit-g-features@1}
     */
    public ReferenceProfile referenceFromSnapshot(String model, String version, java.nio.file.Path snapshot, String label, String actor) {
        ModelVersion resolved = registry.resolve(model, version);
        return references.fromSnapshot(resolved.model(), resolved.version(), snapshot, label, resolved.features(), actor);
    }

    /** Stores uploaded JSON rows as the reference of the version. */
    public ReferenceProfile uploadReferenceRows(String model, String version, List<Map<String, Object>> rows, String actor) {
        ModelVersion resolved = registry.resolve(model, version);
        return references.uploadRows(resolved.model(), resolved.version(), rows, resolved.features(), actor);
    }

    /** Creates a monitor on a registered model; the monitor belongs to the model's project. */
    public Monitor create(MonitorSpec spec, String actor) {
        RegisteredModel model = registry.requireModel(spec.model());
        spec.version().ifPresent(version -> registry.requireVersion(spec.model(), version));
        Monitor monitor = new Monitor("mon-" + UUID.randomUUID().toString().substring(0, 13), model.project(), spec, PENDING, Optional.empty(),
                Optional.empty(), clock.instant(), actor);
        monitors.insert(monitor);
        return monitor;
    }

    /** Creates the monitor, or replaces the spec of the monitor with the same name (YAML apply). */
    public Monitor apply(MonitorSpec spec, String actor) {
        Optional<Monitor> existing = monitors.find(spec.name());
        if (existing.isEmpty()) {
            return create(spec, actor);
        }
        KeelException.requireArgument(existing.get().spec().model().equals(spec.model()),
                "monitor '%s' watches model '%s'; it cannot be moved to '%s'", spec.name(), existing.get().spec().model(), spec.model());
        monitors.replaceSpec(existing.get().id(), spec);
        return require(existing.get().id());
    }

    public List<Monitor> list() {
        return monitors.list();
    }

    public Optional<Monitor> find(String idOrName) {
        return monitors.find(idOrName);
    }

    public Monitor require(String idOrName) {
        return monitors.find(idOrName).orElseThrow(() -> new KeelException(ErrorCode.NOT_FOUND, "no monitor with id or name '" + idOrName + "'"));
    }

    public void delete(String idOrName) {
        monitors.delete(require(idOrName).id());
    }

    /** Evaluates the monitor now, stores the result, and records a breach when it crosses its limit. */
    public MonitorResult evaluate(String idOrName) {
        return evaluate(require(idOrName), clock.instant());
    }

    MonitorResult evaluate(Monitor monitor, Instant now) {
        synchronized (evaluationLock) {
            Monitor current = require(monitor.id());
            MonitorResult result;
            try {
                result = evaluator.evaluate(current, now);
            } catch (KeelException e) {
                result = new MonitorResult(current.id(), now, Optional.empty(), now, current.spec().version(), 0, ERROR, Optional.empty(),
                        Map.of("error", e.getMessage()));
            }
            Optional<Breach> breach = Optional.empty();
            if (result.breached() && !current.state().equals(BREACHED)) {
                breach = Optional.of(breachOf(current, result));
            }
            monitors.record(result, breach);
            breach.ifPresent(stored -> events.accept(new MonitorBreached(stored.project(), stored.id(), stored.monitorName(), stored.model(),
                    stored.statistic(), stored.target(), stored.value().orElse(Double.NaN), stored.limit(), stored.detectedAt())));
            breach.ifPresent(event -> LOG.warn("monitor '{}' on {} breached: {} {} = {} (limit {})", event.monitorName(), event.model(),
                    event.statistic(), event.target(), event.value().orElse(Double.NaN), event.limit()));
            return result;
        }
    }

    private Breach breachOf(Monitor monitor, MonitorResult result) {
        MonitorSpec spec = monitor.spec();
        Object drifted = result.detail().get("drifted");
        String target = drifted instanceof List<?> list && !list.isEmpty()
                ? String.join(",", list.stream().map(Object::toString).toList())
                : spec.measured().kind() == MonitorStatistic.Kind.PERFORMANCE ? spec.statistic() : String.join(",", spec.features());
        double limit = result.detail().get("limit") instanceof Number held ? held.doubleValue()
                : spec.limit().orElseGet(() -> firstThreshold(result));
        return new Breach("brc-" + UUID.randomUUID(), monitor.id(), spec.name(), monitor.project(), spec.model(), result.modelVersion(),
                spec.measured().kind().name().toLowerCase(java.util.Locale.ROOT), spec.statistic(), target.isEmpty() ? "all features" : target,
                result.value(), limit, result.windowFrom(), result.windowTo(), result.evaluatedAt(), result.detail());
    }

    private static double firstThreshold(MonitorResult result) {
        if (result.detail().get("columns") instanceof Map<?, ?> columns) {
            for (Object column : columns.values()) {
                if (column instanceof Map<?, ?> values && values.get("threshold") instanceof Number threshold && Boolean.TRUE.equals(values.get("drifted"))) {
                    return threshold.doubleValue();
                }
            }
        }
        return Double.NaN;
    }

    /** Evaluates every enabled monitor now. */
    public List<MonitorResult> evaluateAll() {
        Instant now = clock.instant();
        List<MonitorResult> results = new ArrayList<>();
        for (Monitor monitor : monitors.list()) {
            if (monitor.spec().isEnabled()) {
                results.add(evaluate(monitor, now));
            }
        }
        return results;
    }

    private void evaluateAllQuietly() {
        try {
            evaluateAll();
        } catch (RuntimeException e) {
            LOG.error("monitor evaluation failed", e);
        }
    }

    public List<MonitorResult> results(String idOrName, Optional<Instant> from, Optional<Instant> to, int limit) {
        return monitors.results(require(idOrName).id(), from, to, limit);
    }

    public List<Breach> breaches(Optional<String> model, Optional<String> monitor, Optional<Instant> since, int limit) {
        return monitors.breaches(model, monitor.map(idOrName -> require(idOrName).id()), since, limit);
    }

    /** Drift of every feature of the model's logged inputs in {@code [from, to)} against its reference (Evidently's defaults). */
    public DriftReport driftReport(String model, Optional<Integer> version, Instant from, Instant to) {
        registry.requireModel(model);
        KeelException.requireArgument(from.isBefore(to), "drift range is from %s to %s; 'from' must be before 'to'", from, to);
        PredictionQuery query = PredictionQuery.between(model, from, to);
        int chosen = version.or(() -> log.versionCounts(query).entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey))
                .orElseThrow(() -> new KeelException(ErrorCode.NOT_FOUND, "model '" + model + "' logged no predictions from " + from + " to " + to));
        ReferenceProfile reference = references.find(model, chosen).orElseThrow(() -> new KeelException(ErrorCode.NOT_FOUND,
                "version " + model + ":" + chosen + " has no reference; upload one to /v1/models/" + model + "/versions/" + chosen + "/reference"));
        List<String> features = registry.requireVersion(model, chosen).features().stream().map(FeatureSpec::name).toList();
        if (features.isEmpty()) {
            features = List.copyOf(reference.columns().keySet());
        }
        WindowSummaries window = new WindowSummaries(reference, features, config.exactDriftMaxValues());
        long rows = log.scan(query.withVersion(chosen), window::add);
        KeelException.requireArgument(rows > 0, "model '%s' version %d logged no predictions from %s to %s", model, chosen, from, to);
        DriftOptions options = DriftOptions.defaults().withJensenShannonBase(config.jensenShannonBase());
        Map<String, ColumnDrift> columns = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String feature : features) {
            ColumnSummary summary = window.summaries().get(feature);
            if (summary == null || summary.count() == 0) {
                missing.add(feature);
            } else {
                try {
                    columns.put(feature, window.detect(detector, feature, options));
                } catch (KeelException e) {
                    throw new KeelException(e.code(), "column '" + feature + "': " + e.getMessage(), e);
                }
            }
        }
        DatasetDrift drift = DatasetDrift.of(columns, DatasetDriftOptions.DEFAULT_DRIFT_SHARE);
        return new DriftReport(model, chosen, from, to, reference.rows(), rows, drift, missing);
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.close();
    }
}
