package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.serving.engine.BatchPolicy;
import dev.keel.core.serving.engine.ScoringPool;
import dev.keel.core.serving.engine.ScoringRequest;
import dev.keel.core.serving.engine.ScoringTimeoutException;
import dev.keel.spi.ModelException;
import dev.keel.spi.Tensor;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.FallbackUsed;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.PredictionMade;
import dev.keel.spi.event.PredictionRejected;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one request through an endpoint: admission, the route (canary share, pinned version), the version's circuit
 * breaker, scoring, the fallback when the model fails or is out of rotation, and the shadow call. Also answers models called
 * by name that no endpoint serves, under the server's per-model limits.
 *
 * <p>A request holds the loaded version it started on until it is answered, so an alias move sends new requests to the new
 * version while those in flight finish on the old one.
 */
final class Predictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);
    private static final Map<EndpointConfig.Batching, BatchPolicy> POLICIES = new ConcurrentHashMap<>();

    private final ModelRegistry registry;
    private final LoadedModels models;
    private final ScoringPool pool;
    private final ServingMetrics metrics;
    private final ServingRecords records;
    private final EventSink events;
    private final Clock clock;
    private final ExecutorService shadowExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final OverloadWatch overload;
    private final ShadowWatch shadows;

    Predictor(ModelRegistry registry, LoadedModels models, ScoringPool pool, ServingMetrics metrics, ServingRecords records,
              EventSink events, Clock clock, OverloadSettings overload, ShadowSettings shadow) {
        this.overload = new OverloadWatch(overload, events, clock);
        this.shadows = new ShadowWatch(shadow, events, clock);
        this.registry = Objects.requireNonNull(registry, "registry");
        this.models = Objects.requireNonNull(models, "models");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.records = Objects.requireNonNull(records, "records");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Scores through an endpoint. */
    Prediction predict(ActiveEndpoint endpoint, PredictionInput input, PredictOptions options) {
        long start = System.nanoTime();
        EndpointConfig config = endpoint.config();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
        try {
            endpoint.admission().enter(deadline);
        } catch (KeelException e) {
            metrics.refused(config.name());
            events.accept(new PredictionRejected(config.name(), e.getMessage(), clock.instant()));
            overload.refused(config.name(), config.model());
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
            endpoint.admission().exit();
        }
    }

    /** Scores with a version of a model that no endpoint serves, within the model's default limits. */
    Prediction predictDirect(ModelVersion version, Admission admission, long timeoutMillis, PredictionInput input, String requestId) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String model = version.model();
        try {
            admission.enter(deadline);
        } catch (KeelException e) {
            metrics.refused(model);
            events.accept(new PredictionRejected(model, e.getMessage(), clock.instant()));
            overload.refused(model, model);
            throw e;
        }
        try {
            LoadedModels.Handle handle = models.leaseDirect(version);
            try {
                Map<String, Tensor> inputs = encode(handle, input, false);
                Map<String, Tensor> outputs;
                try {
                    outputs = score(model, handle, inputs, BatchPolicy.pool(), deadline);
                } catch (ModelFailure failure) {
                    metrics.error(model, version.version(), failure.kind);
                    events.accept(failure.event(model, version, requestId, clock.instant()));
                    throw failure.toException(version);
                }
                long nanos = System.nanoTime() - start;
                metrics.request(model, version.version(), "success", nanos);
                events.accept(new PredictionMade(model, model, version.version(), requestId, inputs, outputs, Duration.ofNanos(nanos),
                        clock.instant(), PredictionMade.Source.MODEL));
                return new Prediction(model, version, requestId, outputs, input.rowCount(), Route.DIRECT, Optional.empty(), Optional.empty(),
                        Duration.ofNanos(nanos));
            } finally {
                handle.release();
            }
        } finally {
            admission.exit();
        }
    }

    /** True when the version is loaded or loads: the model-ready check of the v2 protocol. */
    boolean ready(ModelVersion version) {
        LoadedModels.Handle handle;
        try {
            handle = models.leaseDirect(version);
        } catch (RuntimeException e) {
            return false;
        }
        handle.release();
        return true;
    }

    /**
     * The route a request takes, with its version held. A canary whose breaker is open sends its share to the main version;
     * {@code permitted} is false when the chosen version is out of rotation too.
     */
    private record Chosen(LoadedModels.Handle handle, Route route, Routes routes, CircuitBreaker breaker, boolean permitted) {
    }

    private Chosen choose(ActiveEndpoint endpoint, EndpointConfig config, PredictOptions options) {
        if (options.version().isPresent()) {
            ModelVersion pinned = registry.resolve(config.model(), options.version().get());
            CircuitBreaker breaker = endpoint.breaker(pinned.version());
            return new Chosen(models.leaseDirect(pinned), Route.PINNED, endpoint.routes(), breaker, breaker.tryAcquire());
        }
        boolean toCanary = false;
        if (endpoint.routes().canary().isPresent()) {
            double percent = endpoint.routes().canaryPercent();
            double draw = options.key().map(Predictor::bucket).orElseGet(() -> ThreadLocalRandom.current().nextDouble() * 100);
            toCanary = draw < percent;
        }
        while (true) {
            Routes routes = endpoint.routes();
            boolean canary = toCanary && routes.canary().isPresent();
            LoadedModels.Handle handle = canary ? routes.canary().get() : routes.main();
            if (!handle.acquire()) {
                Thread.onSpinWait();
                continue;
            }
            CircuitBreaker breaker = endpoint.breaker(handle.version().version());
            if (breaker.tryAcquire()) {
                return new Chosen(handle, canary ? Route.CANARY : Route.MAIN, routes, breaker, true);
            }
            if (canary) {
                handle.release();
                toCanary = false;
                continue;
            }
            return new Chosen(handle, Route.MAIN, routes, breaker, false);
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
        if (!chosen.permitted) {
            return fallback(endpoint, chosen, input, options, new OutOfRotation(chosen.breaker.retryAfter()), start);
        }
        Map<String, Tensor> inputs;
        try {
            inputs = encode(chosen.handle, input, false);
        } catch (RuntimeException e) {
            chosen.breaker.released();
            metrics.request(name, version.version(), "invalid", -1);
            throw e;
        }
        BatchPolicy policy = policy(config);
        Map<String, Tensor> outputs;
        try {
            outputs = score(name, chosen.handle, inputs, policy, deadline);
        } catch (ModelFailure failure) {
            chosen.breaker.failed(failure.kind.wireName() + ": " + failure.getMessage());
            return fallback(endpoint, chosen, input, options, new Failed(failure), start);
        } catch (RuntimeException e) {
            chosen.breaker.released();
            boolean overloaded = e instanceof KeelException keel && keel.code() == ErrorCode.OVERLOADED;
            metrics.request(name, version.version(), overloaded ? "rejected" : "error", -1);
            if (overloaded) {
                events.accept(new PredictionRejected(name, e.getMessage(), clock.instant()));
                overload.refused(name, config.model());
            }
            throw e;
        }
        chosen.breaker.succeeded();
        long nanos = System.nanoTime() - start;
        metrics.request(name, version.version(), "success", nanos);
        Optional<Integer> standInFor = chosen.route == Route.MAIN ? chosen.routes.standInFor() : Optional.empty();
        events.accept(new PredictionMade(name, config.model(), version.version(), options.requestId(), inputs, outputs, Duration.ofNanos(nanos),
                clock.instant(), standInFor.isPresent() ? PredictionMade.Source.FALLBACK : PredictionMade.Source.MODEL));
        chosen.routes.shadow().filter(shadow -> shadow != chosen.handle)
                .ifPresent(shadow -> shadow(endpoint, shadow, input, version, outputs, options.requestId(), policy));
        return new Prediction(name, version, options.requestId(), outputs, input.rowCount(), chosen.route,
                standInFor.map(ignored -> FallbackMode.PREVIOUS_VERSION), standInFor, Duration.ofNanos(nanos));
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

    /** Why the chosen version did not answer: it failed, or its breaker kept the request from it. */
    private sealed interface Miss permits Failed, OutOfRotation {
    }

    private record Failed(ModelFailure failure) implements Miss {
    }

    private record OutOfRotation(Duration retryAfter) implements Miss {
    }

    /** A model that failed or ran out of time; the request may still be answered by a fallback. */
    private static final class ModelFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final FailureKind kind;

        ModelFailure(FailureKind kind, String message, Throwable cause) {
            super(message, cause, false, false);
            this.kind = kind;
        }

        ModelFailed event(String endpoint, ModelVersion version, String requestId, Instant at) {
            ModelFailed.Kind failed = switch (kind) {
                case ERROR -> ModelFailed.Kind.ERROR;
                case TIMEOUT -> ModelFailed.Kind.TIMEOUT;
            };
            return new ModelFailed(endpoint, version.model(), version.version(), requestId, failed, String.valueOf(getMessage()), at);
        }

        KeelException toException(ModelVersion version) {
            return switch (kind) {
                case TIMEOUT -> new KeelException(ErrorCode.UNAVAILABLE, getMessage(), List.of(), Map.of("retryAfterSeconds", 1), getCause());
                case ERROR -> new KeelException(ErrorCode.INTERNAL, "model " + version.label() + " failed: " + getMessage(), getCause());
            };
        }
    }

    private Map<String, Tensor> score(String endpoint, LoadedModels.Handle handle, Map<String, Tensor> inputs, BatchPolicy policy,
                                      long deadline) throws ModelFailure {
        ModelVersion version = handle.version();
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new ModelFailure(FailureKind.TIMEOUT, "model " + version.label() + " was not reached before the endpoint's timeout", null);
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
                throw new ModelFailure(FailureKind.TIMEOUT, timeout.getMessage(), timeout);
            }
            if (cause instanceof ModelException model && model.badInput()) {
                throw new KeelException(ErrorCode.INVALID_INPUT, "model " + version.label() + " refused the inputs: " + model.getMessage(), model);
            }
            if (cause instanceof KeelException keel && keel.code() != ErrorCode.INTERNAL) {
                throw keel;
            }
            throw new ModelFailure(FailureKind.ERROR, String.valueOf(cause.getMessage()), cause);
        }
    }

    private Prediction fallback(ActiveEndpoint endpoint, Chosen chosen, PredictionInput input, PredictOptions options, Miss miss, long start) {
        EndpointConfig config = chosen.routes.endpoint().config();
        String name = config.name();
        ModelVersion failed = chosen.handle.version();
        if (miss instanceof Failed(ModelFailure failure)) {
            metrics.error(name, failed.version(), failure.kind);
        }
        FallbackMode mode = config.fallback().mode();
        Optional<Prediction> answer = switch (mode) {
            case NONE -> Optional.empty();
            case PREVIOUS_VERSION -> {
                Optional<LoadedModels.Handle> target = chosen.route == Route.MAIN ? chosen.routes.previous() : Optional.of(chosen.routes.main());
                yield target.filter(handle -> handle != chosen.handle).flatMap(handle -> answerWith(endpoint, handle, chosen, input, options,
                        start));
            }
            case DEFAULT_RESPONSE -> DefaultResponse.outputs(config.fallback().response(), failed, input.rowCount()).map(outputs ->
                    new Prediction(name, failed, options.requestId(), outputs, input.rowCount(), chosen.route, Optional.of(mode),
                            Optional.of(failed.version()), Duration.ofNanos(System.nanoTime() - start)));
        };
        FallbackMode used = answer.isPresent() ? mode : FallbackMode.NONE;
        if (miss instanceof Failed(ModelFailure failure)) {
            events.accept(failure.event(name, failed, options.requestId(), clock.instant()));
            records.failure(new FailureRecord(UUID.randomUUID().toString(), name, config.model(), failed.version(), options.requestId(),
                    failure.kind, failure.getMessage(), used, clock.instant()));
        }
        if (answer.isEmpty()) {
            throw unanswered(name, failed, miss);
        }
        Prediction prediction = answer.get();
        metrics.fallback(name, failed.version(), mode);
        events.accept(new FallbackUsed(name, config.model(), failed.version(), options.requestId(), mode.wireName(), clock.instant()));
        metrics.request(name, prediction.version().version(), "fallback", prediction.latency().toNanos());
        events.accept(new PredictionMade(name, config.model(), prediction.version().version(), options.requestId(), Map.of(),
                prediction.outputs(), prediction.latency(), clock.instant(), PredictionMade.Source.FALLBACK));
        return prediction;
    }

    private KeelException unanswered(String name, ModelVersion failed, Miss miss) {
        return switch (miss) {
            case Failed(ModelFailure failure) -> {
                metrics.request(name, failed.version(), "error", -1);
                yield failure.toException(failed);
            }
            case OutOfRotation(Duration retryAfter) -> {
                metrics.request(name, failed.version(), "out-of-rotation", -1);
                long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
                yield new KeelException(ErrorCode.UNAVAILABLE, "endpoint '" + name + "': " + failed.label() + " is out of rotation after "
                        + "repeated failures (its circuit breaker is open) and no fallback answered; retry after " + seconds + "s",
                        List.of(), Map.of("retryAfterSeconds", seconds), null);
            }
        };
    }

    private Optional<Prediction> answerWith(ActiveEndpoint endpoint, LoadedModels.Handle handle, Chosen chosen, PredictionInput input,
                                            PredictOptions options, long start) {
        CircuitBreaker breaker = endpoint.breaker(handle.version().version());
        if (!breaker.tryAcquire()) {
            return Optional.empty();
        }
        if (!handle.acquire()) {
            breaker.released();
            return Optional.empty();
        }
        try {
            EndpointConfig config = chosen.routes.endpoint().config();
            Map<String, Tensor> inputs = encode(handle, input, true);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis());
            Map<String, Tensor> outputs = score(config.name(), handle, inputs, policy(config), deadline);
            breaker.succeeded();
            return Optional.of(new Prediction(config.name(), handle.version(), options.requestId(), outputs, input.rowCount(), chosen.route,
                    Optional.of(FallbackMode.PREVIOUS_VERSION), Optional.of(chosen.handle.version().version()),
                    Duration.ofNanos(System.nanoTime() - start)));
        } catch (ModelFailure e) {
            breaker.failed(e.kind.wireName() + ": " + e.getMessage());
            LOG.warn("fallback to {} failed too: {}", handle.version().label(), e.getMessage());
            return Optional.empty();
        } catch (KeelException e) {
            breaker.released();
            LOG.warn("fallback to {} failed too: {}", handle.version().label(), e.getMessage());
            return Optional.empty();
        } finally {
            handle.release();
        }
    }

    private void shadow(ActiveEndpoint endpoint, LoadedModels.Handle shadow, PredictionInput input, ModelVersion mainVersion,
                        Map<String, Tensor> mainOutputs, String requestId, BatchPolicy policy) {
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
            compare(name, mainVersion, version, mainOutputs, Optional.empty(), Optional.of(String.valueOf(e.getMessage())), requestId);
            return;
        }
        answer.whenCompleteAsync((outputs, failure) -> {
            try {
                if (failure == null) {
                    metrics.shadow(name, version.version(), "success");
                    compare(name, mainVersion, version, mainOutputs, Optional.of(outputs), Optional.empty(), requestId);
                    events.accept(new PredictionMade(name, version.model(), version.version(), requestId, inputs, outputs,
                            Duration.ofNanos(System.nanoTime() - start), clock.instant(), PredictionMade.Source.SHADOW));
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
        Instant at = clock.instant();
        shadows.compared(endpoint, main.model(), main.version(), shadow.version(), mainOutputs, shadowOutputs);
        records.comparison(new ShadowComparison(UUID.randomUUID().toString(), endpoint, main.model(), requestId, main.version(),
                shadow.version(), Json.write(view(mainOutputs)), shadowOutputs.map(outputs -> Json.write(view(outputs))), error, at));
    }

    private static Map<String, Object> view(Map<String, Tensor> outputs) {
        Map<String, Object> view = new java.util.TreeMap<>();
        outputs.forEach((name, tensor) -> view.put(name, TensorValues.nested(tensor)));
        return view;
    }

    @Override
    public void close() {
        shadowExecutor.close();
    }
}
