package dev.keel.core.training;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.serving.Endpoint;
import dev.keel.core.serving.EndpointConfig;
import dev.keel.core.serving.Serving;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.PredictionMade;
import dev.keel.spi.event.RolloutAborted;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progressive rollouts, the analysis of Flagger and Argo Rollouts built in: a new version takes a canary share of an endpoint
 * while Keel counts its answers, errors and latencies from the prediction events; once it has answered the declared number of
 * requests (or the declared time has passed) it takes the alias and the canary is removed, or, when its error rate or p99
 * latency broke a limit (or, once enough of both sides' answers have labels, its accuracy fell too far below the stable
 * version's over the same period), the canary is removed, the alias stays and a {@code rollout.aborted} incident is raised with the reason.
 * A rollout that cannot reach its limits any more (too many errors already) is aborted at once. A rollout running when the
 * server stopped is aborted at the next start.
 */
public final class Rollouts implements EventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    private static final int LATENCY_SAMPLES = 10_000;
    /** The most answers per side of a rollout whose predicted class is kept for the accuracy check. */
    private static final int PREDICTED_PER_SIDE = 50_000;
    private final TrainingStore store;
    private final ModelRegistry registry;
    private final Serving serving;
    private final EventSink events;
    private final Clock clock;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final LabelLookup labels;
    private final Map<String, List<String>> classesOfVersion = new ConcurrentHashMap<>();

    /** The ground-truth labels that arrived for these request ids in a project (absent ids have none yet). */
    @FunctionalInterface
    public interface LabelLookup {
        Map<String, String> labels(String project, java.util.Collection<String> requestIds);
    }
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("keel-rollouts").daemon()
            .factory());

    /** What Keel has seen of one running rollout. */
    private static final class Watch {
        final RolloutRecord rollout;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final long[] latencyNanos = new long[LATENCY_SAMPLES];
        final AtomicLong latencyCount = new AtomicLong();
        /** Request id (with {@code /row} for a row of a batch) to the class each side predicted, for the accuracy check. */
        final Map<String, String> canaryPredicted = new ConcurrentHashMap<>();
        final Map<String, String> stablePredicted = new ConcurrentHashMap<>();

        Watch(RolloutRecord rollout) {
            this.rollout = rollout;
        }

        void latency(Duration latency) {
            long n = latencyCount.getAndIncrement();
            if (n < LATENCY_SAMPLES) {
                latencyNanos[(int) n] = latency.toNanos();
            }
        }

        double p99Millis() {
            int n = (int) Math.min(latencyCount.get(), LATENCY_SAMPLES);
            if (n == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(latencyNanos, n);
            Arrays.sort(sorted);
            return sorted[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)] / 1e6;
        }
    }

    /** Rollouts whose accuracy is checked against the labels {@code labels} finds. */
    public Rollouts(TrainingStore store, ModelRegistry registry, Serving serving, EventSink events, Clock clock, Duration checkEvery,
                    LabelLookup labels) {
        this.labels = Objects.requireNonNull(labels, "labels");
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.serving = Objects.requireNonNull(serving, "serving");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        long every = checkEvery.toMillis();
        ticker.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Gives the version its canary share of the endpoint and starts watching it.
     *
     * @throws KeelException CONFLICT when the endpoint does not serve the model or has a canary already
     */
    public RolloutRecord begin(String model, String project, int version, String alias, Optional<String> runId, TrainingSpec.Rollout settings) {
        Endpoint endpoint = serving.require(settings.endpoint());
        EndpointConfig config = endpoint.config();
        if (!config.model().equals(model)) {
            throw new KeelException(ErrorCode.CONFLICT, "endpoint '" + settings.endpoint() + "' serves model '" + config.model() + "', not '" + model + "'");
        }
        if (config.canary().isPresent()) {
            throw new KeelException(ErrorCode.CONFLICT, "endpoint '" + settings.endpoint() + "' has a canary already");
        }
        registry.requireVersion(model, version);
        RolloutRecord rollout = new RolloutRecord(UUID.randomUUID().toString(), model, project, settings.endpoint(), version, alias, runId,
                RolloutRecord.Status.RUNNING, settings, clock.instant(), Optional.empty(), 0, 0, Optional.empty());
        store.insertRollout(rollout);
        watches.put(rollout.id(), new Watch(rollout));
        try {
            serving.update(withCanary(config, Optional.of(new EndpointConfig.Canary(EndpointConfig.Target.version(version), settings.percent()))));
        } catch (RuntimeException e) {
            watches.remove(rollout.id());
            store.finishRollout(rollout.id(), RolloutRecord.Status.ABORTED, clock.instant(), 0, 0, "the canary could not be set: " + e.getMessage());
            throw e;
        }
        return rollout;
    }

    public Optional<RolloutRecord> find(String id) {
        return store.rollout(id);
    }

    public List<RolloutRecord> list(String model, int limit) {
        return store.rollouts(model, limit);
    }

    /** Live counts of a running rollout: requests, errors, p99 latency (ms). */
    public Optional<Map<String, Object>> progress(String id) {
        Watch watch = watches.get(id);
        if (watch == null) {
            return Optional.empty();
        }
        return Optional.of(Map.of("requests", watch.requests.get(), "errors", watch.errors.get(), "latency_p99_ms", watch.p99Millis()));
    }

    /** Aborts rollouts a restart cut off: their canary is removed and the alias stays. */
    void recover() {
        for (RolloutRecord rollout : store.runningRollouts()) {
            abort(new Watch(rollout), "the server restarted during the rollout; the canary was removed and the alias stayed");
        }
    }

    @Override
    public boolean wants(Class<? extends KeelEvent> kind) {
        return kind == PredictionMade.class || kind == ModelFailed.class;
    }

    @Override
    public void accept(KeelEvent event) {
        if (watches.isEmpty()) {
            return;
        }
        switch (event) {
            case PredictionMade made when made.source() == PredictionMade.Source.MODEL -> {
                for (Watch watch : watches.values()) {
                    if (!watch.rollout.endpoint().equals(made.endpoint()) || !watch.rollout.model().equals(made.model())) {
                        continue;
                    }
                    boolean canary = watch.rollout.version() == made.version();
                    if (canary) {
                        watch.requests.incrementAndGet();
                        watch.latency(made.latency());
                    }
                    remember(canary ? watch.canaryPredicted : watch.stablePredicted, made);
                }
            }
            case ModelFailed failed -> {
                for (Watch watch : watches.values()) {
                    if (watch.rollout.endpoint().equals(failed.endpoint()) && watch.rollout.version() == failed.version()) {
                        watch.requests.incrementAndGet();
                        watch.errors.incrementAndGet();
                    }
                }
            }
            default -> {
            }
        }
    }

    /** Decides every running rollout that has seen enough. */
    void check() {
        for (Watch watch : List.copyOf(watches.values())) {
            try {
                decide(watch);
            } catch (RuntimeException e) {
                LOG.warn("rollout {} could not be decided", watch.rollout.id(), e);
            }
        }
    }

    private void decide(Watch watch) {
        TrainingSpec.Rollout settings = watch.rollout.settings();
        long requests = watch.requests.get();
        long errors = watch.errors.get();
        long allowedErrors = (long) Math.floor(settings.maxErrorRate() * settings.requests());
        if (errors > allowedErrors) {
            abort(watch, errors + " of " + requests + " canary requests failed, more than the " + percent(settings.maxErrorRate())
                    + " allowed of " + settings.requests());
            return;
        }
        boolean served = requests >= settings.requests();
        boolean expired = !clock.instant().isBefore(watch.rollout.startedAt().plus(settings.duration()));
        if (!served && !expired) {
            return;
        }
        if (requests == 0) {
            abort(watch, "no request reached the canary within " + settings.duration());
            return;
        }
        double errorRate = (double) errors / requests;
        if (errorRate > settings.maxErrorRate()) {
            abort(watch, "error rate " + percent(errorRate) + " over " + requests + " requests is above the limit " + percent(settings.maxErrorRate()));
            return;
        }
        double p99 = watch.p99Millis();
        if (settings.maxLatencyP99().isPresent() && p99 > settings.maxLatencyP99().get().toNanos() / 1e6) {
            abort(watch, String.format(java.util.Locale.ROOT, "p99 latency %.2f ms over %d requests is above the limit %s", p99, requests,
                    settings.maxLatencyP99().get()));
            return;
        }
        Accuracy accuracy = accuracy(watch);
        if (accuracy.compared() && accuracy.canary() < accuracy.stable() - settings.maxAccuracyDrop()) {
            abort(watch, String.format(java.util.Locale.ROOT, "accuracy %.4f on %d labelled canary answers is more than %.4f below the stable"
                    + " version's %.4f on %d", accuracy.canary(), accuracy.canaryRows(), settings.maxAccuracyDrop(), accuracy.stable(),
                    accuracy.stableRows()));
            return;
        }
        String reason = String.format(java.util.Locale.ROOT, "rollout %s passed: %d canary requests, %d errors, p99 %.2f ms, %s", watch.rollout.id(),
                requests, errors, p99, accuracy.describe(settings.minLabels()));
        try {
            registry.promote(watch.rollout.model(), watch.rollout.alias(), watch.rollout.version(), reason, "keel:rollout");
        } catch (KeelException e) {
            abort(watch, "the promotion was refused: " + e.getMessage());
            return;
        }
        removeCanary(watch.rollout);
        watches.remove(watch.rollout.id());
        store.finishRollout(watch.rollout.id(), RolloutRecord.Status.PROMOTED, clock.instant(), requests, errors, reason);
        LOG.info("{}", reason);
    }

    /** Canary and stable accuracy on the answers whose labels arrived. */
    private record Accuracy(double canary, int canaryRows, double stable, int stableRows, int minLabels) {
        boolean compared() {
            return canaryRows >= minLabels && stableRows >= minLabels;
        }

        String describe(int needed) {
            if (!compared()) {
                return "accuracy not compared (" + canaryRows + " canary and " + stableRows + " stable answers have labels; " + needed + " needed)";
            }
            return String.format(java.util.Locale.ROOT, "accuracy %.4f on %d labelled answers vs stable %.4f on %d", canary, canaryRows, stable,
                    stableRows);
        }
    }

    private Accuracy accuracy(Watch watch) {
        int minLabels = watch.rollout.settings().minLabels();
        if (watch.canaryPredicted.isEmpty() || watch.stablePredicted.isEmpty()) {
            return new Accuracy(Double.NaN, 0, Double.NaN, 0, minLabels);
        }
        List<String> ids = new java.util.ArrayList<>(watch.canaryPredicted.keySet());
        ids.addAll(watch.stablePredicted.keySet());
        Map<String, String> truth = labels.labels(watch.rollout.project(), ids);
        int[] canary = count(watch.canaryPredicted, truth);
        int[] stable = count(watch.stablePredicted, truth);
        return new Accuracy(canary[1] == 0 ? Double.NaN : (double) canary[0] / canary[1], canary[1],
                stable[1] == 0 ? Double.NaN : (double) stable[0] / stable[1], stable[1], minLabels);
    }

    /** {correct, labelled} of one side's predictions. */
    private static int[] count(Map<String, String> predicted, Map<String, String> truth) {
        int correct = 0;
        int labelled = 0;
        for (var entry : predicted.entrySet()) {
            String actual = truth.get(entry.getKey());
            if (actual != null) {
                labelled++;
                correct += actual.equals(entry.getValue()) ? 1 : 0;
            }
        }
        return new int[] {correct, labelled};
    }

    /** Keeps the class a prediction chose per row: the argmax of its {@code probabilities} in the version's class order. */
    private void remember(Map<String, String> predicted, PredictionMade made) {
        if (predicted.size() >= PREDICTED_PER_SIDE) {
            return;
        }
        dev.keel.spi.Tensor probabilities = made.outputs().get("probabilities");
        if (probabilities == null || probabilities.rank() != 2) {
            return;
        }
        List<String> classes = classesOfVersion.computeIfAbsent(made.model() + ":" + made.version(), key -> registry.findModel(made.model())
                .flatMap(model -> java.util.Optional.ofNullable(registry.requireVersion(made.model(), made.version()).tags().get(Training.CLASSES_TAG)))
                .map(tag -> List.of(tag.split(",", -1))).orElse(List.of()));
        int rows = (int) probabilities.dimension(0);
        int width = (int) probabilities.dimension(1);
        if (classes.size() != width) {
            return;
        }
        for (int row = 0; row < rows; row++) {
            int best = 0;
            for (int column = 1; column < width; column++) {
                if (probabilities.doubleAt(row * width + column) > probabilities.doubleAt(row * width + best)) {
                    best = column;
                }
            }
            predicted.put(rows == 1 ? made.requestId() : made.requestId() + "/" + row, classes.get(best));
        }
    }

    private void abort(Watch watch, String reason) {
        watches.remove(watch.rollout.id());
        removeCanary(watch.rollout);
        if (store.finishRollout(watch.rollout.id(), RolloutRecord.Status.ABORTED, clock.instant(), watch.requests.get(), watch.errors.get(), reason)) {
            events.accept(new RolloutAborted(watch.rollout.project(), watch.rollout.endpoint(), watch.rollout.model(), watch.rollout.version(),
                    reason, clock.instant()));
            LOG.warn("rollout {} of {}:{} aborted: {}", watch.rollout.id(), watch.rollout.model(), watch.rollout.version(), reason);
        }
    }

    private void removeCanary(RolloutRecord rollout) {
        Optional<Endpoint> endpoint = serving.find(rollout.endpoint());
        if (endpoint.isEmpty()) {
            return;
        }
        EndpointConfig config = endpoint.get().config();
        boolean ours = config.canary().flatMap(canary -> canary.target().version()).filter(version -> version == rollout.version()).isPresent();
        if (ours) {
            serving.update(withCanary(config, Optional.empty()));
        }
    }

    private static EndpointConfig withCanary(EndpointConfig config, Optional<EndpointConfig.Canary> canary) {
        return new EndpointConfig(config.name(), config.model(), config.alias(), canary, config.shadow(), config.batching(), config.maxConcurrency(),
                config.queue(), config.timeoutMillis(), config.fallback(), config.maxRowsPerRequest(), config.maxTensorElements());
    }

    private static String percent(double rate) {
        return String.format(java.util.Locale.ROOT, "%.2f %%", rate * 100);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
