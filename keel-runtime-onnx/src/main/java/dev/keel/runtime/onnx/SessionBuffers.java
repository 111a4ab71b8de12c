package dev.keel.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Native memory one session reuses from call to call. For each input shape seen lately it keeps direct buffers backing
 * the input tensors, and output tensors that ONNX Runtime writes into (pinned outputs), so a call copies its values in
 * and out and neither allocates native memory nor builds tensor objects through JNI.
 *
 * <p>Only plain numeric tensors take part (FP32, FP64, INT32, INT64): a call with any other input returns empty and goes
 * the general way; an output of another type, or whose shape does not follow from the inputs, is left to ONNX Runtime to
 * allocate. Not thread-safe: it belongs to one session, and a session serves one call at a time.
 */
final class SessionBuffers implements AutoCloseable {
    /** Shapes kept per session at most; micro-batching makes every batch size up to its maximum common. */
    static final int MAX_SLOTS = 64;
    /** Calls larger than this many bytes of inputs and outputs allocate per call instead of holding memory. */
    static final long MAX_SLOT_BYTES = 4L << 20;
    /** Native bytes one session keeps at most; the least recently used shapes go first. */
    static final long MAX_SESSION_BYTES = 16L << 20;

    private final OrtEnvironment environment;
    private final ModelSignature signature;
    private final List<TensorSpec> outputs;
    private final Map<String, List<String>> dimensionNames;
    private final Map<String, List<String>> outputDimensionNames;
    private final LinkedHashMap<Key, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    SessionBuffers(OrtEnvironment environment, ModelSignature signature, Map<String, List<String>> dimensionNames,
            Map<String, List<String>> outputDimensionNames) {
        this.environment = environment;
        this.signature = signature;
        this.outputs = signature.outputs().stream().filter(spec -> !spec.kind().equals(Signatures.LABELS_KIND)).toList();
        this.dimensionNames = dimensionNames;
        this.outputDimensionNames = outputDimensionNames;
    }

    /** The slot for these inputs, holding their values; empty when this call must go the general way. */
    Optional<Slot> slot(Map<String, Tensor> inputs, boolean pinOutputs) {
        List<TensorSpec> specs = signature.inputs();
        long[][] shapes = new long[specs.size()][];
        for (int i = 0; i < shapes.length; i++) {
            Tensor tensor = inputs.get(specs.get(i).name());
            if (tensor == null || !pinnable(tensor.type())) {
                return Optional.empty();
            }
            shapes[i] = tensor.shape();
        }
        Key key = new Key(shapes, pinOutputs);
        Slot slot = slots.get(key);
        if (slot == null) {
            slot = open(key);
            if (slot == null) {
                return Optional.empty();
            }
            slots.put(key, slot);
            bytes += slot.bytes();
            var eldest = slots.values().iterator();
            while (slots.size() > MAX_SLOTS || bytes > MAX_SESSION_BYTES) {
                Slot evicted = eldest.next();
                eldest.remove();
                bytes -= evicted.bytes();
                evicted.close();
            }
        }
        for (int i = 0; i < specs.size(); i++) {
            slot.fill(i, inputs.get(specs.get(i).name()));
        }
        return Optional.of(slot);
    }

    static boolean pinnable(DataType type) {
        return type == DataType.FP32 || type == DataType.FP64 || type == DataType.INT32 || type == DataType.INT64;
    }

    private static int width(DataType type) {
        return type == DataType.FP32 || type == DataType.INT32 ? 4 : 8;
    }

