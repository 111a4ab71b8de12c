package dev.keel.core.data;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The data-collection facade: validate and register specs, run pipelines, and read run history and datasets. */
public final class PipelineService {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineService.class);

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
    private final PipelineSpecParser parser = new PipelineSpecParser();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /** Waits between retries; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Wires the service.
     *
     * @param engines the available engines; a spec picks one by name ({@code duckdb} by default)
     * @param baseDirectory relative source paths in specs resolve against it
     */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, Clock clock, Sleeper sleeper) {
        this(pipelines, runs, datasets, snapshots, engines, secrets, baseDirectory, SourceAccess.confinedTo(baseDirectory), clock,
                sleeper);
    }

    /**
     * Wires the service with what pipelines may reach.
     *
     * @param access the source roots, connections and HTTP hosts an admin allows
     */
    public PipelineService(PipelineRepository pipelines, RunRepository runs, DatasetRepository datasets, SnapshotStore snapshots,
                           List<DataEngine> engines, SecretResolver secrets, Path baseDirectory, SourceAccess access, Clock clock,
                           Sleeper sleeper) {
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
    }

    /**
     * Checks a spec: its structure, what it reaches (source roots, connections, HTTP hosts) and what its engine refuses
     * (SQL outside the sandbox); returns every error with its path, empty when the spec is valid.
     */
    public List<SpecError> validate(String specYaml) {
        PipelineSpecParser.Result result = parser.parse(specYaml);
        if (!result.valid()) {
            return result.errors();
        }
        PipelineSpec spec = result.spec().orElseThrow();
        if (!engines.containsKey(spec.engine())) {
            return List.of(new SpecError("engine", "no engine named '" + spec.engine() + "' is installed; available: "
                    + engines.keySet()));
        }
        List<SpecError> errors = new ArrayList<>(access.check(spec.plan(), baseDirectory));
        engines.get(spec.engine()).check(spec.plan())
                .forEach(problem -> errors.add(new SpecError(problem.path(), problem.message())));
        return errors;
    }

    /**
     * Stores a spec as the next version of its pipeline, or returns the latest version when the text is unchanged.
     *
     * @throws KeelException INVALID_SPEC with every error
     */
    public PipelineVersion register(String specYaml) {
        List<SpecError> errors = validate(specYaml);
        if (!errors.isEmpty()) {
            throw SpecErrors.invalid(errors);
        }
        String name = parser.parseOrThrow(specYaml).name();
        String sha256 = sha256(specYaml);
        synchronized (pipelines) {
            Optional<PipelineVersion> latest = pipelines.latest(name);
            if (latest.isPresent() && latest.get().sha256().equals(sha256)) {
                return latest.get();
            }
            PipelineVersion version = new PipelineVersion(name, latest.map(PipelineVersion::version).orElse(0) + 1, specYaml,
                    sha256, clock.instant());
            pipelines.insert(version);
            return version;
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
     * Runs the latest version of a pipeline now and waits for it. Data and source failures do not throw: they end in a
     * FAILED run that says why.
     *
     * @throws KeelException NOT_FOUND for an unknown pipeline, CONFLICT when it is already running
     */
    public PipelineRun run(String name, Trigger trigger) {
        PipelineVersion version = pipeline(name);
        PipelineSpec spec = parser.parseOrThrow(version.specYaml());
        DataEngine engine = Optional.ofNullable(engines.get(spec.engine())).orElseThrow(() -> new KeelException(
                ErrorCode.INVALID_SPEC, "pipeline '" + name + "' needs engine '" + spec.engine() + "'; available: " + engines.keySet()));
        if (!running.add(name)) {
            throw KeelException.conflict("pipeline '" + name + "' is already running");
        }
        try {
            PipelineRun run = PipelineRun.started(UUID.randomUUID().toString(), version, trigger, clock.instant());
            runs.insert(run);
            return execute(run, version, spec, engine);
        } finally {
            running.remove(name);
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
            List<SpecError> refused = access.check(spec.plan(), baseDirectory);
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
                        access.policy());
                try {
                    result = engine.execute(plan, context);
                } catch (DataEngineException e) {
                    snapshots.discard(staging);
                    if (!e.isTransient() || attempt >= spec.retry().maxAttempts()) {
                        throw e;
                    }
                    Duration wait = spec.retry().backoff(attempt);
                    LOG.warn("pipeline '{}' run {} attempt {} failed ({}); retrying in {}", run.pipeline(), run.id(), attempt,
                            e.getMessage(), wait);
                    runs.update(run);
                    sleeper.sleep(wait);
                }
            }
            RowAccounting books = RowAccounting.of(result);
            List<String> unexplained = RowAccounting.unexplained(result);
            if (!unexplained.isEmpty() || !books.balanced()) {
                throw new KeelException(ErrorCode.INTERNAL, "row accounting does not balance: " + books + "; stages: " + unexplained);
            }
            List<String> published = new ArrayList<>();
            Map<String, String> fingerprints = new LinkedHashMap<>();
            result.stages().stream().filter(stage -> stage.kind() == EngineResult.StageKind.SOURCE)
                    .forEach(stage -> fingerprints.put(stage.name(), stage.fingerprint()));
            for (EngineResult.StagedOutput output : result.outputs()) {
                published.add(publish(output, run, fingerprints).reference());
            }
            if (result.quarantine().isPresent()) {
                published.add(publish(result.quarantine().get(), run, fingerprints).reference());
            }
            snapshots.discard(staging);
            PipelineRun finished = run.finish(RunStatus.SUCCEEDED, clock.instant(), books, result.stages(), result.expectations(),
                    published, Optional.empty());
            runs.update(finished);
            LOG.info("pipeline '{}' run {} succeeded: {}", run.pipeline(), run.id(), books);
            return finished;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(run, result, "interrupted while waiting to retry");
        } catch (DataEngineException e) {
            String where = e.path().isEmpty() ? "" : e.path() + ": ";
            return fail(run, result, e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " error: " + where
                    + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("pipeline '{}' run {} failed", run.pipeline(), run.id(), e);
            return fail(run, result, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            if (staging != null) {
                snapshots.discard(staging);
            }
        }
    }

    private PipelineRun fail(PipelineRun run, EngineResult result, String message) {
        List<EngineResult.StageResult> stages = result == null ? List.of() : result.stages();
        List<EngineResult.ExpectationResult> outcomes = result == null ? List.of() : result.expectations();
        PipelineRun failed = run.finish(RunStatus.FAILED, clock.instant(), result == null ? RowAccounting.empty()
                : RowAccounting.of(result), stages, outcomes, List.of(), Optional.of(message));
        runs.update(failed);
        LOG.warn("pipeline '{}' run {} failed: {}", run.pipeline(), run.id(), message);
        return failed;
    }

    private DatasetVersion publish(EngineResult.StagedOutput output, PipelineRun run, Map<String, String> fingerprints) {
        SnapshotStore.Published file = snapshots.publish(output.file());
        synchronized (datasets) {
            int next = datasets.latest(output.dataset()).map(DatasetVersion::version).orElse(0) + 1;
            DatasetVersion version = new DatasetVersion(output.dataset(), next, file.sha256(), file.location(), output.rows(),
                    file.bytes(), output.profile(), run.pipeline(), run.specVersion(), run.id(), fingerprints, clock.instant());
            datasets.insert(version);
            return version;
        }
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

    /** The verified snapshot file of a dataset version (0 for the latest). */
    public Path snapshotFile(String dataset, int version) {
        DatasetVersion found = dataset(dataset, version);
        return snapshots.open(found.location(), found.sha256());
    }

    /** Up to {@code limit} rows of a dataset version (0 for the latest), read through the engine. */
    public TableData read(String dataset, int version, List<String> columns, long limit) {
        DataEngine engine = engines.values().stream().findFirst()
                .orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, "no data engine is installed"));
        return engine.read(snapshotFile(dataset, version), columns, limit);
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
            runs.update(run.finish(RunStatus.ABANDONED, clock.instant(), run.accounting(), run.stages(), run.expectations(),
                    List.of(), Optional.of("the process stopped during the run; nothing was published by it after the crash")));
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
