package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.serving.TensorValues;
import dev.keel.spi.Tensor;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.PredictionMade;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns each served prediction into prediction-log records, one per row, with inputs named by the version's feature schema.
 *
 * <p>Rows of a batch get the request id {@code <id>/<row>} (a single-row request keeps its id), so labels can be posted per
 * row. On a version tagged {@code labels=bad,good}, an output with one column per class is logged as {@code probability}
 * (class to probability) and, unless the model has its own, {@code label} (the most probable class); an integer
 * {@code label} output is logged as the class name it indexes. Other outputs are logged by name, one value or one list per row.
 */
public final class PredictionLogListener implements EventSink {
    private static final int COMMIT_TIMEOUT_SECONDS = 30;
    private final PredictionLog log;
    private final ModelRegistry registry;
    private final Map<VersionKey, Layout> layouts = new ConcurrentHashMap<>();

    public PredictionLogListener(PredictionLog log, ModelRegistry registry) {
        this.log = Objects.requireNonNull(log, "log");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    private record VersionKey(String model, int version) {
    }

    /** How a version's rows are named; {@code names} is null when its features cannot be a {@link FeatureRow}. */
    private record Layout(List<String> features, FeatureRow.Names names, List<String> labels) {
    }

    @Override
    public void accept(KeelEvent event) {
        if (event instanceof PredictionMade prediction) {
            onPrediction(prediction);
        }
    }

    @Override
    public boolean wants(Class<? extends KeelEvent> kind) {
        return kind == PredictionMade.class;
    }

    @Override
    public String name() {
        return "prediction-log";
    }

    void onPrediction(PredictionMade event) {
        if (log.sampleRate(event.endpoint()) <= 0) {
            log.sampledOut(event.endpoint(), rows(event));
            return;
        }
        Layout layout = layouts.computeIfAbsent(new VersionKey(event.model(), event.version()), key -> layout(event.model(), event.version()));
        int rows = rows(event);
        Map<String, List<Object>> inputRows = new java.util.HashMap<>();
        Map<String, List<Object>> outputRows = new java.util.HashMap<>();
        boolean durable = log.durable();
        CompletableFuture<?>[] commits = durable ? new CompletableFuture<?>[rows] : null;
        for (int row = 0; row < rows; row++) {
            String requestId = rows == 1 ? event.requestId() : event.requestId() + "/" + row;
            PredictionRecord record = new PredictionRecord(requestId, event.endpoint(), event.model(), event.version(), event.at(),
                    event.latency().toNanos() / 1e6, inputs(event, layout, row, inputRows), outputs(event, layout, row, outputRows),
                    event.fallback(), event.shadow());
            if (durable) {
                commits[row] = log.commit(record);
            } else {
                log.offer(record);
            }
        }
        if (durable) {
            awaitCommits(event, commits);
        }
    }

    /** Durable mode: returns once every row of the prediction is on disk, else fails the prediction (503). */
    private static void awaitCommits(PredictionMade event, CompletableFuture<?>[] commits) {
        try {
            CompletableFuture.allOf(commits).get(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.UNAVAILABLE, "interrupted while logging prediction '" + event.requestId() + "'");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new KeelException(ErrorCode.UNAVAILABLE, "prediction '" + event.requestId() + "' of endpoint '" + event.endpoint()
                    + "' was not answered: the durable prediction log could not write it (" + cause.getMessage() + ")", cause);
        }
    }

    /** In durable mode the prediction waits on its request's thread until its records are on disk. */
    @Override
    public boolean onPublisherThread() {
        return log.durable();
    }

    private Layout layout(String model, int version) {
        ModelVersion found = registry.requireVersion(model, version);
        List<String> labels = found.tags().containsKey("labels")
                ? Arrays.stream(found.tags().get("labels").split(",")).map(String::strip).toList() : List.of();
        List<String> features = found.features().stream().map(FeatureSpec::name).toList();
        return new Layout(features, features.isEmpty() ? null : FeatureRow.Names.of(features), labels);
    }

    private static int rows(PredictionMade event) {
        for (Tensor tensor : event.inputs().values()) {
            long[] shape = tensor.shape();
            return shape.length == 0 ? 1 : (int) shape[0];
        }
        return 1;
    }

    private static Map<String, Object> inputs(PredictionMade event, Layout layout, int row, Map<String, List<Object>> cache) {
        Map<String, Object> named = new LinkedHashMap<>();
        if (event.inputs().size() == 1 && !layout.features().isEmpty()) {
            Tensor tensor = event.inputs().values().iterator().next();
            long[] shape = tensor.shape();
            if (shape.length == 2 && shape[1] == layout.features().size()) {
                int width = (int) shape[1];
                if (layout.names() != null && tensor.data() instanceof float[] floats) {
                    // a one-row tensor's array is the row itself (tensors are not changed once made)
                    return new FeatureRow(layout.names(), floats.length == width ? floats : Arrays.copyOfRange(floats, row * width, (row + 1) * width));
                }
                for (int column = 0; column < width; column++) {
                    named.put(layout.features().get(column), TensorValues.element(tensor, row * width + column));
                }
                return named;
            }
        }
        event.inputs().forEach((name, tensor) -> named.put(name, value(name, tensor, row, cache)));
        return named;
    }

    /**
     * The row's outputs as JSON text (the form the log stores): named outputs in the model's order, then {@code probability}
     * and {@code label} derived from an output with one column per class unless the model has outputs of those names.
     */
    private static Map<String, Object> outputs(PredictionMade event, Layout layout, int row, Map<String, List<Object>> cache) {
        StringBuilder json = new StringBuilder(96);
        json.append('{');
        boolean first = true;
        Tensor classes = null;
        int classCount = layout.labels().size();
        for (Map.Entry<String, Tensor> output : event.outputs().entrySet()) {
            Tensor tensor = output.getValue();
            if (classCount > 0 && tensor.rank() == 2 && tensor.dimension(1) == classCount) {
                classes = tensor;
                continue;
            }
            String name = output.getKey();
            Object value = value(name, tensor, row, cache);
            if (name.equals("label") && tensor.type().isInteger() && value instanceof Number index && classCount > 0
                    && index.longValue() >= 0 && index.longValue() < classCount) {
                value = layout.labels().get(index.intValue());
            }
            first = member(json, name, first);
            append(json, value);
        }
        if (classes != null) {
            int best = 0;
            for (int column = 1; column < classCount; column++) {
                if (classes.doubleAt(row * classCount + column) > classes.doubleAt(row * classCount + best)) {
                    best = column;
                }
            }
            if (!event.outputs().containsKey("probability")) {
                first = member(json, "probability", first);
                json.append('{');
                for (int column = 0; column < classCount; column++) {
                    if (column > 0) {
                        json.append(',');
                    }
                    Json.appendString(json, layout.labels().get(column));
                    json.append(':');
                    append(json, classes.doubleAt(row * classCount + column));
                }
                json.append('}');
            }
            if (!event.outputs().containsKey("label")) {
                member(json, "label", first);
                Json.appendString(json, layout.labels().get(best));
            }
        }
        return new JsonText(json.append('}').toString());
    }

    private static boolean member(StringBuilder json, String name, boolean first) {
        if (!first) {
            json.append(',');
        }
        Json.appendString(json, name);
        json.append(':');
        return false;
    }

    /** A value as plain JSON, or as Jackson writes it when it has no plain form (NaN and infinities become strings). */
    private static void append(StringBuilder json, Object value) {
        int mark = json.length();
        if (!FlatJson.value(json, value, 0)) {
            json.setLength(mark);
            json.append(Json.write(value));
        }
    }

    private static Object value(String name, Tensor tensor, int row, Map<String, List<Object>> cache) {
        if (tensor.shape().length == 0) {
            return TensorValues.element(tensor, 0);
        }
        Object rowValue = cache.computeIfAbsent(name, key -> TensorValues.rows(tensor)).get(row);
        if (rowValue instanceof List<?> list && list.size() == 1) {
            return list.getFirst();
        }
        return rowValue;
    }
}
