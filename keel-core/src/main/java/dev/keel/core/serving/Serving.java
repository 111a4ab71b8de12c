package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.registry.AliasEvent;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.serving.engine.BatchPolicy;
import dev.keel.core.serving.engine.ScoringPool;
import dev.keel.core.serving.engine.ScoringRequest;
import dev.keel.core.serving.engine.ScoringTimeoutException;
import dev.keel.core.store.Database;
import dev.keel.spi.ModelException;
import dev.keel.spi.Tensor;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online serving: named endpoints that follow a model alias, with canary and shadow routes, per-endpoint batching and
 * overload limits, timeouts with fallback, and hot swap when the alias moves.
 *
 * <p>A request holds the loaded version it started on until it is answered, so an alias move sends new requests to the new
 * version while those in flight finish on the old one, which is closed once the last of them is done.
 */
public final class Serving implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Serving.class);
    private static final Map<EndpointConfig.Batching, BatchPolicy> POLICIES = new java.util.concurrent.ConcurrentHashMap<>();

    private final EndpointRepository repository;
    private final ModelRegistry registry;
    private final ServingSettings settings;
    private final Clock clock;
    private final ServingMetrics metrics;
    private final ScoringPool pool;
    private final LoadedModels models;
    private final ServingRecords records;
    private final Map<String, ActiveEndpoint> active = new ConcurrentHashMap<>();
    private final Object routing = new Object();
    private final List<PredictionListener> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.ArrayBlockingQueue<PredictionEvent> events = new java.util.concurrent.ArrayBlockingQueue<>(10_000);
    private final Thread notifier;
    private volatile boolean notifying = true;
    private final AtomicLong droppedEvents = new AtomicLong();
    private final ScheduledExecutorService refresher;
    private final java.util.concurrent.ExecutorService shadowExecutor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    public Serving(Database database, ModelRegistry registry, ModelRuntimes runtimes, MeterRegistry meters, ServingSettings settings,
                   Clock clock) {
        this.repository = new EndpointRepository(Objects.requireNonNull(database, "database"));
        this.registry = Objects.requireNonNull(registry, "registry");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = new ServingMetrics(Objects.requireNonNull(meters, "meters"));
        this.pool = ScoringPool.start(settings.scoring(), metrics);
        this.models = new LoadedModels(registry, runtimes, settings.runtime(), settings.cachedModels());
        this.records = new ServingRecords(database, 10_000);
        this.notifier = Thread.ofPlatform().name("keel-prediction-listeners").daemon(true).start(this::deliverEvents);
        this.refresher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("keel-serving-refresh").daemon(true).factory());
        registry.onAliasMoved(this::aliasMoved);
    }

    /** Loads every stored endpoint and starts checking the store for changes made elsewhere. */
    public void start() {
        refresh();
        long interval = settings.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refreshQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Calls the listener after each prediction, on a separate thread. */
    public void addListener(PredictionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ----- endpoints -----

    /** Creates an endpoint and loads what it routes to; fails (and stores nothing) when a route cannot be resolved or loaded. */
    public Endpoint create(EndpointConfig config, String actor) {
        DefaultResponse.outputs(config.fallback().response(), 1);
        RegisteredModel model = registry.requireModel(config.model());
        Instant now = clock.instant();
        Endpoint endpoint = new Endpoint(config, model.project(), now, actor, now);
        synchronized (routing) {
            if (repository.find(config.name()).isPresent()) {
                throw new KeelException(ErrorCode.ALREADY_EXISTS, "endpoint '" + config.name() + "' exists already");
            }
            Routes routes = buildRoutes(endpoint);
            try {
                repository.insert(endpoint);
            } catch (RuntimeException e) {
                routes.handles().forEach(LoadedModels.Handle::unroute);
                throw e;
            }
            active.put(config.name(), new ActiveEndpoint(routes));
        }
        return endpoint;
    }

    /** Replaces an endpoint's configuration (not its model); the new routes take effect for new requests at once. */
    public Endpoint update(EndpointConfig config) {
        DefaultResponse.outputs(config.fallback().response(), 1);
        synchronized (routing) {
            Endpoint current = require(config.name());
            KeelException.requireArgument(current.config().model().equals(config.model()),
                    "endpoint '%s' serves model '%s'; an endpoint's model cannot change (got '%s'): create another endpoint",
                    config.name(), current.config().model(), config.model());
            Endpoint updated = new Endpoint(config, current.project(), current.createdAt(), current.createdBy(), clock.instant());
            Routes routes = buildRoutes(updated);
            repository.update(updated);
            install(updated, routes);
            return updated;
        }
    }

    public List<Endpoint> list() {
        return repository.list();
    }

    public Optional<Endpoint> find(String name) {
        return repository.find(name);
    }

    /** The project of an endpoint, from memory when it is being served. */
    public Optional<String> project(String name) {
        ActiveEndpoint endpoint = active.get(name);
        return endpoint != null ? Optional.of(endpoint.routes().endpoint().project()) : repository.find(name).map(Endpoint::project);
    }

    /** The endpoint, or a 404 naming it. */
    public Endpoint require(String name) {
        return repository.find(name).orElseThrow(() -> KeelException.notFound("endpoint '" + name + "' does not exist"));
    }

    /** Deletes the endpoint; requests in flight finish, its models close when nothing else routes to them. */
    public void delete(String name) {
        synchronized (routing) {
            if (!repository.delete(name)) {
                throw KeelException.notFound("endpoint '" + name + "' does not exist");
            }
            ActiveEndpoint removed = active.remove(name);
            if (removed != null) {
                removed.routes().handles().forEach(LoadedModels.Handle::unroute);
            }
        }
    }

    /** The versions the endpoint routes to now, by route name. */
    public Map<String, Integer> routes(String name) {
        Routes routes = activeEndpoint(name).routes();
        Map<String, Integer> view = new LinkedHashMap<>();
        view.put("main", routes.main().version().version());
        routes.canary().ifPresent(handle -> view.put("canary", handle.version().version()));
        routes.shadow().ifPresent(handle -> view.put("shadow", handle.version().version()));
        routes.previous().ifPresent(handle -> view.put("previous", handle.version().version()));
        return view;
    }

    /** The version an endpoint's main route serves now. */
    public ModelVersion mainVersion(String name) {
        return activeEndpoint(name).routes().main().version();
    }

    /** Labels ({@code model:version}) of the versions loaded now. */
    public List<String> loadedVersions() {
        return models.loaded();
    }

    public List<FailureRecord> failures(String endpoint, int limit) {
        return records.failures(endpoint, limit);
    }

    public List<ShadowComparison> comparisons(String endpoint, int limit) {
        return records.comparisons(endpoint, limit);
    }

    /** Waits until failure records and comparisons queued so far are stored. */
    public void flushRecords() {
        records.flush();
    }

    /** Requests, errors, fallbacks, latency and batch sizes of the endpoint, per version. */
    public Map<String, Object> stats(String endpoint) {
        require(endpoint);
        return metrics.summary(endpoint);
    }

    // ----- routing -----

    private Routes buildRoutes(Endpoint endpoint) {
        EndpointConfig config = endpoint.config();
        List<LoadedModels.Handle> taken = new ArrayList<>();
        try {
            ModelVersion main = registry.resolve(config.model(), config.alias());
            LoadedModels.Handle mainHandle = take(main, taken);
            Optional<LoadedModels.Handle> canary = Optional.empty();
            if (config.canary().isPresent()) {
                canary = Optional.of(take(registry.resolve(config.model(), config.canary().get().target().reference()), taken));
            }
            Optional<LoadedModels.Handle> shadow = Optional.empty();
            if (config.shadow().isPresent()) {
                shadow = Optional.of(take(registry.resolve(config.model(), config.shadow().get().reference()), taken));
            }
            Optional<LoadedModels.Handle> previous = Optional.empty();
            if (config.fallback().mode().equals("previous-version")) {
                Optional<Integer> before = previousHolder(config.model(), config.alias(), main.version());
                if (before.isPresent()) {
                    previous = Optional.of(take(registry.requireVersion(config.model(), before.get()), taken));
                }
            }
            return new Routes(endpoint, mainHandle, canary, config.canary().map(EndpointConfig.Canary::percent).orElse(0.0), shadow, previous);
        } catch (RuntimeException e) {
            taken.forEach(LoadedModels.Handle::unroute);
            throw e;
        }
    }

    private LoadedModels.Handle take(ModelVersion version, List<LoadedModels.Handle> taken) {
        try {
            LoadedModels.Handle handle = models.route(version);
            taken.add(handle);
            return handle;
        } catch (ModelException e) {
            throw new KeelException(ErrorCode.INVALID_MODEL, "cannot load " + version.label() + ": " + e.getMessage(), e);
        }
    }

    /** The version the alias held before its current holder, replaying promotions and rollbacks as the registry does. */
    private Optional<Integer> previousHolder(String model, String alias, int current) {
        if (alias.matches("\\d+") || alias.equals("latest")) {
            return Optional.empty();
        }
        Deque<Integer> holders = new ArrayDeque<>();
        for (AliasEvent event : registry.history(model, Optional.of(alias))) {
            if (event.action().equals("rollback")) {
                if (!holders.isEmpty()) {
                    holders.pop();
                }
            } else {
                event.toVersion().ifPresent(holders::push);
            }
        }
        if (holders.size() < 2 || holders.peek() != current) {
            return Optional.empty();
        }
        holders.pop();
        return Optional.of(holders.peek());
    }

    /** Installs new routes for an endpoint (keeping its overload guard when its limits did not change) and releases the old. */
    private void install(Endpoint endpoint, Routes routes) {
        ActiveEndpoint current = active.get(endpoint.name());
        Routes old;
        if (current != null && current.sameLimits(endpoint.config())) {
            old = current.swap(routes);
        } else {
            active.put(endpoint.name(), new ActiveEndpoint(routes));
            old = current == null ? null : current.routes();
        }
        if (old != null) {
            old.handles().forEach(LoadedModels.Handle::unroute);
            if (!old.signature().equals(routes.signature())) {
                LOG.info("endpoint {} now routes {} (was {})", endpoint.name(), routes.signature(), old.signature());
            }
        }
    }

    private void aliasMoved(AliasEvent event) {
        synchronized (routing) {
            for (ActiveEndpoint endpoint : active.values()) {
                Endpoint stored = endpoint.routes().endpoint();
                if (stored.config().model().equals(event.model())) {
                    try {
                        Routes routes = buildRoutes(stored);
                        if (routes.signature().equals(endpoint.routes().signature())) {
                            routes.handles().forEach(LoadedModels.Handle::unroute);
                        } else {
                            install(stored, routes);
                        }
                    } catch (RuntimeException e) {
                        LOG.error("endpoint {} keeps its routes: the move of {}@{} could not be applied", stored.name(), event.model(),
                                event.alias(), e);
                    }
                }
            }
        }
    }

    /** Brings the endpoints in memory in line with the store: new, changed, deleted endpoints and moved aliases. */
    void refresh() {
        synchronized (routing) {
            Map<String, Endpoint> stored = new LinkedHashMap<>();
            repository.list().forEach(endpoint -> stored.put(endpoint.name(), endpoint));
            for (String name : List.copyOf(active.keySet())) {
                if (!stored.containsKey(name)) {
                    ActiveEndpoint removed = active.remove(name);
                    removed.routes().handles().forEach(LoadedModels.Handle::unroute);
                }
            }
            for (Endpoint endpoint : stored.values()) {
                try {
                    ActiveEndpoint current = active.get(endpoint.name());
                    Routes routes = buildRoutes(endpoint);
                    if (current != null && current.routes().endpoint().equals(endpoint)
                            && current.routes().signature().equals(routes.signature())) {
                        routes.handles().forEach(LoadedModels.Handle::unroute);
                    } else {
                        install(endpoint, routes);
                    }
                } catch (RuntimeException e) {
                    LOG.error("endpoint {} cannot be served: {}", endpoint.name(), e.getMessage());
                }
            }
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("refreshing endpoints failed: {}", e.getMessage());
        }
    }

    private ActiveEndpoint activeEndpoint(String name) {
        ActiveEndpoint endpoint = active.get(name);
        if (endpoint == null) {
            require(name);
            throw new KeelException(ErrorCode.UNAVAILABLE, "endpoint '" + name + "' exists but is not being served: its model could not be "
                    + "loaded; see the server log", List.of(), Map.of("retryAfterSeconds", 5), null);
        }
        return endpoint;
    }

    /** True when the endpoint exists in memory and serves. */
    public boolean isServing(String name) {
        return active.containsKey(name);
    }

    // ----- prediction -----

    /**
     * Scores through an endpoint.
     *
     * @throws KeelException {@code NOT_FOUND}, {@code INVALID_INPUT} naming every bad field, {@code OVERLOADED} with a retry
     *     delay, or {@code UNAVAILABLE}/{@code INTERNAL} when the model failed and no fallback answered
     */
    public Prediction predict(String name, PredictionInput input, PredictOptions options) {
        long start = System.nanoTime();
        ActiveEndpoint endpoint = activeEndpoint(name);
        EndpointConfig config = endpoint.config();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
        try {
            endpoint.enter(deadline);
        } catch (KeelException e) {
            metrics.refused(name);
            throw e;
        }
        try {
            Chosen chosen = choose(endpoint, config, options);
            try {
                return serve(endpoint, chosen, input, options, start, deadline);
            } finally {
                chosen.handle.release();
            }
        } finally {
            endpoint.exit();
        }
    }

    /** Scores with a version of a registered model directly, without an endpoint ({@code version}: number, alias or latest). */
    public Prediction predictModel(String model, String version, PredictionInput input, String requestId) {
        long start = System.nanoTime();
        ModelVersion resolved = registry.resolve(model, version);
        LoadedModels.Handle handle = models.leaseDirect(resolved);
        try {
            Map<String, Tensor> inputs = encode(handle, input, false);
            Map<String, Tensor> outputs;
            try {
                outputs = score(model, handle, inputs, BatchPolicy.pool(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            } catch (ModelFailure failure) {
                metrics.error(model, resolved.version(), failure.kind);
                throw failure.toException(resolved);
            }
            long nanos = System.nanoTime() - start;
            metrics.request(model, resolved.version(), "success", nanos);
            notify(new PredictionEvent(model, model, resolved.version(), requestId, inputs, outputs, Duration.ofNanos(nanos), clock.instant(),
                    false, false));
            return new Prediction(model, resolved, requestId, outputs, input.rowCount(), "direct", Optional.empty(), Optional.empty(),
                    Duration.ofNanos(nanos));
        } finally {
            handle.release();
        }
    }

    /** True when the version is loaded or loads: the model-ready check of the v2 protocol. */
    public boolean ready(String model, String version) {
        ModelVersion resolved = registry.resolve(model, version);
        LoadedModels.Handle handle;
        try {
            handle = models.leaseDirect(resolved);
        } catch (RuntimeException e) {
            return false;
        }
        handle.release();
        return true;
    }

    private record Chosen(LoadedModels.Handle handle, String route, Routes routes) {
    }

    private Chosen choose(ActiveEndpoint endpoint, EndpointConfig config, PredictOptions options) {
        if (options.version().isPresent()) {
            ModelVersion pinned = registry.resolve(config.model(), options.version().get());
            return new Chosen(models.leaseDirect(pinned), "pinned", endpoint.routes());
        }
        boolean toCanary = false;
        if (endpoint.routes().canary().isPresent()) {
            double percent = endpoint.routes().canaryPercent();
            double draw = options.key().map(Serving::bucket).orElseGet(() -> ThreadLocalRandom.current().nextDouble() * 100);
            toCanary = draw < percent;
        }
        while (true) {
            Routes routes = endpoint.routes();
            boolean canary = toCanary && routes.canary().isPresent();
            LoadedModels.Handle handle = canary ? routes.canary().get() : routes.main();
            if (handle.acquire()) {
                return new Chosen(handle, canary ? "canary" : "main", routes);
            }
            Thread.onSpinWait();
        }
    }

    /** A stable draw in [0, 100) for a request key. */
    static double bucket(String key) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return Long.remainderUnsigned(hash, 10_000) / 100.0;
    }

    private Prediction serve(ActiveEndpoint endpoint, Chosen chosen, PredictionInput input, PredictOptions options, long start,
                             long deadline) {
        EndpointConfig config = chosen.routes.endpoint().config();
        String name = config.name();
        ModelVersion version = chosen.handle.version();
        Map<String, Tensor> inputs;
        try {
            inputs = encode(chosen.handle, input, false);
        } catch (KeelException e) {
            metrics.request(name, version.version(), "invalid", -1);
            throw e;
        }
        BatchPolicy policy = policy(config);
        Map<String, Tensor> outputs;
        try {
            outputs = score(name, chosen.handle, inputs, policy, deadline);
        } catch (ModelFailure failure) {
            return fallback(endpoint, chosen, input, options, failure, start);
        } catch (KeelException e) {
            metrics.request(name, version.version(), e.code() == ErrorCode.OVERLOADED ? "rejected" : "error", -1);
            throw e;
        }
        long nanos = System.nanoTime() - start;
        metrics.request(name, version.version(), "success", nanos);
        Instant at = clock.instant();
        notify(new PredictionEvent(name, config.model(), version.version(), options.requestId(), inputs, outputs, Duration.ofNanos(nanos), at,
                false, false));
        chosen.routes.shadow().filter(shadow -> shadow != chosen.handle)
                .ifPresent(shadow -> shadow(endpoint, shadow, input, inputs, version, outputs, options.requestId(), policy));
        return new Prediction(name, version, options.requestId(), outputs, input.rowCount(), chosen.route, Optional.empty(), Optional.empty(),
                Duration.ofNanos(nanos));
    }

    /** The scoring pool's policy for an endpoint's batching settings; made once per distinct setting, not per request. */
    private static BatchPolicy policy(EndpointConfig config) {
        return POLICIES.computeIfAbsent(config.batching(), batching -> batching.enabled()
                ? new BatchPolicy(true, batching.maxBatchSize(), Optional.of(Duration.ofMillis(batching.maxDelayMillis())))
                : BatchPolicy.off());
    }

    private static Map<String, Tensor> encode(LoadedModels.Handle handle, PredictionInput input, boolean lenient) {
        return switch (input) {
            case PredictionInput.Records records -> handle.layout().encode(records.rows(), lenient);
            case PredictionInput.Tensors tensors -> {
                handle.layout().check(tensors.tensors());
                yield tensors.tensors();
            }
        };
    }

    /** A model that failed or ran out of time; the request may still be answered by a fallback. */
    private static final class ModelFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String kind;

        ModelFailure(String kind, String message, Throwable cause) {
            super(message, cause, false, false);
            this.kind = kind;
        }

        KeelException toException(ModelVersion version) {
            return kind.equals("timeout")
                    ? new KeelException(ErrorCode.UNAVAILABLE, getMessage(), List.of(), Map.of("retryAfterSeconds", 1), getCause())
                    : new KeelException(ErrorCode.INTERNAL, "model " + version.label() + " failed: " + getMessage(), getCause());
        }
    }

    private Map<String, Tensor> score(String endpoint, LoadedModels.Handle handle, Map<String, Tensor> inputs, BatchPolicy policy,
                                      long deadline) throws ModelFailure {
        ModelVersion version = handle.version();
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new ModelFailure("timeout", "model " + version.label() + " was not reached before the endpoint's timeout", null);
        }
        CompletableFuture<Map<String, Tensor>> answer = pool.submit(
                new ScoringRequest(ServingMetrics.scoringKey(endpoint, version.label()), handle.model(), inputs, policy),
                Duration.ofNanos(remaining));
        try {
            return answer.get();
        } catch (InterruptedException e) {
            answer.cancel(false);
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.UNAVAILABLE, "interrupted while scoring " + version.label());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ScoringTimeoutException timeout) {
                throw new ModelFailure("timeout", timeout.getMessage(), timeout);
            }
            if (cause instanceof ModelException model && model.badInput()) {
                throw new KeelException(ErrorCode.INVALID_INPUT, "model " + version.label() + " refused the inputs: " + model.getMessage(), model);
            }
            if (cause instanceof KeelException keel && keel.code() != ErrorCode.INTERNAL) {
                throw keel;
            }
            throw new ModelFailure("error", String.valueOf(cause.getMessage()), cause);
        }
    }

    private Prediction fallback(ActiveEndpoint endpoint, Chosen chosen, PredictionInput input, PredictOptions options, ModelFailure failure,
                                long start) {
        EndpointConfig config = chosen.routes.endpoint().config();
        String name = config.name();
        ModelVersion failed = chosen.handle.version();
        metrics.error(name, failed.version(), failure.kind);
        String mode = config.fallback().mode();
        Optional<Prediction> answer = Optional.empty();
        if (mode.equals("previous-version")) {
            Optional<LoadedModels.Handle> target = chosen.route.equals("main") ? chosen.routes.previous() : Optional.of(chosen.routes.main());
            answer = target.filter(handle -> handle != chosen.handle).flatMap(handle -> answerWith(handle, chosen, input, options, start));
        } else if (mode.equals("default-response")) {
            Map<String, Tensor> outputs = DefaultResponse.outputs(config.fallback().response(), input.rowCount());
            long nanos = System.nanoTime() - start;
            answer = Optional.of(new Prediction(name, failed, options.requestId(), outputs, input.rowCount(), chosen.route,
                    Optional.of(mode), Optional.of(failed.version()), Duration.ofNanos(nanos)));
        }
        String used = answer.isPresent() ? mode : "none";
        records.failure(new FailureRecord(UUID.randomUUID().toString(), name, config.model(), failed.version(), options.requestId(),
                failure.kind, failure.getMessage(), used, clock.instant()));
        if (answer.isEmpty()) {
            metrics.request(name, failed.version(), "error", -1);
            throw failure.toException(failed);
        }
        Prediction prediction = answer.get();
        metrics.fallback(name, failed.version(), mode);
        metrics.request(name, prediction.version().version(), "fallback", prediction.latency().toNanos());
        notify(new PredictionEvent(name, config.model(), prediction.version().version(), options.requestId(), Map.of(), prediction.outputs(),
                prediction.latency(), clock.instant(), true, false));
        return prediction;
    }

    private Optional<Prediction> answerWith(LoadedModels.Handle handle, Chosen chosen, PredictionInput input, PredictOptions options,
                                            long start) {
        if (!handle.acquire()) {
            return Optional.empty();
        }
        try {
            EndpointConfig config = chosen.routes.endpoint().config();
            Map<String, Tensor> inputs = encode(handle, input, true);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
            Map<String, Tensor> outputs = score(config.name(), handle, inputs, policy(config), deadline);
            return Optional.of(new Prediction(config.name(), handle.version(), options.requestId(), outputs, input.rowCount(), chosen.route,
                    Optional.of("previous-version"), Optional.of(chosen.handle.version().version()), Duration.ofNanos(System.nanoTime() - start)));
        } catch (ModelFailure | KeelException e) {
            LOG.warn("fallback to {} failed too: {}", handle.version().label(), e.getMessage());
            return Optional.empty();
        } finally {
            handle.release();
        }
    }

    private void shadow(ActiveEndpoint endpoint, LoadedModels.Handle shadow, PredictionInput input, Map<String, Tensor> mainInputs,
                        ModelVersion mainVersion, Map<String, Tensor> mainOutputs, String requestId, BatchPolicy policy) {
        String name = endpoint.config().name();
        if (!endpoint.enterShadow()) {
            metrics.shadow(name, shadow.version().version(), "skipped");
            return;
        }
        if (!shadow.acquire()) {
            endpoint.exitShadow();
            return;
        }
        long start = System.nanoTime();
        ModelVersion version = shadow.version();
        CompletableFuture<Map<String, Tensor>> answer;
        Map<String, Tensor> inputs;
        try {
            inputs = encode(shadow, input, true);
            answer = pool.submit(new ScoringRequest(ServingMetrics.scoringKey(name, version.label()), shadow.model(), inputs, policy),
                    Duration.ofMillis(endpoint.config().timeoutMillis()));
        } catch (RuntimeException e) {
            shadow.release();
            endpoint.exitShadow();
            metrics.shadow(name, version.version(), "error");
            compare(name, mainVersion, version, mainOutputs, Optional.empty(), Optional.of(e.getMessage()), requestId);
            return;
        }
        answer.whenCompleteAsync((outputs, failure) -> {
            try {
                if (failure == null) {
                    metrics.shadow(name, version.version(), "success");
                    compare(name, mainVersion, version, mainOutputs, Optional.of(outputs), Optional.empty(), requestId);
                    notify(new PredictionEvent(name, version.model(), version.version(), requestId, inputs, outputs,
                            Duration.ofNanos(System.nanoTime() - start), clock.instant(), false, true));
                } else {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
                    metrics.shadow(name, version.version(), "error");
                    compare(name, mainVersion, version, mainOutputs, Optional.empty(), Optional.of(String.valueOf(cause.getMessage())), requestId);
                }
            } finally {
                shadow.release();
                endpoint.exitShadow();
            }
        }, shadowExecutor);
    }

    private void compare(String endpoint, ModelVersion main, ModelVersion shadow, Map<String, Tensor> mainOutputs,
                         Optional<Map<String, Tensor>> shadowOutputs, Optional<String> error, String requestId) {
        records.comparison(new ShadowComparison(UUID.randomUUID().toString(), endpoint, main.model(), requestId, main.version(),
                shadow.version(), Json.write(view(mainOutputs)), shadowOutputs.map(outputs -> Json.write(view(outputs))), error,
                clock.instant()));
    }

    private static Map<String, Object> view(Map<String, Tensor> outputs) {
        Map<String, Object> view = new java.util.TreeMap<>();
        outputs.forEach((name, tensor) -> view.put(name, TensorValues.nested(tensor)));
        return view;
    }

    private void notify(PredictionEvent event) {
        if (listeners.isEmpty()) {
            return;
        }
        boolean queued = false;
        for (PredictionListener listener : listeners) {
            if (listener.onRequestThread()) {
                listener.onPrediction(event);
            } else if (!queued) {
                queued = true;
                if (!events.offer(event)) {
                    droppedEvents.incrementAndGet();
                }
            }
        }
    }

    /**
     * Hands queued events to the listeners every few milliseconds. Sleeping between looks, rather than waiting on the
     * queue, means a prediction never wakes this thread: serving pays one queue insert per answer.
     */
    private void deliverEvents() {
        List<PredictionEvent> batch = new ArrayList<>();
        while (notifying || !events.isEmpty()) {
            events.drainTo(batch, 1_000);
            if (batch.isEmpty()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            for (PredictionEvent event : batch) {
                for (PredictionListener listener : listeners) {
                    if (listener.onRequestThread()) {
                        continue;
                    }
                    try {
                        listener.onPrediction(event);
                    } catch (RuntimeException e) {
                        LOG.warn("prediction listener {} failed", listener, e);
                    }
                }
            }
            batch.clear();
        }
    }

    /** Prediction events dropped because listeners fell behind. */
    public long droppedEvents() {
        return droppedEvents.get();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        pool.close();
        shadowExecutor.close();
        notifying = false;
        try {
            notifier.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        records.close();
        synchronized (routing) {
            active.clear();
        }
        models.close();
    }
}
