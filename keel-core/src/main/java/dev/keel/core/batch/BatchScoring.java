package dev.keel.core.batch;

import dev.keel.core.data.CronExpression;
import dev.keel.core.data.SpecDocument;
import dev.keel.core.data.SpecError;
import dev.keel.core.error.ErrorCategory;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.store.Database;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.PipelineRunFinished;
import dev.keel.spi.event.ScoringRunFailed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scoring jobs operated: applied specs, runs started in the background (by hand, on a cron schedule or after a pipeline run),
 * at most one run of a job at a time, retries that resume the failed run from its checkpoint, cancellation and progress.
 * Every failed attempt is published as {@link ScoringRunFailed}, which the incident sink folds into incidents.
 */
public final class BatchScoring implements AutoCloseable {
    /** How long starting a run waits to see it recorded (or refused) before it answers with what it knows. */
    static final Duration START_WAIT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(BatchScoring.class);
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    private static final Pattern JOB_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /** Waits between attempts; the server sleeps, tests record. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final ScoringJobStore jobs;
    private final ScoringRun engine;
    private final ScoringModels models;
    private final ScoringInputs inputs;
    private final ScoringSinks sinks;
    private final EventSink events;
    private final Clock clock;
    private final Predicate<String> knownProject;
    private final Sleeper sleeper;
    private final ScoringScheduler scheduler;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** The run in progress (executing or waiting to retry) of every job, by job name. */
    private final Map<String, Execution> inFlight = new ConcurrentHashMap<>();
    private final ScoringJobSpecParser parser = new ScoringJobSpecParser();
    private volatile boolean closing;

    /**
     * Wires the service.
     *
     * @param lease how long a run stays claimed by this process after its last chunk (see {@link ScoringRun})
     * @param zone the time zone cron schedules are read in
     * @param knownProject whether a project exists; a spec naming an unknown one is refused
     */
    public BatchScoring(Database store, ScoringModels models, ScoringInputs inputs, ScoringSinks sinks, EventSink events, Clock clock,
                        Duration lease, ZoneId zone, Predicate<String> knownProject) {
        this(store, models, inputs, sinks, events, clock, lease, zone, knownProject, duration -> Thread.sleep(duration));
    }

    BatchScoring(Database store, ScoringModels models, ScoringInputs inputs, ScoringSinks sinks, EventSink events, Clock clock, Duration lease,
                 ZoneId zone, Predicate<String> knownProject, Sleeper sleeper) {
        this.jobs = new ScoringJobStore(Objects.requireNonNull(store, "store"));
        this.models = Objects.requireNonNull(models, "models");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.knownProject = Objects.requireNonNull(knownProject, "knownProject");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.engine = new ScoringRun(store, models, inputs, sinks, clock, lease);
        this.scheduler = new ScoringScheduler(this, clock, Objects.requireNonNull(zone, "zone"));
    }

    /**
     * A run as the API shows it: its record and progress, and how it was started.
     *
     * @param trigger empty for a run started by something other than this service (an embedding program)
     * @param inProgress whether the run is executing or waiting to be retried; false once it has ended for good (or for now)
     * @param retryPending whether the run failed and waits for its next attempt
     */
    public record RunView(ScoringRun.Progress progress, Optional<RunTrigger> trigger, boolean inProgress, boolean retryPending) {
        public RunView {
            Objects.requireNonNull(progress, "progress");
            Objects.requireNonNull(trigger, "trigger");
        }

        public BatchRun run() {
            return progress.run();
        }
    }

    // ---- jobs

    /**
     * Applies a job's spec: parsed and checked (the project exists, the model and its version or alias exist in the job's project,
     * the destination's connection is declared and of its kind, and, when the input can be opened now, the model's features
     * against the input's columns). Re-applying an unchanged spec changes nothing.
     *
     * @throws KeelException INVALID_SPEC with a field error per problem; CONFLICT when the name belongs to a job of another project
     */
    public ScoringJob apply(String text, String actor) {
        return applied(text, actor).job();
    }

    /**
     * What applying a spec did.
     *
     * @param created whether the job is new
     * @param changed whether the spec differs from the one stored (true for a new job)
     */
    public record Applied(ScoringJob job, boolean created, boolean changed) {
        public Applied {
            Objects.requireNonNull(job, "job");
        }
    }

