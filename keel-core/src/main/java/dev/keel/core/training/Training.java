package dev.keel.core.training;

import dev.keel.core.data.CronExpression;
import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineService;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.policy.RetrainHook;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.store.Database;
import dev.keel.core.training.eval.BootstrapRule;
import dev.keel.core.training.eval.ComparisonGate;
import dev.keel.core.training.eval.Evaluation;
import dev.keel.core.training.eval.EvaluationException;
import dev.keel.core.training.eval.Evaluator;
import dev.keel.core.training.eval.GateVerdict;
import dev.keel.core.training.eval.Holdout;
import dev.keel.core.training.eval.Rule;
import dev.keel.core.training.eval.SliceRule;
import dev.keel.core.training.eval.Task;
import dev.keel.core.training.external.TrainerFailure;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Trainer;
import dev.keel.spi.data.TableData;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.TrainingFailed;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retraining: training specs, runs started by a person, a schedule, new labels or a policy's {@code retrain} action, Keel's own
 * evaluation of the challenger against the champion on one holdout, the comparison gate, and promotion (at once, after an
 * approval, through a progressive rollout).
 *
 * <p>Runs execute one at a time on a worker thread; a model has at most one run queued or running, and a trigger that finds one
 * joins it. A run cut off by a restart is marked failed at the next start and raises a {@code training.failed} incident.
 * The challenger's version, its evaluation and the run's link to it are written in one transaction.
 */
public final class Training implements AutoCloseable {
    /** The tag that names the class order of a version's probability output, comma-separated (the prediction log reads it too). */
    public static final String CLASSES_TAG = "labels";
    /** The tag that names the training run of a version. */
    public static final String RUN_TAG = "keel.training_run";
    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    private final TrainingStore store;
    private final dev.keel.core.security.ColumnMasker masker;
    private final ModelRegistry registry;
    private final PipelineService data;
    private final ModelRuntimes runtimes;
    private final Rollouts rollouts;
    private final EventSink events;
    private final Clock clock;
    private final Function<String, Optional<Trainer>> trainers;
    private final List<String> trainerNames;
    private final TrainingSettings settings;
    private final TrainingSpecParser parser = new TrainingSpecParser();
    private final ExecutorService worker;
    private final ExecutorService trainerThreads;
    private final ScheduledExecutorService ticker;
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    private final Map<String, RunLog> logs = new ConcurrentHashMap<>();
    private final LabelCounter labels;
    private final LabelledTraffic traffic;
    private volatile boolean closing;

    /**
     * Recent labelled production traffic of a model: the logged inputs of its last predictions (served, not shadow ones) that
     * have a ground-truth label, newest first.
     */
    @FunctionalInterface
    public interface LabelledTraffic {
        /** At most {@code limit} rows; each row's inputs by feature name and its label (a class, or a number as text). */
        List<TrafficRow> recent(String project, String model, int limit);
    }

    /** One labelled prediction: the inputs the model was given and the outcome that arrived later. */
    public record TrafficRow(Map<String, Object> inputs, String label) {
    }

    /** Traffic evaluation is off: no labelled predictions are read. */
    public static final LabelledTraffic NO_TRAFFIC = (project, model, limit) -> List.of();

    /** Counts ground-truth labels a project received since a time, for the {@code labels} trigger. */
    @FunctionalInterface
    public interface LabelCounter {
        long since(String project, Instant since);
    }

