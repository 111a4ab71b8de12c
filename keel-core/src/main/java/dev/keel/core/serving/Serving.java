package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.event.EventDispatcher;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.serving.engine.ScoringPool;
import dev.keel.core.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online serving: named endpoints that follow a model alias, with canary and shadow routes, per-endpoint batching and
 * overload limits, timeouts with fallback, circuit breakers, and hot swap when the alias moves.
 *
 * <p>A facade over the parts that do the work: {@link EndpointService} (stored endpoints), {@link RouteTable} (what each
 * endpoint routes to now) and {@link Predictor} (answering a request). Predictions, failures, fallbacks and rejections are
 * published to the process's {@link EventDispatcher}; the route table follows alias moves as a sink of the same dispatcher.
 */
public final class Serving implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Serving.class);

    private final ModelRegistry registry;
    private final ServingSettings settings;
    private final ServingMetrics metrics;
    private final ScoringPool pool;
    private final LoadedModels models;
    private final ServingRecords records;
    private final RouteTable table;
    private final EndpointService endpoints;
    private final Predictor predictor;
    private final ScheduledExecutorService refresher;
    private final EventDispatcher events;
    private final AliasFollower aliasFollower;

    /**
     * @param events the process's dispatcher, the same the registry publishes alias moves to: serving publishes to it and
     *     subscribes its route table, on the promoting thread, so that a promotion has swapped routes when it returns
     */
    public Serving(Database database, ModelRegistry registry, ModelRuntimes runtimes, MeterRegistry meters, ServingSettings settings,
                   Clock clock, EventDispatcher events) {
        Objects.requireNonNull(database, "database");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        this.metrics = new ServingMetrics(Objects.requireNonNull(meters, "meters"));
        this.pool = ScoringPool.start(settings.scoring(), metrics);
        this.models = new LoadedModels(registry, runtimes, settings.runtime(), settings.cachedModels());
        this.records = new ServingRecords(database, 10_000);
        this.table = new RouteTable(registry, models, settings, metrics, clock);
        this.endpoints = new EndpointService(new EndpointRepository(database), registry, table, clock);
        this.predictor = new Predictor(registry, models, pool, metrics, records, events, clock, settings.overload(), settings.shadow());
        this.refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("keel-serving-refresh").daemon(true).factory());
        this.events = Objects.requireNonNull(events, "events");
        this.aliasFollower = new AliasFollower(table);
        events.subscribe(aliasFollower);
    }

    /** Loads every stored endpoint and starts checking the store for changes made elsewhere. */
    public void start() {
        refresh();
        long interval = settings.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refreshQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    // ----- endpoints -----

    /** Creates an endpoint and loads what it routes to; fails (and stores nothing) when a route cannot be resolved or loaded. */
    public Endpoint create(EndpointConfig config, String actor) {
        return endpoints.create(config, actor);
    }

    /** Replaces an endpoint's configuration (not its model); the new routes take effect for new requests at once. */
    public Endpoint update(EndpointConfig config) {
        return endpoints.update(config);
    }

    public List<Endpoint> list() {
        return endpoints.list();
    }

    public Optional<Endpoint> find(String name) {
        return endpoints.find(name);
    }

    /** The project of an endpoint, from memory when it is being served. */
    public Optional<String> project(String name) {
        return table.active(name).map(endpoint -> endpoint.routes().endpoint().project()).or(() -> endpoints.find(name).map(Endpoint::project));
    }

    /** The endpoint, or a 404 naming it. */
    public Endpoint require(String name) {
        return endpoints.require(name);
    }

    /**
     * Switches an endpoint to its fallback version: the version its {@code previous-version} fallback would answer with (the
     * alias's previous holder) becomes what the endpoint serves, pinned by number, so that it no longer follows the alias until
     * a person sets the alias again. Stored like any update; answers the endpoint as it is now. An endpoint pinned already
     * to that version changes nothing.
     *
     * @throws KeelException NOT_FOUND for an unknown endpoint, CONFLICT when the endpoint has no fallback version (its
     *     fallback mode is not previous-version, or the alias has had no other holder)
     */
    public Endpoint pinToFallback(String name) {
        Endpoint endpoint = endpoints.require(name);
        EndpointConfig config = endpoint.config();
        Integer previous = routes(name).get("previous");
        if (previous == null) {
            throw KeelException.conflict("endpoint '" + name + "' has no fallback version to switch to: its fallback is '"
                    + config.fallback().mode().wireName() + "' and '" + config.alias() + "' of model '" + config.model() + "' has no previous "
                    + "holder loaded; a fallback version needs fallback.mode previous-version");
        }
        EndpointConfig pinned = new EndpointConfig(config.name(), config.model(), Integer.toString(previous), config.canary(), config.shadow(),
                config.batching(), config.maxConcurrency(), config.queue(), config.timeoutMillis(), config.fallback(), config.maxRowsPerRequest(),
                config.maxTensorElements());
        return endpoints.update(pinned);
    }

    /** Deletes the endpoint; requests in flight finish, its models close when nothing else routes to them. */
    public void delete(String name) {
        endpoints.delete(name);
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

    /** Whether the endpoint is served as configured, degraded (and why) or down (and why). */
    public EndpointStatus status(String name) {
        return table.status(endpoints.require(name));
    }

    /** The status of every stored endpoint, by name. */
    public Map<String, EndpointStatus> statuses() {
        Map<String, EndpointStatus> statuses = new LinkedHashMap<>();
        endpoints.list().forEach(endpoint -> statuses.put(endpoint.name(), table.status(endpoint)));
        return statuses;
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

    /** Requests, errors, fallbacks, latency and batch sizes of the endpoint, per version, and the state of its circuit breakers. */
    public Map<String, Object> stats(String endpoint) {
        require(endpoint);
        Map<String, Object> stats = new LinkedHashMap<>(metrics.summary(endpoint));
        stats.put("breakers", table.active(endpoint).map(ActiveEndpoint::breakerViews).orElse(Map.of()));
        return stats;
    }

    /** Brings the endpoints in memory in line with the store: new, changed, deleted endpoints and moved aliases. */
    void refresh() {
        table.refresh(endpoints.list());
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("refreshing endpoints failed: {}", e.getMessage());
        }
    }

    private ActiveEndpoint activeEndpoint(String name) {
        return table.active(name).orElseGet(() -> {
            require(name);
            EndpointStatus status = status(name);
            throw new KeelException(ErrorCode.UNAVAILABLE, "endpoint '" + name + "' exists but is not being served: "
                    + String.join("; ", status.problems()), List.of(), Map.of("retryAfterSeconds", 5), null);
        });
    }

    /** True when the endpoint exists in memory and serves. */
    public boolean isServing(String name) {
        return table.active(name).isPresent();
    }

    // ----- prediction -----

    /**
     * Scores through an endpoint.
     *
     * @throws KeelException {@code NOT_FOUND}, {@code INVALID_INPUT} naming every bad field, {@code OVERLOADED} with a retry
     *     delay, or {@code UNAVAILABLE}/{@code INTERNAL} when the model failed and no fallback answered
     */
    public Prediction predict(String name, PredictionInput input, PredictOptions options) {
        return predictor.predict(activeEndpoint(name), input, options);
    }

    /**
     * The endpoint a call by registered-model name goes through: the only endpoint serving the model, or among several the
     * one named like the model; empty when no endpoint serves it.
     *
     * @throws KeelException {@code CONFLICT} naming the endpoints when several serve the model and none is named like it
     */
    public Optional<String> endpointOf(String model) {
        List<String> serving = table.endpointsOf(model);
        if (serving.isEmpty()) {
            return Optional.empty();
        }
        if (serving.size() == 1) {
            return Optional.of(serving.getFirst());
        }
        if (serving.contains(model)) {
            return Optional.of(model);
        }
        throw new KeelException(ErrorCode.CONFLICT, "model '" + model + "' is served by endpoints " + serving + " with different "
                + "limits and routes; call one of them by name (/v2/models/<endpoint>/infer)");
    }

    /**
     * Scores with a registered model called by name: through the endpoint that serves it ({@link #endpointOf}), with that
     * endpoint's limits, canary, shadow, breakers and fallback; a model no endpoint serves is scored under the server's
     * per-model limits ({@code serving.direct}), with {@code options.version()}, else its champion, else its latest version.
     */
    public Prediction predictModel(String model, PredictionInput input, PredictOptions options) {
        Optional<String> endpoint = endpointOf(model);
        if (endpoint.isPresent()) {
            return predict(endpoint.get(), input, options);
        }
        RegisteredModel registered = registry.requireModel(model);
        ModelVersion version = registry.resolve(model, options.version().orElse(registered.aliases().containsKey("champion") ? "champion"
                : "latest"));
        DirectLimits limits = settings.direct();
        return predictor.predictDirect(version, table.direct(model), limits.timeoutMillis(), input, options.requestId());
    }

    /** True when the version is loaded or loads: the model-ready check of the v2 protocol. */
    public boolean ready(String model, String version) {
        return predictor.ready(registry.resolve(model, version));
    }

    @Override
    public void close() {
        events.unsubscribe(aliasFollower);
        refresher.shutdownNow();
        pool.close();
        predictor.close();
        records.close();
        table.close();
        models.close();
    }
}
