package dev.keel.core.serving;

import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded models, one per version, shared by every endpoint that routes to it. A version is loaded when first routed and closed
 * once no endpoint routes to it and no request holds it; versions used directly (the v2 API by model name) stay loaded while
 * among the most recently used few.
 */
final class LoadedModels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModels.class);

    private final ModelRegistry registry;
    private final ModelRuntimes runtimes;
    private final RuntimeOptions options;
    private final int directCapacity;
    private final Map<String, Handle> handles = new HashMap<>();
    private final LinkedHashMap<String, Handle> direct = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    LoadedModels(ModelRegistry registry, ModelRuntimes runtimes, RuntimeOptions options, int directCapacity) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.runtimes = Objects.requireNonNull(runtimes, "runtimes");
        this.options = Objects.requireNonNull(options, "options");
        this.directCapacity = directCapacity;
    }

    /**
     * Adds a route to the version, loading it first if needed; undo with {@link Handle#unroute()}. The version answers for the
     * alias {@code servedFor} (an endpoint's alias, or empty for a call by model name), so when that alias or the version's
     * model requires a signature, the version must have a valid one: checked on the bytes when it loads, and again when a
     * loaded version gets a route for another alias.
     */
    synchronized Handle route(ModelVersion version, String servedFor) {
        if (closed) {
            throw new IllegalStateException("loaded models are closed");
        }
        String key = version.label();
        Handle handle = handles.get(key);
        if (handle != null) {
            registry.requireSigned(version, servedFor);
            if (handle.addRoute()) {
                return handle;
            }
        }
        // verified against its hash and, where the model or an alias holding it requires one, its signature: a refusal leaves
        // whatever the endpoint served before in place
        byte[] artifact = registry.servableArtifact(version, servedFor);
        LoadedModel model = runtimes.require(version.format()).load(artifact, options);
        handle = new Handle(version, model);
        handle.addRoute();
        handles.put(key, handle);
        LOG.info("loaded model {} ({} sessions)", key, options.sessions());
        return handle;
    }

    /** A lease on a version used without an endpoint; release it with {@link Handle#release()}. */
    Handle leaseDirect(ModelVersion version) {
        while (true) {
            Handle handle;
            List<Handle> evicted = new ArrayList<>();
            synchronized (this) {
                String key = version.label();
                handle = direct.get(key);
                if (handle == null) {
                    handle = route(version, "");
                    direct.put(key, handle);
                    while (direct.size() > directCapacity) {
                        var eldest = direct.entrySet().iterator().next();
                        direct.remove(eldest.getKey());
                        evicted.add(eldest.getValue());
                    }
                }
            }
            evicted.forEach(Handle::unroute);
            if (handle.acquire()) {
                return handle;
            }
        }
    }

    /** Labels of the versions loaded now. */
    synchronized List<String> loaded() {
        return handles.keySet().stream().sorted().toList();
    }

    private synchronized void forget(Handle handle) {
        handles.remove(handle.version.label(), handle);
    }

    @Override
    public void close() {
        List<Handle> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(handles.values());
            handles.clear();
            direct.clear();
        }
        all.forEach(Handle::closeNow);
    }

    /** One loaded version with its input layout, the routes that point at it and the requests that hold it. */
    final class Handle {
        private final ModelVersion version;
        private final LoadedModel model;
        private final InputLayout layout;
        private int routes;
        private int leases;
        private boolean closed;

        private Handle(ModelVersion version, LoadedModel model) {
            this.version = version;
            this.model = model;
            this.layout = new InputLayout(version);
        }

        ModelVersion version() {
            return version;
        }

        LoadedModel model() {
            return model;
        }

        InputLayout layout() {
            return layout;
        }

        private synchronized boolean addRoute() {
            if (closed) {
                return false;
            }
            routes++;
            return true;
        }

        /** Holds the model for one request; false when it has been closed (the caller looks up the routes again). */
        synchronized boolean acquire() {
            if (closed) {
                return false;
            }
            leases++;
            return true;
        }

        void release() {
            boolean close;
            synchronized (this) {
                leases--;
                close = shouldClose();
            }
            if (close) {
                closeNow();
            }
        }

        void unroute() {
            boolean close;
            synchronized (this) {
                routes--;
                close = shouldClose();
            }
            if (close) {
                closeNow();
            }
        }

        private boolean shouldClose() {
            if (routes <= 0 && leases <= 0 && !closed) {
                closed = true;
                return true;
            }
            return false;
        }

        private void closeNow() {
            synchronized (this) {
                closed = true;
            }
            forget(this);
            try {
                model.close();
                LOG.info("closed model {}", version.label());
            } catch (RuntimeException e) {
                LOG.warn("closing model {} failed", version.label(), e);
            }
        }
    }
}
