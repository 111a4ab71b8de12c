package dev.keel.core.serving.engine;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Joins the inputs of several requests along the leading dimension and splits the outputs back. */
final class Batches {
    /** The output kind whose tensor describes the columns of another output and is the same for every row. */
    static final String SHARED_KIND = "labels";

    private Batches() {
    }

    /** What requests must share to be scored together: the model and, per input, the type and trailing dimensions. */
    record Key(LoadedModel model, List<Layout> layouts) {
    }

    record Layout(String name, DataType type, List<Long> trailing) {
    }

    /**
     * The batch key of a request with its row count, or empty when the request must be scored alone: the model has an input
     * or output without a dynamic leading dimension, or the request's inputs do not match the model's names or agree on rows.
     */
    static Optional<Keyed> key(LoadedModel model, Map<String, Tensor> inputs) {
        ModelSignature signature = model.signature();
        if (inputs.size() != signature.inputs().size()) {
            return Optional.empty();
        }
        for (TensorSpec output : signature.outputs()) {
            if (!output.kind().equals(SHARED_KIND) && !hasDynamicLeadingDimension(output)) {
                return Optional.empty();
            }
        }
        List<Layout> layouts = new ArrayList<>(inputs.size());
        long rows = -1;
        for (TensorSpec spec : signature.inputs()) {
            Tensor tensor = inputs.get(spec.name());
            if (tensor == null || !spec.kind().equals("tensor") || !hasDynamicLeadingDimension(spec) || tensor.shape().length == 0) {
                return Optional.empty();
            }
            long[] shape = tensor.shape();
            if (rows >= 0 && shape[0] != rows) {
                return Optional.empty();
            }
            rows = shape[0];
            layouts.add(new Layout(spec.name(), tensor.type(), Arrays.stream(shape, 1, shape.length).boxed().toList()));
        }
        if (rows <= 0 || rows > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new Keyed(new Key(model, List.copyOf(layouts)), (int) rows));
    }

    record Keyed(Key key, int rows) {
    }

    private static boolean hasDynamicLeadingDimension(TensorSpec spec) {
        return spec.rank() >= 1 && spec.shape().getFirst() < 0;
    }

    /** Concatenates each input of the requests in order; all requests share one {@link Key}. */
    static Map<String, Tensor> join(List<Map<String, Tensor>> requests, int totalRows) {
        Map<String, Tensor> joined = new LinkedHashMap<>();
        for (String name : requests.getFirst().keySet()) {
            Tensor first = requests.getFirst().get(name);
            int rowSize = rowSize(first.shape());
            Object data = Array.newInstance(first.data().getClass().getComponentType(), Math.multiplyExact(totalRows, rowSize));
            int offset = 0;
            for (Map<String, Tensor> request : requests) {
                Tensor tensor = request.get(name);
                System.arraycopy(tensor.data(), 0, data, offset, tensor.size());
                offset += tensor.size();
            }
            long[] shape = first.shape().clone();
            shape[0] = totalRows;
            joined.put(name, new Tensor(first.type(), shape, data));
        }
        return joined;
    }

    /**
     * Splits the outputs of a batched call into one map per request, or returns empty when an output does not have one
     * row per input row (then the requests must be scored alone).
     */
    static Optional<List<Map<String, Tensor>>> split(ModelSignature signature, Map<String, Tensor> outputs, int[] rows) {
        int totalRows = Arrays.stream(rows).sum();
        List<Map<String, Tensor>> parts = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            parts.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> entry : outputs.entrySet()) {
            Tensor tensor = entry.getValue();
            boolean shared = signature.output(entry.getKey()).map(spec -> spec.kind().equals(SHARED_KIND)).orElse(false);
            if (shared) {
                parts.forEach(part -> part.put(entry.getKey(), tensor));
                continue;
            }
            long[] shape = tensor.shape();
            if (shape.length == 0 || shape[0] != totalRows) {
                return Optional.empty();
            }
            int rowSize = rowSize(shape);
            int offset = 0;
            for (int i = 0; i < rows.length; i++) {
                int length = rows[i] * rowSize;
                Object data = Array.newInstance(tensor.data().getClass().getComponentType(), length);
                System.arraycopy(tensor.data(), offset, data, 0, length);
                offset += length;
                long[] partShape = shape.clone();
                partShape[0] = rows[i];
                parts.get(i).put(entry.getKey(), new Tensor(tensor.type(), partShape, data));
            }
        }
        return Optional.of(parts);
    }

    private static int rowSize(long[] shape) {
        return Math.toIntExact(Tensor.elementCount(Arrays.copyOfRange(shape, 1, shape.length)));
    }
}
