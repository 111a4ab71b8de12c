package dev.keel.core.data;

import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.ExpectationFailed;
import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.PipelineRunFinished;
import dev.keel.spi.event.QuarantineExceeded;
import dev.keel.spi.event.SourceFailed;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.ProjectService;
import dev.keel.core.security.Masking;
import dev.keel.core.security.SensitiveColumns;
import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.SecretResolver;
import dev.keel.spi.data.TableData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The data-collection facade: validate and register specs, run pipelines, and read run history and datasets. */
public final class PipelineService {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineService.class);
    /** The spec path of a source in an engine's error: {@code sources[2]} or {@code sources[2].path}. */
    private static final Pattern SOURCE_PATH = Pattern.compile("sources\\[(\\d+)].*");
    /** Text in single or double quotes, at most 1,000 characters, on one line. */
    private static final Pattern QUOTED = Pattern.compile("'[^'\\n]{1,1000}'|\"[^\"\\n]{1,1000}\"");

    private final PipelineRepository pipelines;
    private final RunRepository runs;
    private final DatasetRepository datasets;
    private final SnapshotStore snapshots;
    private final Map<String, DataEngine> engines;
    private final SecretResolver secrets;
    private final Path baseDirectory;
    private final SourceAccess access;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RunAudit audit;
    private final Predicate<String> knownProject;
    private final long exactDistinctMaxRows;
    private final PipelineSpecParser parser = new PipelineSpecParser();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<PipelineRun>> inFlight = new ConcurrentHashMap<>();
    private final Executor background = Executors.newVirtualThreadPerTaskExecutor();
    private final EventSink events;
    private final RunLimits limits;

    /** Waits between retries; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Wires the service without an audit log, accepting any project name; for tools and tests.
     *
     * @param engines the available engines; a spec picks one by name ({@code duckdb} by default)
     * @param baseDirectory relative source paths in specs resolve against it
     */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, Clock clock, Sleeper sleeper) {
        this(pipelines, runs, datasets, snapshots, engines, secrets, baseDirectory, SourceAccess.confinedTo(baseDirectory), clock,
                sleeper, RunAudit.NONE, project -> true);
    }

    /** Wires the service without an audit log, accepting any project name, with sources confined as {@code access} says. */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, SourceAccess access, Clock clock,
                           Sleeper sleeper) {
        this(pipelines, runs, datasets, snapshots, engines, secrets, baseDirectory, access, clock, sleeper, RunAudit.NONE, project -> true);
    }

    /**
     * Wires the service.
     *
     * @param engines the available engines; a spec picks one by name ({@code duckdb} by default)
     * @param baseDirectory relative source paths in specs resolve against it
     * @param access the source roots, connections and HTTP hosts an admin allows
     * @param audit records run starts, ends and abandonments; a run whose start cannot be recorded is refused
     * @param knownProject whether a project exists; a spec must name one that does
     */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, SourceAccess access, Clock clock,
                           Sleeper sleeper, RunAudit audit, Predicate<String> knownProject) {
        this(pipelines, runs, datasets, snapshots, engines, secrets, baseDirectory, access, clock, sleeper, audit, knownProject,
                ExecutionContext.DEFAULT_EXACT_DISTINCT_MAX_ROWS);
    }

    /**
     * Wires the service, with profiles that count distinct values exactly in datasets of up to {@code exactDistinctMaxRows}
     * rows and estimate them above.
     */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, SourceAccess access, Clock clock,
                           Sleeper sleeper, RunAudit audit, Predicate<String> knownProject, long exactDistinctMaxRows) {
        this(pipelines, runs, datasets, snapshots, engines, secrets, baseDirectory, access, clock, sleeper, audit, knownProject,
                exactDistinctMaxRows, EventSink.discarding());
    }

    /** Wires the service, publishing the end of every run attempt ({@link PipelineRunFinished}, {@link PipelineRunFailed}) to {@code events}. */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, SourceAccess access, Clock clock,
                           Sleeper sleeper, RunAudit audit, Predicate<String> knownProject, long exactDistinctMaxRows, EventSink events) {
        this(pipelines, runs, datasets, snapshots, engines, secrets, baseDirectory, access, clock, sleeper, audit, knownProject,
                exactDistinctMaxRows, events, RunLimits.NONE);
    }

    /**
     * Wires the service, publishing to {@code events} the end of every run attempt and what went wrong in it: sources that
     * could not be read or were slow ({@link SourceFailed}), expectations that rows violated ({@link ExpectationFailed}) and
     * a quarantine over its limit ({@link QuarantineExceeded}); {@code limits} holds the defaults for specs that set none.
     */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, SourceAccess access, Clock clock,
                           Sleeper sleeper, RunAudit audit, Predicate<String> knownProject, long exactDistinctMaxRows, EventSink events,
                           RunLimits limits) {
        this.events = Objects.requireNonNull(events, "events");
        this.limits = Objects.requireNonNull(limits, "limits");
        if (exactDistinctMaxRows < 0) {
            throw new IllegalArgumentException("exactDistinctMaxRows must be >= 0, got " + exactDistinctMaxRows);
        }
        this.exactDistinctMaxRows = exactDistinctMaxRows;
        this.access = Objects.requireNonNull(access, "access");
        this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
        this.runs = Objects.requireNonNull(runs, "runs");
        this.datasets = Objects.requireNonNull(datasets, "datasets");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        Map<String, DataEngine> byName = new LinkedHashMap<>();
        engines.forEach(engine -> byName.put(engine.name(), engine));
        this.engines = Map.copyOf(byName);
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory").toAbsolutePath();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.knownProject = Objects.requireNonNull(knownProject, "knownProject");
    }

    /** What pipelines (and scoring jobs' file and database inputs) may reach, as the administrator configured it. */
    public SourceAccess sourceAccess() {
        return access;
    }

    /** The directory relative source paths are resolved against. */
    public Path baseDirectory() {
        return baseDirectory;
    }

    /**
     * Checks a spec: its structure, what it reaches (source roots, connections, HTTP hosts), what its engine refuses (SQL
     * outside the sandbox) and, when it reaches nothing it may not, the plan on its sources' schemas (missing files, missing
     * columns, SQL that does not bind); returns every error with its path, empty when the spec is valid.
     */
    public List<SpecError> validate(String specYaml) {
        return validate(specYaml, true);
    }

    /**
     * Checks a spec like {@link #validate(String)}; without {@code planOnSources} it leaves out the plan on the sources'
     * schemas, which reads the files (their names, whether they exist, their columns), for callers who may not read them.
     */
    public List<SpecError> validate(String specYaml, boolean planOnSources) {
        PipelineSpecParser.Result result = parser.parse(specYaml);
        if (!result.valid()) {
            return result.errors();
        }
        PipelineSpec spec = result.spec().orElseThrow();
        List<SpecError> errors = new ArrayList<>();
        if (!knownProject.test(spec.project())) {
            errors.add(new SpecError("project", "project '" + spec.project() + "' does not exist; create it first or leave the key out"
                    + " for project 'default'"));
        }
        if (!engines.containsKey(spec.engine())) {
            errors.add(new SpecError("engine", "no engine named '" + spec.engine() + "' is installed; available: "
                    + engines.keySet()));
            return errors;
        }
        List<SpecError> refused = access.check(spec.plan(), baseDirectory, spec.project());
        errors.addAll(refused);
        DataEngine engine = engines.get(spec.engine());
        List<DataEngine.Problem> problems;
        if (refused.isEmpty() && planOnSources) {
            // Plans the spec on its sources' schemas; nothing is published, the staging directory goes at once.
            Path staging = snapshots.newStaging("validate-" + UUID.randomUUID());
            try {
                problems = engine.check(spec.plan(), new ExecutionContext("validate", baseDirectory, staging, clock.instant(), secrets,
                        access.policy(spec.project()), exactDistinctMaxRows));
            } finally {
                snapshots.discard(staging);
            }
        } else {
            problems = engine.check(spec.plan());
        }
        problems.forEach(problem -> errors.add(new SpecError(problem.path(), problem.message())));
        return errors;
    }

    /**
     * The project a spec's pipeline belongs to: the stored pipeline's when one has the spec's name, otherwise the project the
     * spec names ({@code default} when none). Empty when the text names no pipeline.
     */
    public Optional<String> projectOfSpec(String specYaml) {
        return parser.identity(specYaml).map(identity -> pipelineProject(identity.pipeline()).orElse(identity.project()));
    }

    /** The project of a stored pipeline. */
    public Optional<String> pipelineProject(String name) {
        return pipelines.latest(name).map(PipelineVersion::project);
    }

    /** The project of a run's pipeline. */
    public Optional<String> runProject(String id) {
        return runs.find(id).flatMap(run -> pipelineProject(run.pipeline()));
    }

    /** The project of a dataset: that of the pipeline that published it. */
    public Optional<String> datasetProject(String dataset) {
        return datasets.latest(dataset).map(DatasetVersion::project);
    }

    /**
     * Stores a spec as the next version of its pipeline, or returns the latest version when the text is unchanged.
     * Pipeline and dataset names are unique across projects, and a pipeline stays in the project of its first version.
     *
     * @throws KeelException INVALID_SPEC with every error; CONFLICT when the spec would move the pipeline to another project or
     *     publish a dataset of another project
     */
    public PipelineVersion register(String specYaml) {
        List<SpecError> errors = validate(specYaml);
        if (!errors.isEmpty()) {
            throw SpecErrors.invalid(errors);
        }
        PipelineSpec spec = parser.parseOrThrow(specYaml);
        String name = spec.name();
        String sha256 = sha256(specYaml);
        synchronized (pipelines) {
            Optional<PipelineVersion> latest = pipelines.latest(name);
            if (latest.isPresent() && !latest.get().project().equals(spec.project())) {
                throw new KeelException(ErrorCode.CONFLICT, "pipeline '" + name + "' belongs to project '" + latest.get().project()
                        + "'; a new version cannot move it to another project (field 'project' is '" + spec.project() + "')",
                        List.of(new KeelException.FieldError("project", "expected '" + latest.get().project() + "'")));
            }
            if (latest.isPresent() && latest.get().sha256().equals(sha256)) {
                return latest.get();
            }
            requireOwnDatasets(spec);
            PipelineVersion version = new PipelineVersion(name, latest.map(PipelineVersion::version).orElse(0) + 1, specYaml,
                    sha256, clock.instant(), spec.project());
            pipelines.insert(version);
            return version;
        }
    }

    /** Refuses outputs (and the quarantine) that name a dataset another project's pipeline publishes. */
    private void requireOwnDatasets(PipelineSpec spec) {
        List<String> names = new ArrayList<>();
        spec.plan().outputs().forEach(output -> names.add(output.dataset()));
        names.add(spec.plan().quarantineDataset());
        for (int i = 0; i < names.size(); i++) {
            String dataset = names.get(i);
            Optional<String> owner = datasetProject(dataset);
            if (owner.isPresent() && !owner.get().equals(spec.project())) {
                String field = i < names.size() - 1 ? "outputs[" + i + "].dataset" : "quarantine";
                throw new KeelException(ErrorCode.CONFLICT, "dataset '" + dataset + "' is published in another project; dataset names"
                        + " are unique across projects (field '" + field + "')", List.of(new KeelException.FieldError(field,
                        "expected a dataset name not used by another project")));
            }
        }
    }

    /** The latest version of every pipeline. */
    public List<PipelineVersion> list() {
        return pipelines.listLatest();
    }

    /** The latest version of a pipeline. */
    public PipelineVersion pipeline(String name) {
        return pipelines.latest(name).orElseThrow(() -> KeelException.notFound("pipeline '" + name + "' does not exist; known: "
                + pipelines.listLatest().stream().map(PipelineVersion::pipeline).toList()));
    }

    /** The parsed spec of a pipeline's latest version. */
    public PipelineSpec spec(String name) {
        return parser.parseOrThrow(pipeline(name).specYaml());
    }

    /**
     * The state of a pipeline's schedule: active unless paused, or deleted on the current version. A deletion ends when a new
     * version of the spec is registered; a pause lasts until it is resumed.
     */
    public ScheduleState schedule(String name) {
        return schedule(pipeline(name));
    }

    ScheduleState schedule(PipelineVersion version) {
        Optional<ScheduleState> stored = pipelines.schedule(version.pipeline());
        if (stored.isEmpty() || stored.get().status() == ScheduleState.Status.DELETED && stored.get().specVersion() < version.version()) {
            return new ScheduleState(version.pipeline(), ScheduleState.Status.ACTIVE, version.version(), version.createdAt(), "");
        }
        return stored.get();
    }

    /**
     * Stops a pipeline's schedule from firing until it is resumed; runs in progress go on. Pausing a paused schedule changes
     * nothing.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline or one whose spec has no schedule, CONFLICT when the schedule was
     *     deleted
     */
    public ScheduleState pauseSchedule(String name, String actor) {
        return changeSchedule(name, actor, ScheduleState.Status.PAUSED);
    }

    /**
     * Lets a paused schedule fire again, from the next slot after now: slots missed while paused do not fire.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline or one whose spec has no schedule, CONFLICT when the schedule was
     *     deleted
     */
    public ScheduleState resumeSchedule(String name, String actor) {
        return changeSchedule(name, actor, ScheduleState.Status.ACTIVE);
    }

    /**
     * Deletes a pipeline's schedule: it no longer fires, until a new version of the spec declares a schedule. The pipeline, its
     * runs and datasets stay. Deleting a deleted schedule changes nothing.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline or one whose spec has no schedule
     */
    public ScheduleState deleteSchedule(String name, String actor) {
        return changeSchedule(name, actor, ScheduleState.Status.DELETED);
    }

    private ScheduleState changeSchedule(String name, String actor, ScheduleState.Status status) {
        synchronized (pipelines) {
            PipelineVersion version = pipeline(name);
            if (parser.parseOrThrow(version.specYaml()).schedules().isEmpty()) {
                throw KeelException.notFound("pipeline '" + name + "' has no schedule; its spec version " + version.version()
                        + " declares none (key 'schedule')");
            }
            ScheduleState current = schedule(version);
            if (current.status() == status) {
                return current;
            }
            if (current.status() == ScheduleState.Status.DELETED) {
                throw KeelException.conflict("the schedule of pipeline '" + name + "' was deleted on version " + current.specVersion()
                        + "; register a new version of the spec to schedule it again");
            }
            ScheduleState changed = new ScheduleState(name, status, version.version(), clock.instant(), actor);
            pipelines.saveSchedule(changed);
            LOG.info("pipeline '{}': schedule {} by {}", name, status.name().toLowerCase(java.util.Locale.ROOT), actor);
            return changed;
        }
    }

    /**
     * Stops a pipeline from publishing: its runs go on (and are checked, and fail as they would), but a run that succeeds adds
     * no dataset version and says why in its {@code error}; until {@link #resumePublishing}. Stopping a stopped pipeline keeps
     * the first hold.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline
     */
    public PublishHold stopPublishing(String name, String actor, String reason) {
        synchronized (pipelines) {
            pipeline(name);
            Optional<PublishHold> current = pipelines.publishHold(name);
            if (current.isPresent()) {
                return current.get();
            }
            PublishHold hold = new PublishHold(name, actor, reason, clock.instant());
            pipelines.savePublishHold(hold);
            LOG.info("pipeline '{}': publishing stopped by {}: {}", name, actor, reason);
            return hold;
        }
    }

    /**
     * Lets a pipeline publish again from its next run; answers whether it was stopped.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline
     */
    public boolean resumePublishing(String name, String actor) {
        synchronized (pipelines) {
            pipeline(name);
            boolean resumed = pipelines.deletePublishHold(name);
            if (resumed) {
                LOG.info("pipeline '{}': publishing resumed by {}", name, actor);
            }
            return resumed;
        }
    }

    /** The hold on a pipeline's publishing, empty while it publishes. */
    public Optional<PublishHold> publishHold(String name) {
        return pipelines.publishHold(name);
    }

    /**
     * Runs the latest version of a pipeline now and waits for it, audited as {@code scheduler} for scheduled runs and
     * {@code system} otherwise.
     *
     * @see #run(String, Trigger, String)
     */
    public PipelineRun run(String name, Trigger trigger) {
        return run(name, trigger, trigger == Trigger.SCHEDULE ? "scheduler" : "system");
    }

    /**
     * Runs the latest version of a pipeline now and waits for it. Data and source failures do not throw: they end in a
     * FAILED run that says why. The start and the end are audited in the pipeline's project under the actor; a run whose
     * start cannot be audited does not start and leaves no run behind.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline, CONFLICT when it is already running, UNAVAILABLE when the
     *     start cannot be audited
     */
    public PipelineRun run(String name, Trigger trigger, String actor) {
        Started started = begin(name, trigger, actor);
        return started.finish();
    }

    /**
     * Starts a run of the latest version of a pipeline and returns it while it is RUNNING; the run goes on in the background
     * and ends as {@link #run(String, Trigger, String)} does. Follow it with {@link #await(String, Duration)} or
     * {@link #runById(String)}. The checks happen before this returns: an unknown pipeline, one already running or a start
     * that cannot be audited throws and leaves no run.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline, CONFLICT when it is already running, UNAVAILABLE when the
     *     start cannot be audited
     */
    public PipelineRun start(String name, Trigger trigger, String actor) {
        Started started = begin(name, trigger, actor);
        CompletableFuture<PipelineRun> ending = new CompletableFuture<>();
        inFlight.put(started.run().id(), ending);
        try {
            background.execute(() -> {
                try {
                    ending.complete(started.finish());
                } catch (RuntimeException | Error e) {
                    ending.completeExceptionally(e);
                    throw e;
                } finally {
                    inFlight.remove(started.run().id());
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(started.run().id());
            started.abandon("the run could not be started in the background: " + e);
            throw new KeelException(ErrorCode.UNAVAILABLE, "pipeline '" + name + "' was not run: " + e.getMessage(), e);
        }
        return started.run();
    }

    /**
     * A run by id once it has ended, or as it stands after {@code timeout} when it is still running.
     *
     * @throws KeelException NOT_FOUND for an unknown run
     */
    public PipelineRun await(String id, Duration timeout) {
        CompletableFuture<PipelineRun> ending = inFlight.get(id);
        if (ending != null) {
            try {
                return ending.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // Still running, or ended by a failure the run record describes.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return runById(id);
    }

    /**
     * Waits up to {@code timeout} for the runs started in the background to end, for an orderly shutdown.
     *
     * @return true when none is left running
     */
    public boolean awaitBackgroundRuns(Duration timeout) {
        CompletableFuture<?>[] pending = inFlight.values().toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(pending).get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return inFlight.isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight.isEmpty();
        }
        return true;
    }

    /** A run that passed its checks, was audited and recorded; {@link #finish()} executes it. */
    private final class Started {
        private final PipelineRun run;
        private final PipelineVersion version;
        private final PipelineSpec spec;
        private final DataEngine engine;
        private final String actor;

        Started(PipelineRun run, PipelineVersion version, PipelineSpec spec, DataEngine engine, String actor) {
            this.run = run;
            this.version = version;
            this.spec = spec;
            this.engine = engine;
            this.actor = actor;
        }

        PipelineRun run() {
            return run;
        }

        PipelineRun finish() {
            try {
                PipelineRun ended = execute(run, version, spec, engine);
                auditEnd(actor, "pipeline.run-finish", version.project(), ended);
                return ended;
            } finally {
                running.remove(run.pipeline());
            }
        }

        void abandon(String why) {
            try {
                PipelineRun abandoned = run.finish(RunStatus.ABANDONED, clock.instant(), run.accounting(), List.of(), List.of(),
                        List.of(), Optional.of(why));
                runs.update(abandoned);
                auditEnd(actor, "pipeline.run-abandon", version.project(), abandoned);
            } finally {
                running.remove(run.pipeline());
            }
        }
    }

    private Started begin(String name, Trigger trigger, String actor) {
        PipelineVersion version = pipeline(name);
        PipelineSpec spec = parser.parseOrThrow(version.specYaml());
        DataEngine engine = Optional.ofNullable(engines.get(spec.engine())).orElseThrow(() -> new KeelException(
                ErrorCode.INVALID_SPEC, "pipeline '" + name + "' needs engine '" + spec.engine() + "'; available: " + engines.keySet()));
        if (!running.add(name)) {
            throw KeelException.conflict("pipeline '" + name + "' is already running");
        }
        try {
            PipelineRun run = PipelineRun.started(UUID.randomUUID().toString(), version, trigger, clock.instant());
            try {
                audit.append(actor, "pipeline.run-start", version.project(), run, "success", "version " + version.version()
                        + ", trigger " + trigger.name().toLowerCase(java.util.Locale.ROOT));
            } catch (RuntimeException e) {
                LOG.error("pipeline '{}': the start of run {} could not be audited; the run is refused", name, run.id(), e);
                throw new KeelException(ErrorCode.UNAVAILABLE, "pipeline '" + name + "' was not run: the audit entry for its start"
                        + " could not be written", e);
            }
            runs.insert(run);
            return new Started(run, version, spec, engine, actor);
        } catch (RuntimeException e) {
            running.remove(name);
            throw e;
        }
    }

    private void auditEnd(String actor, String action, String project, PipelineRun run) {
        String outcome = run.status() == RunStatus.SUCCEEDED ? "success" : "failure";
        String detail = run.status().name().toLowerCase(java.util.Locale.ROOT) + ": " + run.error().orElse(run.accounting().toString());
        try {
            audit.append(actor, action, project, run, outcome, detail);
        } catch (RuntimeException e) {
            LOG.error("pipeline '{}': the end of run {} ({}) could not be audited", run.pipeline(), run.id(), run.status(), e);
        }
    }

    /** True while a run of the pipeline is in progress in this process. */
    public boolean isRunning(String name) {
        return running.contains(name);
    }

    private PipelineRun execute(PipelineRun started, PipelineVersion version, PipelineSpec spec, DataEngine engine) {
        PipelineRun run = started;
        EngineResult result = null;
        Path staging = null;
        try {
            // Checked again at run time: files, links and addresses may have changed since the spec was registered.
            List<SpecError> refused = access.check(spec.plan(), baseDirectory, version.project());
            if (!refused.isEmpty()) {
                throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, refused.get(0).path(), refused.stream()
                        .map(error -> error.path().equals(refused.get(0).path()) ? error.message() : error.toString())
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
            PipelinePlan plan = access.resolve(spec.plan());
            for (int attempt = 1; result == null; attempt++) {
                run = run.withAttempts(attempt);
                staging = snapshots.newStaging(run.id() + "-" + attempt);
                ExecutionContext context = new ExecutionContext(run.id(), baseDirectory, staging, run.startedAt(), secrets,
                        access.policy(version.project()), exactDistinctMaxRows);
                try {
                    result = engine.execute(plan, context);
                } catch (DataEngineException e) {
                    snapshots.discard(staging);
                    sourceFailure(version.project(), run, plan, e);
                    if (!e.isTransient() || attempt >= spec.retry().maxAttempts()) {
                        throw e;
                    }
                    Duration wait = spec.retry().backoff(attempt);
                    events.accept(new PipelineRunFailed(version.project(), run.pipeline(), run.id(), attempt, true, String.valueOf(e.getMessage()),
                            clock.instant()));
                    LOG.warn("pipeline '{}' run {} attempt {} failed ({}); retrying in {}", run.pipeline(), run.id(), attempt,
                            e.getMessage(), wait);
                    runs.update(run);
                    sleeper.sleep(wait);
                }
            }
            RowAccounting books = RowAccounting.of(result, plan);
            reportSlowSources(version.project(), run, spec, result);
            reportExpectations(version.project(), run, result.expectations());
            reportQuarantine(version.project(), run, spec, books);
            List<String> unexplained = RowAccounting.unexplained(result);
            if (!unexplained.isEmpty() || !books.balanced()) {
                throw new KeelException(ErrorCode.INTERNAL, "row accounting does not balance: " + books + "; stages: " + unexplained);
            }
            List<String> published = new ArrayList<>();
            List<String> unchanged = new ArrayList<>();
            Map<String, String> fingerprints = new LinkedHashMap<>();
            result.stages().stream().filter(stage -> stage.kind() == EngineResult.StageKind.SOURCE)
                    .forEach(stage -> fingerprints.put(stage.name(), stage.fingerprint()));
            List<EngineResult.StagedOutput> staged = new ArrayList<>(result.outputs());
            result.quarantine().ifPresent(staged::add);
            Optional<PublishHold> hold = pipelines.publishHold(run.pipeline());
            if (hold.isPresent()) {
                snapshots.discard(staging);
                String why = "outputs not published: publishing of pipeline '" + run.pipeline() + "' was stopped by " + hold.get().actor()
                        + " at " + hold.get().heldAt() + (hold.get().reason().isEmpty() ? "" : " (" + hold.get().reason() + ")");
                PipelineRun held = run.finish(RunStatus.SUCCEEDED, clock.instant(), books, result.stages(), result.expectations(), List.of(),
                        Optional.of(why)).withLinkage(result.linkage());
                runs.update(held);
                LOG.info("pipeline '{}' run {} succeeded; {}", run.pipeline(), run.id(), why);
                events.accept(new PipelineRunFinished(version.project(), run.pipeline(), run.id(), run.attempts(), held.finishedAt().orElseThrow()));
                return held;
            }
            checkSensitiveColumns(spec, result.outputs());
            for (EngineResult.StagedOutput output : staged) {
                SensitiveColumns sensitive = spec.sensitive(output.dataset()).retain(output.profile().columns().stream()
                        .map(DatasetProfile.ColumnProfile::name).toList());
                Publication publication = publish(output, run, version.project(), fingerprints, sensitive);
                (publication.added() ? published : unchanged).add(publication.version().reference());
            }
            snapshots.discard(staging);
            PipelineRun finished = run.finish(RunStatus.SUCCEEDED, clock.instant(), books, result.stages(), result.expectations(),
                    published, Optional.empty()).withUnchanged(unchanged).withLinkage(result.linkage());
            runs.update(finished);
            LOG.info("pipeline '{}' run {} succeeded: {}", run.pipeline(), run.id(), books);
            events.accept(new PipelineRunFinished(version.project(), run.pipeline(), run.id(), run.attempts(), finished.finishedAt().orElseThrow()));
            return finished;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(version.project(), run, result, "interrupted while waiting to retry");
        } catch (DataEngineException e) {
            if (e.kind() == DataEngineException.Kind.EXPECTATION_FAILED) {
                reportExpectations(version.project(), run, e.expectations());
            }
            String where = e.path().isEmpty() ? "" : e.path() + ": ";
            return fail(version.project(), run, result, withheld(spec, e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " error: " + where + e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("pipeline '{}' run {} failed", run.pipeline(), run.id(), e);
            return fail(version.project(), run, result, withheld(spec, e.getMessage() == null ? e.toString() : e.getMessage()));
        } finally {
            if (staging != null) {
                snapshots.discard(staging);
            }
        }
    }

    /**
     * A run's error as stored, shown and alerted: for a pipeline that declares sensitive columns, every quoted text in it (where
     * engines put the value they could not convert or compare) is replaced by {@code '***'}, since the run record, its incident and
     * its alerts reach callers who may not read those values. The server's log keeps the message whole.
     */
    static String withheld(PipelineSpec spec, String message) {
        if (spec.sensitiveDatasets().isEmpty()) {
            return message;
        }
        String withheld = QUOTED.matcher(message).replaceAll(match -> match.group().charAt(0) + Masking.REDACTED + match.group().charAt(0));
        if (!withheld.equals(message)) {
            LOG.warn("pipeline '{}' run error, quoted values withheld from the run record: {}", spec.name(), message);
        }
        return withheld;
    }

    /** A source the engine could not read (a missing file, a refused connection, an HTTP error or timeout) is unreachable. */
    private void sourceFailure(String project, PipelineRun run, PipelinePlan plan, DataEngineException e) {
        if (e.kind() != DataEngineException.Kind.SOURCE && e.kind() != DataEngineException.Kind.TRANSIENT) {
            return;
        }
        Matcher path = SOURCE_PATH.matcher(e.path());
        if (!path.matches()) {
            return;
        }
        int index = Integer.parseInt(path.group(1));
        if (index >= plan.sources().size()) {
            return;
        }
        events.accept(new SourceFailed(project, run.pipeline(), run.id(), plan.sources().get(index).name(), SourceFailed.Kind.UNREACHABLE,
                String.valueOf(e.getMessage()), clock.instant()));
    }

    private void reportSlowSources(String project, PipelineRun run, PipelineSpec spec, EngineResult result) {
        for (EngineResult.StageResult stage : result.stages()) {
            if (stage.kind() != EngineResult.StageKind.SOURCE) {
                continue;
            }
            Duration limit = spec.slowAfter().getOrDefault(stage.name(), limits.sourceSlowAfter());
            if (!limit.isZero() && stage.millis() > limit.toMillis()) {
                events.accept(new SourceFailed(project, run.pipeline(), run.id(), stage.name(), SourceFailed.Kind.SLOW, "reading source '"
                        + stage.name() + "' took " + stage.millis() + " ms, over its limit of " + limit.toMillis() + " ms", clock.instant()));
            }
        }
    }

    private void reportExpectations(String project, PipelineRun run, List<EngineResult.ExpectationResult> outcomes) {
        for (EngineResult.ExpectationResult outcome : outcomes) {
            if (outcome.violations() > 0) {
                events.accept(new ExpectationFailed(project, run.pipeline(), run.id(), outcome.name(), outcome.dataset(), outcome.violations(),
                        outcome.action().name().toLowerCase(java.util.Locale.ROOT), (outcome.detail().isEmpty() ? "violated" : outcome.detail())
                        + " (" + outcome.violations() + " violation(s))", clock.instant()));
            }
        }
    }

    private void reportQuarantine(String project, PipelineRun run, PipelineSpec spec, RowAccounting books) {
        double limit = spec.quarantineLimit().orElse(limits.maxQuarantineRate());
        if (books.rowsIn() == 0 || books.quarantined() == 0) {
            return;
        }
        double rate = (double) books.quarantined() / books.rowsIn();
        if (rate > limit) {
            events.accept(new QuarantineExceeded(project, run.pipeline(), run.id(), books.quarantined(), books.rowsIn(), rate, limit,
                    clock.instant()));
        }
    }

    private PipelineRun fail(String project, PipelineRun run, EngineResult result, String message) {
        List<EngineResult.StageResult> stages = result == null ? List.of() : result.stages();
        List<EngineResult.ExpectationResult> outcomes = result == null ? List.of() : result.expectations();
        PipelineRun failed = run.finish(RunStatus.FAILED, clock.instant(), result == null ? RowAccounting.empty()
                : RowAccounting.of(result), stages, outcomes, List.of(), Optional.of(message))
                .withLinkage(result == null ? List.of() : result.linkage());
        runs.update(failed);
        LOG.warn("pipeline '{}' run {} failed: {}", run.pipeline(), run.id(), message);
        events.accept(new PipelineRunFailed(project, run.pipeline(), run.id(), Math.max(1, run.attempts()), false, message, failed.finishedAt()
                .orElseGet(clock::instant)));
        return failed;
    }

    /** A staged output's fate: a new version, or the latest version it equals byte for byte. */
    private record Publication(DatasetVersion version, boolean added) {
    }

    /**
     * Every column an output declares sensitive must be one it has: a misspelt name would otherwise leave the real column unmasked.
     * Checked before anything is published.
     */
    private static void checkSensitiveColumns(PipelineSpec spec, List<EngineResult.StagedOutput> outputs) {
        for (int index = 0; index < outputs.size(); index++) {
            EngineResult.StagedOutput output = outputs.get(index);
            if (spec.plan().outputs().stream().anyMatch(declared -> declared.dataset().equals(output.dataset())
                    && (declared.from().endsWith("__clusters") || declared.from().endsWith("__links")))) {
                continue; // a linkage step's audit dataset inherits its output's declaration as far as it has the columns
            }
            List<String> columns = output.profile().columns().stream().map(DatasetProfile.ColumnProfile::name).toList();
            List<String> missing = spec.sensitive(output.dataset()).columns().keySet().stream().filter(name -> !columns.contains(name))
                    .toList();
            if (!missing.isEmpty()) {
                throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, "outputs." + output.dataset() + ".sensitive",
                        "output " + output.dataset() + " declares " + missing + " sensitive but has no such column; its columns are "
                                + columns + " (nothing was published)");
            }
        }
    }

    private Publication publish(EngineResult.StagedOutput output, PipelineRun run, String project, Map<String, String> fingerprints,
                                SensitiveColumns sensitive) {
        synchronized (datasets) {
            Optional<DatasetVersion> latest = datasets.latest(output.dataset());
            if (latest.isPresent() && !latest.get().project().equals(project)) {
                throw KeelException.conflict("dataset '" + output.dataset() + "' is published in another project; pipeline '"
                        + run.pipeline() + "' of project '" + project + "' cannot add a version to it");
            }
            // the same bytes under a changed sensitive declaration are a new version: the declaration is part of what is published
            if (latest.isPresent() && latest.get().sha256().equals(SnapshotStore.sha256(output.file()))
                    && latest.get().sensitive().equals(sensitive)) {
                LOG.info("pipeline '{}' run {}: output '{}' equals version {} (SHA-256 {}); no new version", run.pipeline(), run.id(),
                        output.dataset(), latest.get().version(), latest.get().sha256());
                return new Publication(latest.get(), false);
            }
            SnapshotStore.Published file = snapshots.publish(output.file());
            int next = latest.map(DatasetVersion::version).orElse(0) + 1;
            DatasetVersion version = new DatasetVersion(output.dataset(), next, file.sha256(), file.location(), output.rows(),
                    file.bytes(), output.profile(), run.pipeline(), run.specVersion(), run.id(), fingerprints, clock.instant(), project,
                    sensitive);
            datasets.insert(version);
            return new Publication(version, true);
        }
    }

    /**
     * Publishes a Parquet file written outside a pipeline (a scoring run's output) as the next version of {@code dataset} in
     * {@code project}, with its profile, and with {@code producer} ({@code scoring:<job>}) and {@code runId} as its lineage. The file is
     * copied, not moved. Publishing again for the same producer and run returns the version published the first time.
     *
     * @throws KeelException FORBIDDEN when the dataset belongs to another project; NOT_FOUND when the project does not exist;
     *     UNAVAILABLE when no engine is installed to profile the file
     */
    public DatasetVersion publishExternal(String project, String dataset, Path parquetFile, String producer, String runId) {
        return publishExternal(project, dataset, parquetFile, producer, runId, SensitiveColumns.none());
    }

    /** As {@link #publishExternal(String, String, Path, String, String)}, with the columns of the file that are sensitive. */
    public DatasetVersion publishExternal(String project, String dataset, Path parquetFile, String producer, String runId,
                                          SensitiveColumns sensitive) {
        Objects.requireNonNull(sensitive, "sensitive");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(parquetFile, "parquetFile");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(runId, "runId");
        if (!knownProject.test(project)) {
            throw KeelException.notFound("project '" + project + "' does not exist; " + producer + " cannot publish dataset '" + dataset + "' in it");
        }
        DataEngine engine = Optional.ofNullable(engines.get("duckdb")).or(() -> engines.values().stream().findFirst())
                .orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "no data engine is installed to profile dataset '" + dataset + "'"));
        synchronized (datasets) {
            Optional<DatasetVersion> latest = datasets.latest(dataset);
            if (latest.isPresent() && !latest.get().project().equals(project)) {
                throw new KeelException(ErrorCode.FORBIDDEN, "dataset '" + dataset + "' belongs to project '" + latest.get().project() + "'; "
                        + producer + " of project '" + project + "' cannot publish a version of it");
            }
            Optional<DatasetVersion> already = publishedBy(dataset, producer, runId);
            if (already.isPresent()) {
                return already.get();
            }
            Path staging = snapshots.newStaging("external-" + UUID.randomUUID());
            try {
                Path copy = staging.resolve("snapshot.parquet");
                java.nio.file.Files.copy(parquetFile, copy);
                DatasetProfile profile = engine.profile(copy);
                SnapshotStore.Published file = snapshots.publish(copy);
                DatasetVersion version = new DatasetVersion(dataset, latest.map(DatasetVersion::version).orElse(0) + 1, file.sha256(), file.location(),
                        profile.rows(), file.bytes(), profile, producer, 0, runId, Map.of(), clock.instant(), project,
                        sensitive.retain(profile.columns().stream().map(DatasetProfile.ColumnProfile::name).toList()));
                datasets.insert(version);
                LOG.info("{} run {} published {} ({} rows)", producer, runId, version.reference(), version.rows());
                return version;
            } catch (java.io.IOException e) {
                throw new KeelException(ErrorCode.INTERNAL, "cannot stage '" + parquetFile + "' for dataset '" + dataset + "': " + e.getMessage(), e);
            } finally {
                snapshots.discard(staging);
            }
        }
    }

    /** The version of {@code dataset} that {@code producer}'s run {@code runId} published, if it did. */
    public Optional<DatasetVersion> publishedBy(String dataset, String producer, String runId) {
        return datasets.versions(dataset).stream().filter(version -> version.runId().equals(runId) && version.pipeline().equals(producer))
                .findFirst();
    }

    /** The latest runs of a pipeline, newest first. */
    public List<PipelineRun> history(String pipeline, int limit) {
        return runs.history(pipeline, limit);
    }

    /** One run by id. */
    public PipelineRun runById(String id) {
        return runs.find(id).orElseThrow(() -> KeelException.notFound("run '" + id + "' does not exist"));
    }

    /** The latest version of every dataset. */
    public List<DatasetVersion> datasets() {
        return datasets.listLatest();
    }

    /** Every version of a dataset, oldest first. */
    public List<DatasetVersion> versions(String dataset) {
        List<DatasetVersion> versions = datasets.versions(dataset);
        if (versions.isEmpty()) {
            throw KeelException.notFound("dataset '" + dataset + "' does not exist");
        }
        return versions;
    }

    /** One version of a dataset; version 0 means the latest. */
    public DatasetVersion dataset(String dataset, int version) {
        Optional<DatasetVersion> found = version == 0 ? datasets.latest(dataset) : datasets.find(dataset, version);
        return found.orElseThrow(() -> KeelException.notFound("dataset '" + dataset + "' has no version " + version + "; versions: "
                + datasets.versions(dataset).stream().map(DatasetVersion::version).toList()));
    }

    /** The profile of a dataset version (0 for the latest). */
    public DatasetProfile profile(String dataset, int version) {
        return dataset(dataset, version).profile();
    }

    /** Schema and profile changes between two versions of a dataset. */
    public DatasetDiff diff(String dataset, int fromVersion, int toVersion) {
        return DatasetDiff.between(dataset(dataset, fromVersion), dataset(dataset, toVersion));
    }

    /**
     * The verified snapshot file of a dataset version (0 for the latest), to read by path until it is closed; when snapshots
     * are stored encrypted it is a private decrypted copy that closing deletes.
     */
    public SnapshotStore.Snapshot openSnapshot(String dataset, int version) {
        DatasetVersion found = dataset(dataset, version);
        return snapshots.open(found.location(), found.sha256());
    }

    /** Re-wraps the data key of every encrypted snapshot under the active key; see {@link SnapshotStore#rewrap()}. */
    public dev.keel.core.security.RewrapReport rewrapSnapshots() {
        return snapshots.rewrap();
    }

    /** Up to {@code limit} rows of a dataset version (0 for the latest), read through the engine. */
    public TableData read(String dataset, int version, List<String> columns, long limit) {
        DataEngine engine = engines.values().stream().findFirst()
                .orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "no data engine is installed"));
        try (SnapshotStore.Snapshot snapshot = openSnapshot(dataset, version)) {
            return engine.read(snapshot.path(), columns, limit);
        }
    }

    /**
     * Up to {@code limit} rows of a dataset version (0 for the latest) whose {@code column}, as text, is one of {@code values},
     * read through the engine.
     */
    public TableData lookup(String dataset, int version, List<String> columns, String column, List<String> values, long limit) {
        DataEngine engine = engines.values().stream().findFirst()
                .orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "no data engine is installed"));
        try (SnapshotStore.Snapshot snapshot = openSnapshot(dataset, version)) {
            return engine.lookup(snapshot.path(), columns, column, values, limit);
        }
    }

    /**
     * Cleans up after a crash: marks runs left RUNNING as ABANDONED and removes staging files and unreferenced snapshot files.
     * Call once at start-up, before any run.
     *
     * @return the number of runs marked abandoned
     */
    public int recover() {
        List<PipelineRun> stale = runs.withStatus(RunStatus.RUNNING);
        for (PipelineRun run : stale) {
            PipelineRun abandoned = run.finish(RunStatus.ABANDONED, clock.instant(), run.accounting(), run.stages(), run.expectations(),
                    List.of(), Optional.of("the process stopped during the run; nothing was published by it after the crash"));
            runs.update(abandoned);
            auditEnd("system", "pipeline.run-abandon", pipelineProject(run.pipeline()).orElse(ProjectService.DEFAULT), abandoned);
        }
        int removed = snapshots.recover(datasets::referencesFile);
        if (!stale.isEmpty() || removed > 0) {
            LOG.info("recovered: {} abandoned runs, {} staging or orphaned snapshot paths removed", stale.size(), removed);
        }
        return stale.size();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