    /**
     * @param trainers the trainer for a spec's {@code trainer} name (built-in algorithms and declared commands)
     * @param trainerNames every name {@code trainers} knows, for messages
     */
    public Training(TrainingStore store, ModelRegistry registry, PipelineService data, ModelRuntimes runtimes, Rollouts rollouts, EventSink events,
                    Clock clock, Function<String, Optional<Trainer>> trainers, List<String> trainerNames, LabelCounter labels,
                    LabelledTraffic traffic, TrainingSettings settings, dev.keel.core.security.ColumnMasker masker) {
        this.masker = Objects.requireNonNull(masker, "masker");
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.data = Objects.requireNonNull(data, "data");
        this.runtimes = Objects.requireNonNull(runtimes, "runtimes");
        this.rollouts = Objects.requireNonNull(rollouts, "rollouts");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.trainers = Objects.requireNonNull(trainers, "trainers");
        this.trainerNames = List.copyOf(trainerNames);
        this.labels = Objects.requireNonNull(labels, "labels");
        this.traffic = Objects.requireNonNull(traffic, "traffic");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("keel-training").daemon().factory());
        this.trainerThreads = Executors.newCachedThreadPool(Thread.ofPlatform().name("keel-trainer-", 0).daemon().factory());
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("keel-training-triggers").daemon().factory());
        registry.verifiedMetrics(version -> store.evaluation(version.model(), version.version()).map(TrainingStore.VersionEvaluation::metrics));
    }

    /** Marks runs cut off by a restart failed (raising an incident each), queues the runs that had not started, and starts the triggers. */
    public void start() {
        for (TrainingRun run : store.runsWithStatus(TrainingRun.Status.RUNNING)) {
            String message = "the server stopped during the run" + (run.modelVersion().isPresent() ? " after version " + run.modelVersion().getAsInt()
                    + " was registered; it was not promoted" : "; no version was registered");
            finish(run, TrainingRun.Status.FAILED, "INTERRUPTED", message, run.detail(), store.log(run.id()).orElse("") + "--- " + message + "\n");
        }
        for (TrainingRun run : store.runsWithStatus(TrainingRun.Status.QUEUED)) {
            submit(run);
        }
        rollouts.recover();
        long every = settings.triggerInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::checkTriggers, every, every, TimeUnit.MILLISECONDS);
    }

    // specs

    /** Validates and stores a model's training spec; the model must exist in the spec's project and the trainer be known. */
    public StoredSpec apply(String text, String actor) {
        TrainingSpec spec = parser.parseOrThrow(text);
        RegisteredModel model = registry.requireModel(spec.model());
        if (!model.project().equals(spec.project())) {
            throw new KeelException(ErrorCode.INVALID_SPEC, "model '" + spec.model() + "' belongs to project '" + model.project() + "', not '"
                    + spec.project() + "'", List.of(new KeelException.FieldError("project", "expected '" + model.project() + "'")));
        }
        if (trainers.apply(spec.trainer()).isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_SPEC, "trainer '" + spec.trainer() + "' is not installed; this server knows " + trainerNames,
                    List.of(new KeelException.FieldError("trainer", "expected one of " + trainerNames)));
        }
        data.datasetProject(spec.dataset()).filter(project -> !project.equals(spec.project())).ifPresent(project -> {
            throw new KeelException(ErrorCode.INVALID_SPEC, "dataset '" + spec.dataset() + "' belongs to another project",
                    List.of(new KeelException.FieldError("dataset", "expected a dataset of project '" + spec.project() + "'")));
        });
        spec.holdout().dataset().flatMap(data::datasetProject).filter(project -> !project.equals(spec.project())).ifPresent(project -> {
            throw new KeelException(ErrorCode.INVALID_SPEC, "holdout dataset '" + spec.holdout().dataset().get() + "' belongs to another project",
                    List.of(new KeelException.FieldError("holdout.dataset", "expected a dataset of project '" + spec.project() + "'")));
        });
        int version = store.spec(spec.model()).map(existing -> existing.text().equals(text) ? existing.version() : existing.version() + 1).orElse(1);
        StoredSpec stored = new StoredSpec(spec.model(), spec.project(), text, spec, version, clock.instant(), actor);
        store.saveSpec(stored);
        return stored;
    }

    public Optional<StoredSpec> spec(String model) {
        return store.spec(model);
    }

    public StoredSpec requireSpec(String model) {
        return store.spec(model).orElseThrow(() -> KeelException.notFound("model '" + model + "' has no training spec"));
    }

    public List<StoredSpec> specs(String project) {
        return store.specs(project);
    }

    public boolean deleteSpec(String model) {
        return store.deleteSpec(model);
    }

    // runs

    /** A run that a trigger started, or the run in flight it joined. */
    public record Started(TrainingRun run, boolean created) {
    }

    /**
     * Queues a run of the model's spec, unless one is queued or running already (then that one is returned, not a second).
     *
     * @param triggerKind {@code manual}, {@code incident}, {@code schedule}, {@code labels}
     */
    public Started start(String model, String triggerKind, String triggerRef, String actor) {
        StoredSpec spec = requireSpec(model);
        Database database = store.database();
        Started started = database.inTransaction(connection -> {
            Optional<TrainingRun> active = store.activeRun(connection, model);
            if (active.isPresent()) {
                return new Started(active.get(), false);
            }
            TrainingRun run = new TrainingRun(UUID.randomUUID().toString(), model, spec.project(), spec.version(), TrainingRun.Status.QUEUED,
                    triggerKind, triggerRef, actor, clock.instant(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(),
                    Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Map.of("trainer", spec.spec().trainer()));
            Database.update(connection, "INSERT INTO training_runs (id, model, project, spec_version, status, trigger_kind, trigger_ref, actor,"
                    + " created_at, detail, log) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", run.id(), run.model(), run.project(), run.specVersion(),
                    run.status(), run.triggerKind(), run.triggerRef(), run.actor(), run.createdAt(), dev.keel.core.json.Json.write(run.detail()), "");
            return new Started(run, true);
        });
        if (started.created()) {
            submit(started.run());
        }
        return started;
    }

    public TrainingRun run(String id) {
        return store.run(id).orElseThrow(() -> KeelException.notFound("training run '" + id + "' does not exist"));
    }

    public Optional<TrainingRun> findRun(String id) {
        return store.run(id);
    }

    public List<TrainingRun> runs(String project, String model, int limit) {
        return store.runs(project, model, limit);
    }

    /** The run's log: live while it runs, as stored once it ended. */
    public String log(String id) {
        RunLog live = logs.get(id);
        if (live != null) {
            return live.text();
        }
        return store.log(id).orElseThrow(() -> KeelException.notFound("training run '" + id + "' does not exist"));
    }

    /** Cancels a queued or running run; a running trainer is stopped (an external command with its whole process tree). */
    public TrainingRun cancel(String id, String actor) {
        TrainingRun run = run(id);
        if (run.status().finished()) {
            throw new KeelException(ErrorCode.CONFLICT, "training run '" + id + "' has ended already (" + run.status() + ")");
        }
        if (!store.cancelQueued(id, clock.instant(), "cancelled by " + actor + " before it started")) {
            logOf(id).line("cancel requested by " + actor);
            Future<?> future = running.get(id);
            if (future != null) {
                future.cancel(true);
            }
        }
        return awaitEnd(id, 10_000);
    }

    /** Waits up to {@code millis} for a run to end; the run as it is then. */
    public TrainingRun awaitEnd(String id, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        TrainingRun run = run(id);
        while (!run.status().finished() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            run = run(id);
        }
        return run;
    }

    private void submit(TrainingRun run) {
        RunLog log = logOf(run.id());
        log.line("queued: trigger " + run.triggerKind() + (run.triggerRef().isEmpty() ? "" : " " + run.triggerRef()) + " by " + run.actor());
        Future<?> future = worker.submit(() -> execute(run.id()));
        running.put(run.id(), future);
    }

    private RunLog logOf(String id) {
        return logs.computeIfAbsent(id, key -> new RunLog(settings.logLimitBytes(), clock));
    }

    /** What made a run end early: the status and code it ends with. */
    private static final class RunEnded extends RuntimeException {
        final TrainingRun.Status status;
        final String code;

        RunEnded(TrainingRun.Status status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private void execute(String id) {
        TrainingRun run = store.run(id).orElse(null);
        RunLog log = logOf(id);
        if (run == null || run.status() != TrainingRun.Status.QUEUED) {
            running.remove(id);
            logs.remove(id);
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>(run.detail());
        Instant startedAt = clock.instant();
        if (!store.claim(id, startedAt)) {
            running.remove(id);
            logs.remove(id);
            return;
        }
        try {
            run = new TrainingRun(run.id(), run.model(), run.project(), run.specVersion(), TrainingRun.Status.RUNNING, run.triggerKind(),
                    run.triggerRef(), run.actor(), run.createdAt(), Optional.of(startedAt), Optional.empty(), Optional.empty(), OptionalInt.empty(),
                    Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), detail);
            store.updateRun(run, log.text());
            run = train(run, detail, log);
        } catch (RunEnded ended) {
            if (closing && ended.status == TrainingRun.Status.CANCELLED) {
                // the server is stopping: the run stays RUNNING and is marked failed (cut off) at the next start
                store.updateRun(current(run), log.text() + "--- the server is stopping\n");
                return;
            }
            log.line(ended.status + " " + ended.code + ": " + ended.getMessage());
            finish(current(run), ended.status, ended.code, ended.getMessage(), detail, log.text());
        } catch (RuntimeException | Error e) {
            LOG.error("training run {} failed", id, e);
            log.line("FAILED: " + e);
            finish(current(run), TrainingRun.Status.FAILED, "INTERNAL", "the run failed inside Keel: " + e, detail, log.text());
        } finally {
            running.remove(id);
            logs.remove(id);
        }
    }

    private TrainingRun current(TrainingRun fallback) {
        return store.run(fallback.id()).orElse(fallback);
    }

    private TrainingRun train(TrainingRun run, Map<String, Object> detail, RunLog log) {
        StoredSpec stored = store.spec(run.model()).orElseThrow(() -> new RunEnded(TrainingRun.Status.FAILED, "NO_SPEC",
                "model '" + run.model() + "' has no training spec any more"));
        TrainingSpec spec = stored.spec();
        detail.put("trainer", spec.trainer());
        detail.put("parameters", spec.parameters());
        log.line("spec version " + stored.version() + ": trainer " + spec.trainer() + " on dataset " + spec.dataset() + "@"
                + (spec.datasetVersion() == 0 ? "latest" : spec.datasetVersion()) + ", target " + spec.target() + ", " + spec.features().size() + " features");

        // the data
        DatasetVersion dataset = dataset(spec.dataset(), spec.datasetVersion(), spec.project());
        TrainingRows all = rows(spec, dataset, log);
        TrainingRows trainRows;
        TrainingRows heldOut;
        Optional<DatasetVersion> holdoutDataset = Optional.empty();
        if (spec.holdout().dataset().isPresent()) {
            DatasetVersion other = dataset(spec.holdout().dataset().get(), spec.holdout().datasetVersion(), spec.project());
            holdoutDataset = Optional.of(other);
            trainRows = all;
            heldOut = rows(spec, other, log);
        } else {
            List<List<Integer>> split = all.split(spec.holdout().fraction(), spec.holdout().seed(), spec.task() != Task.REGRESSION);
            trainRows = all.subset(split.get(0));
            heldOut = all.subset(split.get(1));
        }
        log.line("training on " + trainRows.size() + " rows, evaluating on " + heldOut.size() + " held-out rows"
                + holdoutDataset.map(d -> " of dataset " + d.dataset() + "@" + d.version()).orElse(" (seeded " + (spec.task() == Task.REGRESSION ? ""
                : "stratified ") + "split, fraction " + spec.holdout().fraction() + ", seed " + spec.holdout().seed() + ")"));
        if (trainRows.size() < 10) {
            throw new RunEnded(TrainingRun.Status.FAILED, "DATA_INVALID", "only " + trainRows.size() + " usable training rows (at least 10 needed)");
        }
        Map<String, Object> datasetDetail = new LinkedHashMap<>();
        datasetDetail.put("name", dataset.dataset());
        datasetDetail.put("version", dataset.version());
        datasetDetail.put("sha256", dataset.sha256());
        datasetDetail.put("rows", dataset.rows());
        datasetDetail.put("pipeline", dataset.pipeline());
        datasetDetail.put("pipeline_run", dataset.runId());
        datasetDetail.put("train_rows", trainRows.size());
        datasetDetail.put("holdout_rows", heldOut.size());
        holdoutDataset.ifPresent(d -> datasetDetail.put("holdout", d.dataset() + "@" + d.version()));
        detail.put("dataset", datasetDetail);
        TrainingRun withData = new TrainingRun(run.id(), run.model(), run.project(), run.specVersion(), run.status(), run.triggerKind(), run.triggerRef(),
                run.actor(), run.createdAt(), run.startedAt(), Optional.empty(), Optional.of(dataset.dataset()), OptionalInt.of(dataset.version()),
                Optional.of(dataset.sha256()), OptionalInt.empty(), Optional.empty(), Optional.empty(), detail);
        store.updateRun(withData, log.text());

        // the trainer
        Trainer trainer = trainers.apply(spec.trainer()).orElseThrow(() -> new RunEnded(TrainingRun.Status.FAILED, "TRAINER_UNKNOWN",
                "trainer '" + spec.trainer() + "' is not installed on this server; it knows " + trainerNames));
        long seed = spec.parameters().containsKey("seed") ? parseSeed(spec.parameters().get("seed")) : spec.holdout().seed();
        Trainer.TrainingData trainingData = new Trainer.TrainingData(spec.features(), trainRows.features(), trainRows.labels(), 0.2, seed,
                spec.task() == Task.REGRESSION ? List.of() : spec.classes());
        String codeVersion = codeVersion(trainer);
        detail.put("code_version", codeVersion);
        Trainer.TrainedModel model = runTrainer(trainer, trainingData, spec, log);
        detail.put("claimed_metrics", model.metrics());
        log.line("trainer returned a " + model.format() + " model of " + model.artifact().length + " bytes; claimed metrics " + model.metrics());
        if (!runtimes.formats().contains(model.format())) {
            throw new RunEnded(TrainingRun.Status.REFUSED, "BAD_MODEL", "the trainer produced a '" + model.format() + "' model; this server loads "
                    + runtimes.formats());
        }
        if (spec.task() != Task.REGRESSION && !model.labels().equals(spec.classes())) {
            throw new RunEnded(TrainingRun.Status.REFUSED, "BAD_MODEL", "the model's probability columns are " + model.labels()
                    + " but the spec declares classes " + spec.classes() + " in that order; consumers would read the columns wrongly");
        }
        if (model.artifact().length > settings.maxModelBytes()) {
            throw new RunEnded(TrainingRun.Status.REFUSED, "BAD_MODEL", "the model has " + model.artifact().length + " bytes, more than the server's "
                    + settings.maxModelBytes());
        }

        // Keel's own evaluation of challenger and champion on the same rows
        Holdout holdout = new Holdout(spec.features(), heldOut.features(), heldOut.labels(), slices(heldOut.slices(), spec.project(),
                dataset.sensitive().with(holdoutDataset.map(DatasetVersion::sensitive).orElse(dev.keel.core.security.SensitiveColumns.none()))
                        .with(data.dataset(dataset.dataset(), 0).sensitive())));
        Evaluator evaluator = new Evaluator(settings.evaluationBatch());
        Evaluation challenger;
        try (LoadedModel loaded = load(model.format(), model.artifact())) {
            challenger = evaluator.evaluate(loaded, model.artifact().length, holdout, spec.task(), spec.classes(), spec.positiveClass());
        } catch (EvaluationException e) {
            throw new RunEnded(TrainingRun.Status.REFUSED, "BAD_MODEL", "the challenger cannot be evaluated: " + e.getMessage());
        }
        log.line("challenger on the holdout: " + challenger.metrics());
        detail.put("verified_metrics", challenger.metrics());
        RegisteredModel registered = registry.requireModel(spec.model());
        Optional<Integer> championVersion = Optional.ofNullable(registered.aliases().get(spec.promotion().alias()));
        Optional<Evaluation> champion = Optional.empty();
        if (championVersion.isPresent()) {
            ModelVersion version = registry.requireVersion(spec.model(), championVersion.get());
            List<String> championClasses = Optional.ofNullable(version.tags().get(CLASSES_TAG)).map(Training::splitClasses).orElse(spec.classes());
            byte[] artifact = registry.artifact(version);
            try (LoadedModel loaded = load(version.format(), artifact)) {
                champion = Optional.of(evaluator.evaluate(loaded, artifact.length, holdout, spec.task(), championClasses, spec.positiveClass()));
            } catch (EvaluationException e) {
                if (needsChampion(spec.gate())) {
                    throw new RunEnded(TrainingRun.Status.REFUSED, "CHAMPION_NOT_COMPARABLE", "the champion " + version.label()
                            + " cannot be scored on this holdout, so the challenger cannot be compared with it: " + e.getMessage());
                }
                log.line("the champion " + version.label() + " cannot be scored on this holdout (" + e.getMessage()
                        + "); the gate has no check against it");
            }
            champion.ifPresent(scored -> {
                log.line("champion " + version.label() + " on the same holdout: " + scored.metrics());
                detail.put("champion", Map.of("version", version.version(), "metrics", scored.metrics()));
            });
        } else {
            log.line("no champion holds alias '" + spec.promotion().alias() + "': relative checks are skipped");
        }
        GateVerdict verdict = gate(spec.gate()).judge(challenger, champion);
        evaluateOnTraffic(spec, model, championVersion, evaluator, detail, log);
        Map<String, Object> verdictDetail = verdict(verdict);
        detail.put("verdict", verdictDetail);
        log.line("gate " + (verdict.passed() ? "passed" : "failed") + ": " + verdict.summary());

        // the version, its evaluation and the run's link to it, in one transaction
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(RUN_TAG, run.id());
        if (spec.task() != Task.REGRESSION) {
            tags.put(CLASSES_TAG, String.join(",", spec.classes()));
        }
        Map<String, String> lineageParameters = new LinkedHashMap<>(model.parameters());
        lineageParameters.put("trainer", spec.trainer());
        Lineage lineage = new Lineage(Optional.of(dataset.sha256()), Optional.of("dataset:" + dataset.dataset() + "@" + dataset.version()),
                Optional.of(codeVersion), Optional.of(run.id()), lineageParameters);
        List<FeatureSpec> features = featureSchema(spec, championVersion);
        NewVersion request = new NewVersion(model.format(), features, model.metrics(), tags, lineage, "retrained by run " + run.id()
                + " (" + run.triggerKind() + ")");
        Instant now = clock.instant();
        Map<String, Double> championMetrics = champion.map(Evaluation::metrics).orElse(Map.of());
        final TrainingRun before = withData;
        ModelVersion version;
        try {
            version = registry.registerVersion(spec.model(), model.artifact(), request, "training:" + run.id(), (connection, created) -> {
                try {
                    store.insertEvaluation(connection, new TrainingStore.VersionEvaluation(created.model(), created.version(), run.id(),
                            championVersion.map(OptionalInt::of).orElse(OptionalInt.empty()), verdict.passed(), challenger.metrics(),
                            championMetrics, verdictDetail, now));
                    detail.put("version", created.version());
                    store.updateRun(connection, withVersion(before, created.version(), detail), log.text());
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (KeelException e) {
            throw new RunEnded(TrainingRun.Status.REFUSED, "BAD_MODEL", "the registry refused the challenger: " + e.getMessage());
        }
        log.line("registered " + version.label() + " with Keel's evaluation beside it");
        TrainingRun registeredRun = withVersion(before, version.version(), detail);
        if (!verdict.passed()) {
            throw new RunEnded(TrainingRun.Status.REFUSED, "GATE_FAILED", version.label() + " is not promoted: " + verdict.summary());
        }

        // promotion
        Map<String, Object> promotion = new LinkedHashMap<>();
        detail.put("promotion", promotion);
        if (spec.promotion().mode() == TrainingSpec.Mode.APPROVAL) {
            store.supersede(spec.model(), now);
            Approval approval = new Approval(UUID.randomUUID().toString(), spec.model(), spec.project(), version.version(), run.id(),
                    spec.promotion().alias(), Approval.Status.PENDING, now, Optional.empty(), Optional.empty(), Optional.empty());
            store.insertApproval(approval);
            promotion.put("state", "awaiting_approval");
            promotion.put("approval", approval.id());
            log.line("promotion to '" + spec.promotion().alias() + "' awaits approval " + approval.id());
        } else {
            promote(spec, version.version(), run.id(), "gate passed: " + verdict.summary(), "training:" + run.id(), promotion, log);
        }
        return finish(registeredRun, TrainingRun.Status.SUCCEEDED, null, version.label() + " passed the gate", detail, log.text());
    }

    /**
     * Scores challenger and champion on the model's recent labelled production traffic too, when enough of it exists
     * ({@code gate.min_holdout_rows}); kept in the run's detail as {@code traffic}, apart from the holdout's numbers and not
     * part of the gate (a challenger trained on fresh data may have seen those very rows).
     */
    private void evaluateOnTraffic(TrainingSpec spec, Trainer.TrainedModel model, Optional<Integer> championVersion, Evaluator evaluator,
                                   Map<String, Object> detail, RunLog log) {
        List<TrafficRow> rows;
        try {
            rows = traffic.recent(spec.project(), spec.model(), settings.trafficRows());
        } catch (RuntimeException e) {
            log.line("labelled traffic could not be read: " + e.getMessage());
            return;
        }
        List<double[]> features = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        rows:
        for (TrafficRow row : rows) {
            double[] values = new double[spec.features().size()];
            for (int f = 0; f < values.length; f++) {
                Object value = row.inputs().get(spec.features().get(f));
                if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
                    continue rows;
                }
                values[f] = number.doubleValue();
            }
            String label = row.label();
            if (spec.task() == Task.REGRESSION) {
                try {
                    label = Double.toString(Double.parseDouble(label));
                } catch (NumberFormatException e) {
                    continue;
                }
            } else if (!spec.classes().contains(label)) {
                continue;
            }
            features.add(values);
            labels.add(label);
        }
        if (labels.size() < spec.gate().minHoldoutRows()) {
            log.line("labelled production traffic: " + labels.size() + " usable rows, fewer than " + spec.gate().minHoldoutRows()
                    + "; not evaluated on traffic");
            return;
        }
        Holdout recent = new Holdout(spec.features(), features, labels);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rows", labels.size());
        try (LoadedModel loaded = load(model.format(), model.artifact())) {
            result.put("challenger", evaluator.evaluate(loaded, model.artifact().length, recent, spec.task(), spec.classes(),
                    spec.positiveClass()).metrics());
        } catch (EvaluationException e) {
            log.line("the challenger could not be scored on labelled traffic: " + e.getMessage());
            return;
        }
        if (championVersion.isPresent()) {
            ModelVersion version = registry.requireVersion(spec.model(), championVersion.get());
            List<String> championClasses = Optional.ofNullable(version.tags().get(CLASSES_TAG)).map(Training::splitClasses).orElse(spec.classes());
            byte[] artifact = registry.artifact(version);
            try (LoadedModel loaded = load(version.format(), artifact)) {
                result.put("champion", evaluator.evaluate(loaded, artifact.length, recent, spec.task(), championClasses, spec.positiveClass())
                        .metrics());
            } catch (EvaluationException e) {
                log.line("the champion could not be scored on labelled traffic: " + e.getMessage());
            }
        }
        detail.put("traffic", result);
        log.line("on " + labels.size() + " recent labelled predictions: challenger " + result.get("challenger")
                + (result.containsKey("champion") ? ", champion " + result.get("champion") : ""));
    }

    /** Promotes a version that passed its gate: through a rollout when the spec declares one, else at once. */
    private void promote(TrainingSpec spec, int version, String runId, String reason, String actor, Map<String, Object> promotion, RunLog log) {
        boolean held = registry.requireModel(spec.model()).aliases().containsKey(spec.promotion().alias());
        if (spec.promotion().rollout().isPresent() && !held) {
            log.line("no version holds '" + spec.promotion().alias() + "' yet, so there is no traffic to share: promoted without a rollout");
        }
        if (spec.promotion().rollout().isPresent() && held) {
            try {
                RolloutRecord rollout = rollouts.begin(spec.model(), spec.project(), version, spec.promotion().alias(), Optional.ofNullable(runId),
                        spec.promotion().rollout().get());
                promotion.put("state", "rolling_out");
                promotion.put("rollout", rollout.id());
                log.line("rollout " + rollout.id() + " started: " + spec.promotion().rollout().get().percent() + " % of endpoint "
                        + rollout.endpoint());
                return;
            } catch (KeelException e) {
                promotion.put("state", "refused");
                promotion.put("reason", e.getMessage());
                throw new RunEnded(TrainingRun.Status.REFUSED, "PROMOTION_REFUSED", "the rollout could not start: " + e.getMessage());
            }
        }
        try {
            registry.promote(spec.model(), spec.promotion().alias(), version, reason, actor);
            promotion.put("state", "promoted");
            log.line(spec.model() + ":" + version + " is now '" + spec.promotion().alias() + "'");
        } catch (KeelException e) {
            promotion.put("state", "refused");
            promotion.put("reason", e.getMessage());
            throw new RunEnded(TrainingRun.Status.REFUSED, "PROMOTION_REFUSED", e.getMessage());
        }
    }

    /** The champion's feature schema when it lists the same features in the same order (keeping its ranges), else plain numbers. */
    private List<FeatureSpec> featureSchema(TrainingSpec spec, Optional<Integer> championVersion) {
        if (championVersion.isPresent()) {
            List<FeatureSpec> champion = registry.requireVersion(spec.model(), championVersion.get()).features();
            if (champion.stream().map(FeatureSpec::name).toList().equals(spec.features())) {
                return champion;
            }
        }
        return spec.features().stream().map(name -> new FeatureSpec(name, "number", Optional.empty(), Optional.empty(), List.of(), false,
                Optional.empty())).toList();
    }

    private static TrainingRun withVersion(TrainingRun run, int version, Map<String, Object> detail) {
        return new TrainingRun(run.id(), run.model(), run.project(), run.specVersion(), run.status(), run.triggerKind(), run.triggerRef(), run.actor(),
                run.createdAt(), run.startedAt(), Optional.empty(), run.dataset(), run.datasetVersion(), run.datasetSha256(), OptionalInt.of(version),
                Optional.empty(), Optional.empty(), detail);
    }

    /** A dataset version of the spec's project; one of another project is refused as if it did not exist. */
    private DatasetVersion dataset(String name, int version, String project) {
        DatasetVersion found;
        try {
            found = data.dataset(name, version);
        } catch (KeelException e) {
            throw new RunEnded(TrainingRun.Status.FAILED, "DATA_INVALID", e.getMessage());
        }
        if (!project.equals(found.project())) {
            throw new RunEnded(TrainingRun.Status.FAILED, "DATA_INVALID", "dataset '" + name + "' does not exist in project '" + project + "'");
        }
        return found;
    }

    private TrainingRows rows(TrainingSpec spec, DatasetVersion dataset, RunLog log) {
        TableData table;
        try {
            table = data.read(dataset.dataset(), dataset.version(), spec.columns(), Math.min(spec.maxRows(), settings.maxRows()));
        } catch (KeelException | IllegalArgumentException e) {
            throw new RunEnded(TrainingRun.Status.FAILED, "DATA_INVALID", "cannot read " + dataset.dataset() + "@" + dataset.version() + ": "
                    + e.getMessage());
        }
        try {
            if (spec.maxRows() > settings.maxRows()) {
                log.line("reading at most " + settings.maxRows() + " rows (training.max-rows), fewer than the spec's max_rows " + spec.maxRows());
            }
            TrainingRows rows = TrainingRows.of(table, spec);
            log.line("read " + table.rows().size() + " rows of " + dataset.dataset() + "@" + dataset.version() + " (sha256 "
                    + dataset.sha256().substring(0, Math.min(12, dataset.sha256().length())) + ")" + (rows.dropped() > 0 ? "; left out "
                    + rows.dropped() + " rows with a missing value" : ""));
            return rows;
        } catch (TrainingRows.DataProblem e) {
            throw new RunEnded(TrainingRun.Status.FAILED, "DATA_INVALID", e.getMessage());
        }
    }

    private Trainer.TrainedModel runTrainer(Trainer trainer, Trainer.TrainingData trainingData, TrainingSpec spec, RunLog log) {
        log.line("training with " + trainer.algorithm() + ", timeout " + spec.timeout());
        Map<String, String> commandParameters = new LinkedHashMap<>(spec.parameters());
        if (spec.task() == Task.REGRESSION) {
            commandParameters.put("task", "regression");
        }
        Future<Trainer.TrainedModel> future = trainerThreads.submit(() -> trainer instanceof dev.keel.core.training.external.CommandTrainer command
                ? command.train(trainingData, commandParameters, log::line) : trainer.train(trainingData, spec.parameters()));
        try {
            return future.get(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new RunEnded(TrainingRun.Status.FAILED, "TRAINER_TIMED_OUT", "the trainer did not finish within " + spec.timeout() + " and was stopped");
        } catch (InterruptedException | CancellationException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new RunEnded(TrainingRun.Status.CANCELLED, "CANCELLED", "the run was cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TrainerFailure failure) {
                String code = switch (failure.kind()) {
                    case TIMED_OUT -> "TRAINER_TIMED_OUT";
                    case CANCELLED -> "CANCELLED";
                    case OUT_OF_MEMORY -> "TRAINER_OUT_OF_MEMORY";
                    case NO_MODEL, BAD_MODEL_FILE, BAD_METRICS -> "BAD_MODEL";
                    case COULD_NOT_START -> "TRAINER_COULD_NOT_START";
                    case CRASHED -> "TRAINER_CRASHED";
                };
                TrainingRun.Status status = switch (failure.kind()) {
                    case CANCELLED -> TrainingRun.Status.CANCELLED;
                    case NO_MODEL, BAD_MODEL_FILE, BAD_METRICS -> TrainingRun.Status.REFUSED;
                    default -> TrainingRun.Status.FAILED;
                };
                throw new RunEnded(status, code, failure.getMessage());
            }
            if (cause instanceof IllegalArgumentException) {
                throw new RunEnded(TrainingRun.Status.FAILED, "TRAINER_REFUSED", "the trainer refused the data or parameters: " + cause.getMessage());
            }
            throw new RunEnded(TrainingRun.Status.FAILED, "TRAINER_CRASHED", "the trainer crashed: " + cause);
        }
    }

    private LoadedModel load(String format, byte[] artifact) {
        try {
            return runtimes.require(format).load(artifact, RuntimeOptions.defaults());
        } catch (RuntimeException e) {
            throw new EvaluationException(EvaluationException.Kind.SIGNATURE_MISMATCH, "the model does not load: " + e.getMessage());
        }
    }

    private static long parseSeed(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new RunEnded(TrainingRun.Status.FAILED, "TRAINER_REFUSED", "parameter 'seed' must be a whole number, got '" + text + "'");
        }
    }

    private static List<String> splitClasses(String tag) {
        return List.of(tag.split(",", -1));
    }

    /**
     * What code trained the model: Keel's version and the trainer; for a declared command, its command line and the SHA-256
     * of every argument that is a file (the script as it was when the run started).
     */
    static String codeVersion(Trainer trainer) {
        String keel = Optional.ofNullable(Training.class.getPackage().getImplementationVersion()).orElse("dev");
        StringBuilder text = new StringBuilder("keel ").append(keel).append(", trainer ").append(trainer.algorithm());
        if (trainer instanceof dev.keel.core.training.external.CommandTrainer command) {
            for (String argument : command.command().command()) {
                java.nio.file.Path path = java.nio.file.Path.of(argument);
                if (argument.startsWith("/") && java.nio.file.Files.isRegularFile(path)) {
                    try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
                        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
                        byte[] buffer = new byte[8192];
                        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                            digest.update(buffer, 0, n);
                        }
                        text.append(", ").append(argument).append(" sha256 ").append(java.util.HexFormat.of().formatHex(digest.digest()));
                    } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
                        text.append(", ").append(argument).append(" (unreadable)");
                    }
                }
            }
        } else {
            Optional.ofNullable(trainer.getClass().getPackage().getImplementationVersion())
                    .ifPresent(version -> text.append(" ").append(version));
        }
        return text.toString();
    }

    /**
     * The holdout's slice columns with the values of each sensitive one replaced by their keyed hash: slice metrics, gate checks
     * and their messages are stored and shown in runs, approvals and alias history, and would otherwise name the raw values. A
     * hash keeps the slices apart, and equal across the challenger's and the champion's evaluation.
     */
    private Map<String, List<String>> slices(Map<String, List<String>> slices, String project, dev.keel.core.security.SensitiveColumns sensitive) {
        if (sensitive.isEmpty() || slices.keySet().stream().noneMatch(sensitive::contains)) {
            return slices;
        }
        Map<String, List<String>> masked = new LinkedHashMap<>();
        slices.forEach((column, values) -> masked.put(column, !sensitive.contains(column) ? values
                : values.stream().map(value -> value == null ? null : masker.hash(project, value)).toList()));
        return masked;
    }

    /** True when the gate compares with the champion: a relative rule, a slice rule or a bootstrap. */
    static boolean needsChampion(TrainingSpec.Gate gate) {
        return !gate.slices().isEmpty() || gate.bootstrap().isPresent() || gate.rules().stream().map(Rule::parse).anyMatch(Rule::relative);
    }

    /** The spec's gate as the evaluation library's. */
    static ComparisonGate gate(TrainingSpec.Gate gate) {
        List<Rule> rules = gate.rules().stream().map(Rule::parse).toList();
        List<SliceRule> slices = gate.slices().stream().map(s -> new SliceRule(s.column(), s.metric(), s.tolerance(), s.minRows())).toList();
        OptionalDouble latency = gate.maxLatencyP99().map(d -> OptionalDouble.of(d.toNanos() / 1e6)).orElse(OptionalDouble.empty());
        Optional<BootstrapRule> bootstrap = gate.bootstrap().map(b -> new BootstrapRule(b.metric(), b.resamples(), b.confidence(), b.seed(),
                b.minDifference()));
        return new ComparisonGate(rules, gate.minHoldoutRows(), slices, latency, gate.maxModelBytes(), bootstrap);
    }

    private static Map<String, Object> verdict(GateVerdict verdict) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("passed", verdict.passed());
        values.put("summary", verdict.summary());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (var check : verdict.checks()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", check.name());
            one.put("status", check.status().name());
            one.put("sentence", check.sentence());
            one.put("numbers", check.numbers());
            checks.add(one);
        }
        values.put("checks", checks);
        return values;
    }

    private TrainingRun finish(TrainingRun run, TrainingRun.Status status, String code, String message, Map<String, Object> detail, String log) {
        TrainingRun ended = run.finish(status, clock.instant(), Optional.ofNullable(code), Optional.ofNullable(message), detail);
        store.updateRun(ended, log);
        if (status == TrainingRun.Status.FAILED || status == TrainingRun.Status.REFUSED) {
            events.accept(new TrainingFailed(run.project(), run.model(), run.id(), code, message, clock.instant()));
        }
        return ended;
    }

    // approvals

    public List<Approval> approvals(String project, boolean pendingOnly, int limit) {
        return store.approvals(project, pendingOnly, limit);
    }

    public Approval approval(String id) {
        return store.approval(id).orElseThrow(() -> KeelException.notFound("approval '" + id + "' does not exist"));
    }

    /** Approves a pending promotion and starts it (its rollout, when the spec declares one). */
    public Approval approve(String id, String actor, String reason) {
        Approval approval = approval(id);
        if (!store.decide(id, Approval.Status.APPROVED, clock.instant(), actor, Objects.requireNonNullElse(reason, ""))) {
            throw new KeelException(ErrorCode.CONFLICT, "approval '" + id + "' was decided already (" + approval(id).status() + ")");
        }
        TrainingSpec spec = requireSpec(approval.model()).spec();
        Map<String, Object> promotion = new LinkedHashMap<>();
        RunLog log = new RunLog(64 * 1024, clock);
        try {
            promote(spec, approval.version(), approval.runId(), "approved by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason),
                    actor, promotion, log);
        } catch (RunEnded e) {
            throw new KeelException(ErrorCode.CONFLICT, "approved, but the promotion was refused: " + e.getMessage());
        }
        return approval(id);
    }

    public Approval reject(String id, String actor, String reason) {
        Approval approval = approval(id);
        KeelException.requireArgument(reason != null && !reason.isBlank(), "a rejection needs a reason");
        if (!store.decide(id, Approval.Status.REJECTED, clock.instant(), actor, reason)) {
            throw new KeelException(ErrorCode.CONFLICT, "approval '" + id + "' was decided already (" + approval(id).status() + ")");
        }
        return approval(id);
    }

    public Optional<TrainingStore.VersionEvaluation> evaluation(String model, int version) {
        return store.evaluation(model, version);
    }

    /**
     * The chain a version came from, newest link first: the version, the training run that produced it and what triggered
     * that run (an incident, a schedule, a person), the dataset snapshot it read, the pipeline run that wrote the snapshot and
     * that run's sources. Links Keel does not know (a version uploaded by hand) are left out.
     */
    public Map<String, Object> lineage(String model, int version) {
        ModelVersion found = registry.requireVersion(model, version);
        Map<String, Object> chain = new LinkedHashMap<>();
        Map<String, Object> versionView = new LinkedHashMap<>();
        versionView.put("model", found.model());
        versionView.put("version", found.version());
        versionView.put("createdAt", found.createdAt());
        versionView.put("createdBy", found.createdBy());
        versionView.put("claimedMetrics", found.metrics());
        store.evaluation(model, version).ifPresent(evaluation -> {
            versionView.put("verifiedMetrics", evaluation.metrics());
            versionView.put("gatePassed", evaluation.passed());
            evaluation.championVersion().ifPresent(champion -> versionView.put("comparedWithVersion", champion));
            versionView.put("championMetrics", evaluation.championMetrics());
        });
        found.lineage().codeVersion().ifPresent(code -> versionView.put("codeVersion", code));
        versionView.put("parameters", found.lineage().parameters());
        chain.put("version", versionView);
        // a lineage an uploader wrote may name another project's run or dataset: those links are not followed
        Optional<TrainingRun> run = found.lineage().runId().flatMap(store::run).filter(r -> r.project().equals(found.project()));
        run.ifPresent(r -> {
            Map<String, Object> runView = new LinkedHashMap<>();
            runView.put("id", r.id());
            runView.put("status", r.status().name());
            runView.put("trigger", r.triggerKind());
            runView.put("triggerRef", r.triggerRef());
            runView.put("actor", r.actor());
            runView.put("createdAt", r.createdAt());
            r.finishedAt().ifPresent(at -> runView.put("finishedAt", at));
            runView.put("trainer", r.detail().getOrDefault("trainer", ""));
            chain.put("trainingRun", runView);
            if (r.triggerKind().equals("incident")) {
                chain.put("incident", Map.of("id", r.triggerRef()));
            }
        });
        Optional<String> uri = found.lineage().datasetUri().filter(text -> text.startsWith("dataset:"));
        if (uri.isPresent()) {
            String reference = uri.get().substring("dataset:".length());
            int at = reference.lastIndexOf('@');
            try {
                DatasetVersion dataset = data.dataset(reference.substring(0, at), Integer.parseInt(reference.substring(at + 1)));
                if (!dataset.project().equals(found.project())) {
                    throw KeelException.notFound("no such dataset in the model's project");
                }
                Map<String, Object> datasetView = new LinkedHashMap<>();
                datasetView.put("name", dataset.dataset());
                datasetView.put("version", dataset.version());
                datasetView.put("sha256", dataset.sha256());
                datasetView.put("rows", dataset.rows());
                datasetView.put("createdAt", dataset.createdAt());
                chain.put("dataset", datasetView);
                Map<String, Object> pipelineView = new LinkedHashMap<>();
                pipelineView.put("pipeline", dataset.pipeline());
                pipelineView.put("specVersion", dataset.specVersion());
                pipelineView.put("run", dataset.runId());
                try {
                    var pipelineRun = data.runById(dataset.runId());
                    pipelineView.put("status", pipelineRun.status().name());
                    pipelineView.put("trigger", pipelineRun.trigger().toString());
                    pipelineView.put("startedAt", pipelineRun.startedAt());
                } catch (KeelException e) {
                    pipelineView.put("status", "unknown (the run record is gone)");
                }
                pipelineView.put("sources", dataset.sourceFingerprints());
                chain.put("pipelineRun", pipelineView);
            } catch (KeelException | NumberFormatException | StringIndexOutOfBoundsException e) {
                chain.put("dataset", Map.of("uri", uri.get(), "sha256", found.lineage().datasetSha256().orElse(""), "note",
                        "not stored in the model's project"));
            }
        } else {
            found.lineage().datasetUri().ifPresent(other -> chain.put("dataset", Map.of("uri", other, "sha256",
                    found.lineage().datasetSha256().orElse(""))));
        }
        return chain;
    }

    public Rollouts rollouts() {
        return rollouts;
    }

    // triggers

    /** The hook a policy's {@code retrain} action calls: a run of the model's spec, or the one in flight. */
    public RetrainHook hook() {
        return request -> {
            if (store.spec(request.model()).filter(spec -> spec.project().equals(request.project())).isEmpty()) {
                return Optional.empty();
            }
            Started started = start(request.model(), "incident", request.incidentId(), request.actor());
            return Optional.of((started.created() ? "started training run " : "joined training run in flight ") + started.run().id());
        };
    }

    private void checkTriggers() {
        try {
            Instant now = clock.instant();
            for (StoredSpec stored : store.specs("")) {
                TrainingSpec.Triggers triggers = stored.spec().triggers();
                Instant since = store.lastRunAt(stored.model()).orElse(stored.updatedAt());
                if (triggers.schedule().isPresent()) {
                    Optional<java.time.ZonedDateTime> next = CronExpression.parse(triggers.schedule().get()).next(since.atZone(ZoneOffset.UTC));
                    if (next.isPresent() && !next.get().toInstant().isAfter(now)) {
                        start(stored.model(), "schedule", triggers.schedule().get(), "keel:schedule");
                        continue;
                    }
                }
                if (triggers.labels() > 0) {
                    long count = labels.since(stored.project(), since);
                    if (count >= triggers.labels()) {
                        start(stored.model(), "labels", count + " new labels", "keel:labels");
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("checking training triggers failed", e);
        }
    }

    @Override
    public void close() {
        closing = true;
        ticker.shutdownNow();
        worker.shutdownNow();
        trainerThreads.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rollouts.close();
    }
}
