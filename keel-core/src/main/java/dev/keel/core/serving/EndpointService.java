package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.RegisteredModel;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Stored endpoints: create, change and delete them, each change checked against what it routes to and taking effect in the
 * {@link RouteTable} in the same step as in the store.
 */
final class EndpointService {
    private final EndpointRepository repository;
    private final ModelRegistry registry;
    private final RouteTable table;
    private final Clock clock;

    EndpointService(EndpointRepository repository, ModelRegistry registry, RouteTable table, Clock clock) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Creates an endpoint and loads what it routes to; fails (and stores nothing) when a route cannot be resolved or loaded. */
    Endpoint create(EndpointConfig config, String actor) {
        DefaultResponse.checkForm(config.fallback().response());
        RegisteredModel model = registry.requireModel(config.model());
        Instant now = clock.instant();
        Endpoint endpoint = new Endpoint(config, model.project(), now, actor, now);
        return table.locked(() -> {
            if (repository.find(config.name()).isPresent()) {
                throw new KeelException(ErrorCode.ALREADY_EXISTS, "endpoint '" + config.name() + "' exists already");
            }
            Routes routes = table.buildExactly(endpoint);
            try {
                checkFallback(routes);
                repository.insert(endpoint);
            } catch (RuntimeException e) {
                routes.handles().forEach(LoadedModels.Handle::unroute);
                throw e;
            }
            table.add(endpoint, routes);
            return endpoint;
        });
    }

    /** Replaces an endpoint's configuration (not its model); the new routes take effect for new requests at once. */
    Endpoint update(EndpointConfig config) {
        DefaultResponse.checkForm(config.fallback().response());
        return table.locked(() -> {
            Endpoint current = require(config.name());
            KeelException.requireArgument(current.config().model().equals(config.model()),
                    "endpoint '%s' serves model '%s'; an endpoint's model cannot change (got '%s'): create another endpoint",
                    config.name(), current.config().model(), config.model());
            Endpoint updated = new Endpoint(config, current.project(), current.createdAt(), current.createdBy(), clock.instant());
            Routes routes = table.buildExactly(updated);
            try {
                checkFallback(routes);
                repository.update(updated);
            } catch (RuntimeException e) {
                routes.handles().forEach(LoadedModels.Handle::unroute);
                throw e;
            }
            table.install(updated, routes);
            return updated;
        });
    }

    /** A default response must answer with every output of the versions that answer callers: the main and the canary. */
    private static void checkFallback(Routes routes) {
        EndpointConfig.Fallback fallback = routes.endpoint().config().fallback();
        if (fallback.mode() != FallbackMode.DEFAULT_RESPONSE) {
            return;
        }
        List<String> problems = new ArrayList<>();
        List<ModelVersion> versions = new ArrayList<>();
        versions.add(routes.main().version());
        routes.canary().map(LoadedModels.Handle::version).filter(version -> !versions.contains(version)).ifPresent(versions::add);
        for (ModelVersion version : versions) {
            problems.addAll(DefaultResponse.problems(fallback.response(), version));
        }
        if (!problems.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, String.join("; ", problems), problems.stream()
                    .map(problem -> new KeelException.FieldError("fallback.response", problem)).toList());
        }
    }

    List<Endpoint> list() {
        return repository.list();
    }

    Optional<Endpoint> find(String name) {
        return repository.find(name);
    }

    /** The endpoint, or a 404 naming it. */
    Endpoint require(String name) {
        return repository.find(name).orElseThrow(() -> KeelException.notFound("endpoint '" + name + "' does not exist"));
    }

    /** Deletes the endpoint; requests in flight finish, its models close when nothing else routes to them. */
    void delete(String name) {
        table.locked(() -> {
            if (!repository.delete(name)) {
                throw KeelException.notFound("endpoint '" + name + "' does not exist");
            }
            table.remove(name);
            return null;
        });
    }
}