    /** Applies a job's spec as {@link #apply} does, saying whether it was new, changed or unchanged. */
    public Applied applied(String text, String actor) {
        Objects.requireNonNull(actor, "actor");
        ScoringJobSpec spec = parser.parseOrThrow(text);
        if (!knownProject.test(spec.project())) {
            throw invalid("project", "project '" + spec.project() + "' does not exist");
        }
        Optional<ScoringJob> existing = jobs.find(spec.name());
        if (existing.isPresent() && !existing.get().project().equals(spec.project())) {
            throw KeelException.conflict("scoring job '" + spec.name() + "' belongs to project '" + existing.get().project() + "'; job names are"
                    + " unique across projects");
        }
        check(spec);
        if (existing.isPresent() && existing.get().text().equals(text)) {
            return new Applied(existing.get(), false, false);
        }
        int previous = existing.map(ScoringJob::version).orElse(0);
        ScoringJob job = new ScoringJob(spec.name(), spec.project(), previous + 1, text, spec, clock.instant(), actor);
        jobs.save(job, previous);
        return new Applied(job, existing.isEmpty(), true);
    }

    /** The job's checks before it is stored: model, destination and, when the input exists already, the plan. */
    private void check(ScoringJobSpec spec) {
        ModelVersion version;
        try {
            version = version(spec);
        } catch (KeelException e) {
            if (e.code().category() == ErrorCategory.NOT_FOUND || e.code() == ErrorCode.FORBIDDEN) {
                throw invalid("model", e.getMessage());
            }
            throw e;
        }
        try {
            sinks.check(spec);
        } catch (KeelException e) {
            if (e.code().category() == ErrorCategory.NOT_FOUND || e.code().category() == ErrorCategory.BAD_INPUT) {
                throw invalid("destination", e.getMessage());
            }
            throw e;
        }
        ScoringInputs.Pin pin;
        try {
            pin = inputs.pin(spec.input(), spec.project());
        } catch (KeelException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                throw invalid("input", e.getMessage());
            }
            // a dataset its pipeline has not published yet, a file still to come: checked when a run starts
            return;
        }
        if (spec.incremental().isPresent()) {
            return;
        }
        String label = spec.input().label() + (pin.datasetVersion() > 0 ? " version " + pin.datasetVersion() : "");
        try (ScoringInput input = inputs.open(spec.input(), pin, spec.project(), ScoringInputs.Selection.ALL)) {
            ScoringPlan.check(spec, version, input, label);
        }
    }

    /** The model version a new run of the job would score with, refused when the model belongs to another project. */
    private ModelVersion version(ScoringJobSpec spec) {
        ModelVersion version = spec.model().alias().map(alias -> models.byAlias(spec.model().name(), alias))
                .orElseGet(() -> models.byNumber(spec.model().name(), spec.model().version()));
        if (!version.project().equals(spec.project())) {
            throw new KeelException(ErrorCode.FORBIDDEN, "model '" + spec.model().name() + "' belongs to project '" + version.project()
                    + "'; a scoring job of project '" + spec.project() + "' scores only with its own project's models");
        }
        return version;
    }

    /** The jobs of a project, by name. */
    public List<ScoringJob> jobs(String project) {
        return jobs.list(project);
    }

    public Optional<ScoringJob> findJob(String name) {
        return jobs.find(name);
    }

    /** The named job; NOT_FOUND when there is none. */
    public ScoringJob job(String name) {
        return jobs.find(name).orElseThrow(() -> KeelException.notFound("scoring job '" + clip(name) + "' does not exist"));
    }

    /** Deletes a job; its runs and the rows they wrote stay. A run in progress is refused: cancel it first. */
    public boolean delete(String name) {
        Optional<ScoringJob> job = jobs.find(name);
        if (job.isEmpty()) {
            return false;
        }
        Optional<String> running = running(job.get());
        if (running.isPresent()) {
            throw KeelException.conflict("scoring job '" + name + "' has run '" + running.get() + "' in progress; cancel it before deleting the job");
        }
        return jobs.delete(name);
    }

    // ---- runs

    /**
     * Starts a run of a job in the background and returns it once it is recorded. With a run id of the caller's (for a client that
     * retries), a run that has succeeded is returned as it is, the run in progress is returned, and a failed or cancelled one is
     * resumed.
     *
     * @throws KeelException CONFLICT when another run of the job is in progress, or the run id is another job's; the engine's refusal
     *     (INVALID_INPUT: the model cannot score the input; NOT_FOUND: the model version or the dataset is gone) when the run cannot start
     */
    public BatchRun start(String jobName, Optional<String> runId, String actor) {
        ScoringJob job = job(jobName);
        runId.ifPresent(BatchScoring::requireRunId);
        String id = runId.orElseGet(BatchScoring::newRunId);
        Optional<BatchRun> existing = engine.find(id);
        if (existing.isPresent()) {
            if (!existing.get().job().equals(job.name()) || !existing.get().project().equals(job.project())) {
                throw KeelException.conflict("run '" + id + "' is a run of scoring job '" + existing.get().job() + "'; choose another run id");
            }
            if (existing.get().status() == BatchRun.Status.SUCCEEDED) {
                return existing.get();
            }
            Execution current = inFlight.get(job.name());
            if (current != null && current.runId.equals(id)) {
                return existing.get();
            }
        }
        return launch(job, id, RunTrigger.Kind.MANUAL, "", actor, true).orElseThrow();
    }

    /**
     * Executes a failed or cancelled run again, from its last checkpoint, with the job's current spec (which must be the one the run
     * started with); also a run left RUNNING by a process that died, once its lease has run out. A succeeded run is returned as it is.
     */
    public BatchRun resume(String runId, String actor) {
        BatchRun run = requireRun(runId);
        if (run.status() == BatchRun.Status.SUCCEEDED) {
            return run;
        }
        Execution current = inFlight.get(run.job());
        if (current != null && current.runId.equals(runId)) {
            return run;
        }
        ScoringJob job = jobs.find(run.job()).filter(found -> found.project().equals(run.project())).orElseThrow(() -> KeelException.conflict(
                "run '" + runId + "' belongs to scoring job '" + run.job() + "', which was deleted; apply the job again to resume it"));
        return launch(job, runId, RunTrigger.Kind.MANUAL, "", actor, true).orElseThrow();
    }

    /**
     * Asks a run to stop after the chunk it is writing and stops its retries; a run whose executor is gone is marked cancelled at once.
     * Cancelling a stopped run changes nothing.
     */
    public BatchRun cancel(String runId) {
        BatchRun run = requireRun(runId);
        Execution current = inFlight.get(run.job());
        if (current != null && current.runId.equals(runId)) {
            boolean waiting = current.waiting;
            current.cancel();
            if (waiting) {
                return engine.cancelFailed(runId, "cancelled while waiting to be retried; resume it to go on").orElse(run);
            }
        }
        return engine.cancel(runId).orElse(run);
    }

    /** A run with its progress and trigger. */
    public Optional<RunView> find(String runId) {
        return engine.progress(runId).map(progress -> {
            Execution current = inFlight.get(progress.run().job());
            boolean here = current != null && current.runId.equals(runId);
            return new RunView(progress, jobs.trigger(runId), here || progress.run().status() == BatchRun.Status.RUNNING, here && current.waiting);
        });
    }

    /** A run's record; NOT_FOUND when there is none. */
    public BatchRun requireRun(String runId) {
        return findRun(runId).orElseThrow(() -> KeelException.notFound("scoring run '" + clip(runId) + "' does not exist"));
    }

    /** A run's record, without its progress. */
    public Optional<BatchRun> findRun(String runId) {
        return RUN_ID.matcher(runId).matches() ? engine.find(runId) : Optional.empty();
    }

    /** Runs of a project, or of one of its jobs, newest first. */
    public List<BatchRun> runs(String project, Optional<String> job, int limit) {
        return job.isPresent() ? engine.runs(project, job.get(), limit) : jobs.runs(project, limit);
    }

    /** The trigger of a run started through this service. */
    public Optional<RunTrigger> trigger(String runId) {
        return jobs.trigger(runId);
    }

    /** Waits until the job's run in progress here has ended (for tests and the CLI's embedding); false on timeout. */
    public boolean awaitIdle(String jobName, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.containsKey(jobName)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** The run of the job in progress: here (executing or waiting to retry), or in any process that holds its lease. */
    Optional<String> running(ScoringJob job) {
        Execution current = inFlight.get(job.name());
        if (current != null) {
            return Optional.of(current.runId);
        }
        return jobs.runningRun(job.project(), job.name(), clock.millis());
    }

    /** Every applied job, for the scheduler and the pipeline hook. */
    List<ScoringJob> allJobs() {
        return jobs.all();
    }

    /**
     * Starts run {@code runId} of the job in the background; with {@code wait}, returns the run once it is recorded, throws when it is
     * refused before that; without, returns empty at once.
     */
    Optional<BatchRun> launch(ScoringJob job, String runId, RunTrigger.Kind kind, String reference, String actor, boolean wait) {
        if (closing) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "the server is shutting down; no scoring run starts now");
        }
        Execution execution = new Execution(job, runId);
        Execution raced = inFlight.putIfAbsent(job.name(), execution);
        if (raced != null) {
            throw KeelException.conflict("scoring job '" + job.name() + "' has run '" + raced.runId + "' in progress; a job runs once at a time");
        }
        try {
            Optional<String> elsewhere = jobs.runningRun(job.project(), job.name(), clock.millis()).filter(other -> !other.equals(runId));
            if (elsewhere.isPresent()) {
                throw KeelException.conflict("scoring job '" + job.name() + "' has run '" + elsewhere.get() + "' in progress; a job runs once at a"
                        + " time");
            }
            if (jobs.trigger(runId).isEmpty()) {
                jobs.insertTrigger(new RunTrigger(runId, job.name(), job.project(), kind, reference, actor, job.version(), 0, clock.instant(),
                        Optional.empty()));
            }
            execution.startedBefore = jobs.startedAt(runId);
            execution.statusBefore = engine.find(runId).map(BatchRun::status);
            executor.execute(() -> execution.run(!wait));
        } catch (RuntimeException e) {
            inFlight.remove(job.name(), execution);
            throw e;
        }
        return wait ? Optional.of(execution.awaitStart()) : Optional.empty();
    }

    // ---- schedules and chaining

    /**
     * Starts every scheduled job with a cron slot in (last pass, now]; a job whose run is in progress skips the slot.
     *
     * @return the jobs started
     */
    public List<String> tick(Instant now) {
        return scheduler.tick(now);
    }

    /** Starts the scheduler loop in a daemon thread; {@link #tick} is what tests drive instead. */
    public void startScheduler() {
        scheduler.start();
    }

    /** The sink that starts the jobs that run after a pipeline, when a run of that pipeline succeeds in their project. */
    public EventSink pipelineHook() {
        return new EventSink() {
            @Override
            public void accept(KeelEvent event) {
                if (event instanceof PipelineRunFinished finished) {
                    afterPipeline(finished);
                }
            }

            @Override
            public boolean wants(Class<? extends KeelEvent> kind) {
                return kind == PipelineRunFinished.class;
            }

            @Override
            public String name() {
                return "scoring-after-pipeline";
            }
        };
    }

    /** Starts the jobs chained after the pipeline of a succeeded run; returns the runs started. */
    List<String> afterPipeline(PipelineRunFinished finished) {
        List<String> started = new ArrayList<>();
        for (ScoringJob job : jobs.all()) {
            if (!job.project().equals(finished.projectName()) || !job.spec().operations().after().equals(Optional.of(finished.pipeline()))) {
                continue;
            }
            started.addAll(startQuietly(job, RunTrigger.Kind.PIPELINE, finished.runId()));
        }
        return started;
    }

    /** Starts a run without a caller to answer: a refusal is logged (and published when it is a failure of the job). */
    List<String> startQuietly(ScoringJob job, RunTrigger.Kind kind, String reference) {
        Optional<String> running = running(job);
        if (running.isPresent()) {
            LOG.warn("scoring job '{}' was due ({} {}) but run '{}' is in progress; skipped", job.name(), kind, reference, running.get());
            return List.of();
        }
        String runId = newRunId();
        try {
            launch(job, runId, kind, reference, "keel:" + kind.name().toLowerCase(java.util.Locale.ROOT), false);
            return List.of(runId);
        } catch (KeelException e) {
            LOG.warn("scoring job '{}' did not start ({} {}): {}", job.name(), kind, reference, e.getMessage());
            return List.of();
        }
    }

    static CronExpression cron(ScoringJob job) {
        return CronExpression.parse(job.spec().operations().schedule().orElseThrow());
    }

    // ---- lifecycle

    /** Stops the scheduler and interrupts runs in progress: each stops after its chunk and is marked failed, to be resumed later. */
    @Override
    public void close() {
        closing = true;
        scheduler.stop();
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("scoring runs still in progress at shutdown; they can be resumed once their lease has run out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a failure is worth another attempt: not when the job, its input or its caller is wrong. */
    static boolean retriable(RuntimeException failure) {
        if (!(failure instanceof KeelException keel)) {
            return true;
        }
        return switch (keel.code().category()) {
            case BAD_INPUT, UNPROCESSABLE, FORBIDDEN, NOT_FOUND, CONFLICT -> false;
            default -> true;
        };
    }

    private static String newRunId() {
        return "score-" + UUID.randomUUID();
    }

    private static void requireRunId(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            String message = "run id '" + clip(runId) + "' is not valid; expected 1-128 letters, digits, '_', '.', ':' or '-'";
            throw new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError("runId", message)));
        }
    }

    /** Whether a name could be a job's, so that a path segment is checked before it reaches the store. */
    public static boolean plausibleJobName(String name) {
        return JOB_NAME.matcher(name).matches();
    }

    static KeelException invalid(String field, String message) {
        return SpecDocument.invalid("the scoring job spec", List.of(new SpecError(field, message)));
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }

    /** One run being executed here: its attempts, its retries and their waits. */
    private final class Execution {
        final ScoringJob job;
        final String runId;
        volatile long startedBefore;
        volatile Optional<BatchRun.Status> statusBefore = Optional.empty();
        volatile boolean attempted;
        volatile boolean done;
        volatile boolean waiting;
        volatile boolean cancelled;
        volatile RuntimeException firstFailure;
        volatile Thread thread;

        Execution(ScoringJob job, String runId) {
            this.job = job;
            this.runId = runId;
        }

        void cancel() {
            cancelled = true;
            Thread running = thread;
            if (waiting && running != null) {
                running.interrupt();
            }
        }

        void run(boolean unattended) {
            thread = Thread.currentThread();
            ScoringJobSpec spec = job.spec();
            int retries = 0;
            try {
                while (!cancelled) {
                    int attempt = jobs.nextAttempt(runId);
                    try {
                        version(spec);
                        engine.execute(spec, runId);
                        jobs.clearFailure(runId);
                        return;
                    } catch (RuntimeException e) {
                        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        jobs.recordFailure(runId, message.length() > 2_000 ? message.substring(0, 2_000) : message);
                        if (firstFailure == null) {
                            firstFailure = e;
                        }
                        attempted = true;
                        if (closing || Thread.currentThread().isInterrupted() && cancelled) {
                            return;
                        }
                        boolean retry = retriable(e) && retries < spec.operations().retries() && !cancelled;
                        if (unattended || retriable(e) || engine.find(runId).isPresent()) {
                            events.accept(new ScoringRunFailed(job.project(), job.name(), runId, attempt, message, retry, clock.instant()));
                        }
                        if (!retry) {
                            LOG.warn("scoring run '{}' of job '{}' failed on attempt {}: {}", runId, job.name(), attempt, message);
                            return;
                        }
                        Duration delay = spec.operations().retryDelay().multipliedBy(1L << Math.min(retries, 20));
                        LOG.warn("scoring run '{}' of job '{}' failed on attempt {}; retrying in {}: {}", runId, job.name(), attempt, delay, message);
                        retries++;
                        waiting = true;
                        try {
                            sleeper.sleep(delay);
                        } catch (InterruptedException interrupted) {
                            return;
                        } finally {
                            waiting = false;
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("scoring run '{}' of job '{}' could not be tracked", runId, job.name(), e);
            } finally {
                done = true;
                inFlight.remove(job.name(), this);
            }
        }

        /** The run once it is recorded and claimed, or once its first attempt has ended; its refusal when it never was recorded. */
        BatchRun awaitStart() {
            long deadline = System.nanoTime() + START_WAIT.toNanos();
            while (true) {
                Optional<BatchRun> run = engine.find(runId);
                RuntimeException failure = firstFailure;
                if (done || attempted) {
                    if (failure != null && (run.isEmpty() || !retriable(failure))) {
                        throw failure;
                    }
                    if (run.isPresent()) {
                        return run.get();
                    }
                }
                if (run.isPresent() && run.get().status() == BatchRun.Status.RUNNING
                        && (statusBefore.isEmpty() || jobs.startedAt(runId) != startedBefore || statusBefore.get() == BatchRun.Status.RUNNING)) {
                    return run.get();
                }
                if (System.nanoTime() > deadline) {
                    return run.orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "run '" + runId + "' of scoring job '" + job.name()
                            + "' was not recorded within " + START_WAIT.toSeconds() + " s; look for it later"));
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return run.orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "interrupted while starting run '" + runId + "'"));
                }
            }
        }
    }
}
