package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.AliasHolders;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.ModelException;
import dev.keel.spi.event.AliasMoved;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints being served and what each routes to: builds routes from the registry (following aliases, loading versions),
 * swaps them when an alias moves or an endpoint changes, and keeps why an endpoint is degraded or down.
 *
 * <p>Routes are built two ways. For a create or an update, exactly as configured: any route that cannot be resolved or
 * loaded fails the change. On start, refresh and alias moves, as well as can be served: when the alias's version cannot be
 * loaded and the fallback is {@code previous-version}, the alias's previous holder stands in for it; a canary or shadow that
 * cannot be loaded is left out. Each such problem is kept and shown in the endpoint's status.
 */
final class RouteTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);

    private final ModelRegistry registry;
    private final LoadedModels models;
    private final ServingSettings settings;
    private final ServingMetrics metrics;
    private final Clock clock;
    private final Map<String, ActiveEndpoint> active = new ConcurrentHashMap<>();
    private final Map<String, Endpoint> known = new ConcurrentHashMap<>();
    private final Map<String, List<String>> failedBuilds = new ConcurrentHashMap<>();
    private final Map<String, Admission> direct = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    private enum Build { EXACT, SERVABLE }

    RouteTable(ModelRegistry registry, LoadedModels models, ServingSettings settings, ServingMetrics metrics, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.models = Objects.requireNonNull(models, "models");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Runs a change of the table (and of the store, by the caller) while no other change runs. */
    <T> T locked(Supplier<T> change) {
        synchronized (lock) {
            return change.get();
        }
    }

    /** Routes exactly as configured; fails with the reason when a route cannot be resolved or loaded. */
    Routes buildExactly(Endpoint endpoint) {
        return build(endpoint, Build.EXACT);
    }

    /** Routes as well as they can be served; fails only when no version may answer for the endpoint. */
    Routes buildServable(Endpoint endpoint) {
        return build(endpoint, Build.SERVABLE);
    }

    private Routes build(Endpoint endpoint, Build mode) {
        EndpointConfig config = endpoint.config();
        List<LoadedModels.Handle> taken = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try {
            ModelVersion target = registry.resolve(config.model(), config.alias());
            Optional<Integer> before = config.fallback().mode() == FallbackMode.PREVIOUS_VERSION
                    ? previousHolder(config.model(), config.alias(), target.version()) : Optional.empty();
            LoadedModels.Handle main;
            Optional<Integer> standInFor = Optional.empty();
            try {
                main = take(target, config.alias(), taken);
            } catch (KeelException e) {
                if (mode == Build.EXACT || before.isEmpty()) {
                    throw e;
                }
                ModelVersion standIn = registry.requireVersion(config.model(), before.get());
                main = take(standIn, config.alias(), taken);
                standInFor = Optional.of(target.version());
                problems.add(e.getMessage() + "; " + standIn.label() + ", the previous holder of '" + config.alias() + "', serves in its place");
                before = Optional.empty();
            }
            Optional<LoadedModels.Handle> previous = Optional.empty();
            if (before.isPresent()) {
                previous = optional("the previous-version fallback", registry.requireVersion(config.model(), before.get()), config.alias(), taken,
                        mode, problems);
            }
            Optional<LoadedModels.Handle> canary = Optional.empty();
            if (config.canary().isPresent()) {
                canary = optional("the canary", config.model(), config.canary().get().target().reference(), config.alias(), taken, mode, problems);
            }
            Optional<LoadedModels.Handle> shadow = Optional.empty();
            if (config.shadow().isPresent()) {
                shadow = optional("the shadow", config.model(), config.shadow().get().reference(), config.alias(), taken, mode, problems);
            }
            return new Routes(endpoint, main, canary, config.canary().map(EndpointConfig.Canary::percent).orElse(0.0), shadow, previous,
                    standInFor, problems);
        } catch (RuntimeException e) {
            taken.forEach(LoadedModels.Handle::unroute);
            throw e;
        }
    }

    private Optional<LoadedModels.Handle> optional(String role, String model, String reference, String servedFor, List<LoadedModels.Handle> taken,
                                                   Build mode, List<String> problems) {
        ModelVersion version;
        try {
            version = registry.resolve(model, reference);
        } catch (KeelException e) {
            if (mode == Build.EXACT) {
                throw e;
            }
            problems.add(role + " is not served: " + e.getMessage());
            return Optional.empty();
        }
        return optional(role, version, servedFor, taken, mode, problems);
    }

    private Optional<LoadedModels.Handle> optional(String role, ModelVersion version, String servedFor, List<LoadedModels.Handle> taken, Build mode,
                                                   List<String> problems) {
        try {
            return Optional.of(take(version, servedFor, taken));
        } catch (KeelException e) {
            if (mode == Build.EXACT) {
                throw e;
            }
            problems.add(role + " is not served: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Routes the version for an endpoint of the alias {@code servedFor}: a version answers for that alias, so its signature rule holds. */
    private LoadedModels.Handle take(ModelVersion version, String servedFor, List<LoadedModels.Handle> taken) {
        try {
            LoadedModels.Handle handle = models.route(version, servedFor);
            taken.add(handle);
            return handle;
        } catch (ModelException e) {
            throw new KeelException(ErrorCode.INVALID_MODEL, "cannot load " + version.label() + ": " + e.getMessage(), e);
        }
    }

    /** The version the alias held before {@code current}, when the alias holds {@code current} now. */
    private Optional<Integer> previousHolder(String model, String alias, int current) {
        if (alias.matches("\\d+") || alias.equals("latest")) {
            return Optional.empty();
        }
        AliasHolders holders = registry.holders(model, alias);
        if (!holders.current().equals(Optional.of(current))) {
            return Optional.empty();
        }
        return holders.previous();
    }

    /** Serves a new endpoint with routes built for it. */
    void add(Endpoint endpoint, Routes routes) {
        known.put(endpoint.name(), endpoint);
        failedBuilds.remove(endpoint.name());
        active.put(endpoint.name(), new ActiveEndpoint(routes, settings.breaker(), clock, metrics));
    }

    /** Installs new routes for an endpoint (keeping its overload guard when its limits did not change) and releases the old. */
    void install(Endpoint endpoint, Routes routes) {
        known.put(endpoint.name(), endpoint);
        failedBuilds.remove(endpoint.name());
        ActiveEndpoint current = active.get(endpoint.name());
        Routes old;
        if (current == null) {
            active.put(endpoint.name(), new ActiveEndpoint(routes, settings.breaker(), clock, metrics));
            old = null;
        } else if (current.sameLimits(endpoint.config())) {
            old = current.swap(routes);
        } else {
            active.put(endpoint.name(), current.withLimits(routes));
            old = current.routes();
        }
        if (old != null) {
            old.handles().forEach(LoadedModels.Handle::unroute);
            if (!old.signature().equals(routes.signature())) {
                LOG.info("endpoint {} now routes {} (was {})", endpoint.name(), routes.signature(), old.signature());
            }
        }
        if (!routes.problems().isEmpty()) {
            LOG.warn("endpoint {} is degraded: {}", endpoint.name(), routes.problems());
        }
    }

    /** Stops serving an endpoint; requests in flight finish, its models close when nothing else routes to them. */
    void remove(String name) {
        known.remove(name);
        failedBuilds.remove(name);
        ActiveEndpoint removed = active.remove(name);
        if (removed != null) {
            removed.routes().handles().forEach(LoadedModels.Handle::unroute);
        }
    }

    /** Rebuilds the routes of every endpoint of the moved alias's model. */
    void aliasMoved(AliasMoved event) {
        synchronized (lock) {
            for (ActiveEndpoint endpoint : active.values()) {
                Endpoint stored = endpoint.routes().endpoint();
                if (stored.config().model().equals(event.model())) {
                    rebuild(stored, endpoint);
                }
            }
        }
    }

    /** Brings the endpoints in memory in line with the store: new, changed, deleted endpoints and moved aliases. */
    void refresh(List<Endpoint> stored) {
        synchronized (lock) {
            Map<String, Endpoint> byName = new LinkedHashMap<>();
            stored.forEach(endpoint -> byName.put(endpoint.name(), endpoint));
            for (String name : List.copyOf(known.keySet())) {
                if (!byName.containsKey(name)) {
                    remove(name);
                }
            }
            for (String name : List.copyOf(active.keySet())) {
                if (!byName.containsKey(name)) {
                    remove(name);
                }
            }
            for (Endpoint endpoint : byName.values()) {
                known.put(endpoint.name(), endpoint);
                rebuild(endpoint, active.get(endpoint.name()));
            }
        }
    }

    private void rebuild(Endpoint endpoint, ActiveEndpoint current) {
        Routes routes;
        try {
            routes = buildServable(endpoint);
        } catch (RuntimeException e) {
            String reason = e.getMessage();
            failedBuilds.put(endpoint.name(), List.of(current == null ? reason : "its routes could not be rebuilt, so it keeps "
                    + current.routes().main().version().label() + ": " + reason));
            LOG.error("endpoint {} {}: {}", endpoint.name(), current == null ? "cannot be served" : "keeps its routes", reason);
            return;
        }
        if (current != null && current.routes().endpoint().equals(endpoint) && current.routes().signature().equals(routes.signature())) {
            failedBuilds.remove(endpoint.name());
            routes.handles().forEach(LoadedModels.Handle::unroute);
        } else {
            install(endpoint, routes);
        }
    }

    Optional<ActiveEndpoint> active(String name) {
        return Optional.ofNullable(active.get(name));
    }

    /** Why the endpoint is degraded or down, with the versions it should and does serve. */
    EndpointStatus status(Endpoint endpoint) {
        ActiveEndpoint served = active.get(endpoint.name());
        List<String> failed = failedBuilds.getOrDefault(endpoint.name(), List.of());
        if (served == null) {
            List<String> problems = failed.isEmpty() ? List.of("it has not been loaded on this server yet") : failed;
            return new EndpointStatus(EndpointStatus.State.DOWN, target(endpoint), Optional.empty(), problems);
        }
        Routes routes = served.routes();
        List<String> problems = new ArrayList<>(routes.problems());
        problems.addAll(failed);
        int main = routes.main().version().version();
        Optional<Integer> target = failed.isEmpty() ? Optional.of(routes.standInFor().orElse(main)) : target(endpoint);
        return new EndpointStatus(problems.isEmpty() ? EndpointStatus.State.SERVING : EndpointStatus.State.DEGRADED, target,
                Optional.of(main), problems);
    }

    private Optional<Integer> target(Endpoint endpoint) {
        try {
            return Optional.of(registry.resolve(endpoint.config().model(), endpoint.config().alias()).version());
        } catch (KeelException e) {
            return Optional.empty();
        }
    }

    /** Names of the endpoints that serve the model, in name order. */
    List<String> endpointsOf(String model) {
        return known.values().stream().filter(endpoint -> endpoint.config().model().equals(model)).map(Endpoint::name).sorted().toList();
    }

    /** The overload guard of a model called by name that no endpoint serves. */
    Admission direct(String model) {
        DirectLimits limits = settings.direct();
        return direct.computeIfAbsent(model, name -> new Admission("model '" + name + "' (called by name, served by no endpoint)",
                limits.maxConcurrency(), limits.queue(), limits.timeoutMillis()));
    }

    @Override
    public void close() {
        synchronized (lock) {
            active.clear();
            known.clear();
        }
    }
}