    private Slot open(Key key) {
        List<TensorSpec> specs = signature.inputs();
        long size = 0;
        for (int i = 0; i < specs.size(); i++) {
            size += Tensor.elementCount(key.shapes()[i]) * width(specs.get(i).type());
        }
        Map<String, long[]> outputShapes = new LinkedHashMap<>();
        if (key.pinOutputs()) {
            for (TensorSpec output : outputs) {
                long[] shape = outputShape(output, key.shapes());
                if (shape != null) {
                    outputShapes.put(output.name(), shape);
                    size += Tensor.elementCount(shape) * width(output.type());
                }
            }
        }
        if (size > MAX_SLOT_BYTES) {
            return null;
        }
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            Buffer[] inputViews = new Buffer[specs.size()];
            for (int i = 0; i < specs.size(); i++) {
                TensorSpec spec = specs.get(i);
                inputViews[i] = view(spec.type(), key.shapes()[i]);
                OnnxTensor tensor = tensor(inputViews[i], key.shapes()[i]);
                created.add(tensor);
                feed.put(spec.name(), tensor);
            }
            Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
            Map<String, Buffer> outputViews = new LinkedHashMap<>();
            Set<String> requested = new LinkedHashSet<>();
            for (TensorSpec output : outputs) {
                long[] shape = outputShapes.get(output.name());
                if (shape == null) {
                    requested.add(output.name());
                    continue;
                }
                Buffer view = view(output.type(), shape);
                OnnxTensor tensor = tensor(view, shape);
                created.add(tensor);
                pinned.put(output.name(), tensor);
                outputViews.put(output.name(), view);
            }
            return new Slot(Map.copyOf(feed), inputViews, Map.copyOf(pinned), outputViews, outputShapes, Set.copyOf(requested), created,
                    size);
        } catch (OrtException | RuntimeException e) {
            created.forEach(OnnxTensor::close);
            return null;
        }
    }

    /**
     * The shape an output will have for these inputs, or null when it cannot be told before the run: a dynamic
     * dimension takes the size of the input dimension with the same symbolic name, or, when it is the first one and
     * unnamed, the first input's first dimension (the batch). A wrong guess is refused by ONNX Runtime, never written past.
     */
    private long[] outputShape(TensorSpec output, long[][] inputShapes) {
        if (!output.kind().equals("tensor") || !pinnable(output.type())) {
            return null;
        }
        List<String> names = outputDimensionNames.getOrDefault(output.name(), List.of());
        long[] shape = new long[output.rank()];
        for (int i = 0; i < shape.length; i++) {
            long declared = output.shape().get(i);
            if (declared >= 0) {
                shape[i] = declared;
                continue;
            }
            String name = i < names.size() ? names.get(i) : "";
            long size = name.isEmpty() ? -1 : namedSize(name, inputShapes);
            if (size < 0 && i == 0 && inputShapes.length > 0 && inputShapes[0].length > 0) {
                size = inputShapes[0][0];
            }
            if (size < 0) {
                return null;
            }
            shape[i] = size;
        }
        return shape;
    }

    private long namedSize(String name, long[][] inputShapes) {
        List<TensorSpec> specs = signature.inputs();
        for (int input = 0; input < specs.size(); input++) {
            List<String> names = dimensionNames.getOrDefault(specs.get(input).name(), List.of());
            for (int dimension = 0; dimension < Math.min(names.size(), inputShapes[input].length); dimension++) {
                if (names.get(dimension).equals(name)) {
                    return inputShapes[input][dimension];
                }
            }
        }
        return -1;
    }

    private static Buffer view(DataType type, long[] shape) {
        int count = Math.toIntExact(Tensor.elementCount(shape));
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.max(1, count) * width(type)).order(ByteOrder.nativeOrder());
        return switch (type) {
            case FP32 -> bytes.asFloatBuffer().limit(count);
            case FP64 -> bytes.asDoubleBuffer().limit(count);
            case INT32 -> bytes.asIntBuffer().limit(count);
            case INT64 -> bytes.asLongBuffer().limit(count);
            default -> throw new IllegalArgumentException("not a pinnable type: " + type);
        };
    }

    private OnnxTensor tensor(Buffer view, long[] shape) throws OrtException {
        return switch (view) {
            case FloatBuffer floats -> OnnxTensor.createTensor(environment, floats, shape);
            case DoubleBuffer doubles -> OnnxTensor.createTensor(environment, doubles, shape);
            case IntBuffer ints -> OnnxTensor.createTensor(environment, ints, shape);
            case LongBuffer longs -> OnnxTensor.createTensor(environment, longs, shape);
            default -> throw new IllegalArgumentException("not a pinnable buffer: " + view);
        };
    }

    /** Drops every slot, for instance after ONNX Runtime refused a pinned output. */
    void clear() {
        slots.values().forEach(Slot::close);
        slots.clear();
        bytes = 0;
    }

    @Override
    public void close() {
        clear();
    }

    private record Key(long[][] shapes, boolean pinOutputs) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.pinOutputs == pinOutputs && Arrays.deepEquals(key.shapes, shapes);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(shapes) * 2 + (pinOutputs ? 1 : 0);
        }
    }

    /** The tensors of one input shape: inputs to fill, outputs ONNX Runtime writes into, and outputs it allocates. */
    record Slot(Map<String, OnnxTensor> feed, Buffer[] inputViews, Map<String, OnnxTensor> pinned, Map<String, Buffer> outputViews,
            Map<String, long[]> outputShapes, Set<String> requested, List<OnnxTensor> tensors, long bytes) implements AutoCloseable {

        void fill(int input, Tensor tensor) {
            switch (inputViews[input]) {
                case FloatBuffer floats -> floats.put(0, (float[]) tensor.data());
                case DoubleBuffer doubles -> doubles.put(0, (double[]) tensor.data());
                case IntBuffer ints -> ints.put(0, (int[]) tensor.data());
                case LongBuffer longs -> longs.put(0, (long[]) tensor.data());
                default -> throw new IllegalStateException("not a pinnable buffer");
            }
        }

        /** A copy of a pinned output's values as a Keel tensor. */
        Tensor output(String name, DataType type) {
            Buffer view = outputViews.get(name);
            int count = view.limit();
            Object data = switch (view) {
                case FloatBuffer floats -> {
                    float[] values = new float[count];
                    floats.get(0, values);
                    yield values;
                }
                case DoubleBuffer doubles -> {
                    double[] values = new double[count];
                    doubles.get(0, values);
                    yield values;
                }
                case IntBuffer ints -> {
                    int[] values = new int[count];
                    ints.get(0, values);
                    yield values;
                }
                case LongBuffer longs -> {
                    long[] values = new long[count];
                    longs.get(0, values);
                    yield values;
                }
                default -> throw new IllegalStateException("not a pinnable buffer");
            };
            return new Tensor(type, outputShapes.get(name).clone(), data);
        }

        @Override
        public void close() {
            tensors.forEach(OnnxTensor::close);
        }
    }
}
