package dev.keel.runtime.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Converts Keel tensors to ONNX Runtime values and back. */
final class OnnxTensors {
    private OnnxTensors() {
    }

    /** Checks the inputs against the signature: every input present, known, of its type and shape, named dimensions agreeing. */
    static void check(ModelSignature signature, Map<String, List<String>> dimensionNames, Map<String, Tensor> inputs) {
        for (String name : inputs.keySet()) {
            if (signature.input(name).isEmpty()) {
                throw new ModelException("model has no input '" + name + "'; its inputs are " + inputNames(signature), true);
            }
        }
        Map<String, Dimension> named = new HashMap<>();
        for (TensorSpec spec : signature.inputs()) {
            Tensor tensor = inputs.get(spec.name());
            if (tensor == null) {
                throw new ModelException("input '" + spec.name() + "' is missing; the model needs " + inputNames(signature), true);
            }
            check(spec, tensor);
            checkNamedDimensions(spec.name(), tensor.shape(), dimensionNames.getOrDefault(spec.name(), List.of()), named);
        }
    }

    /** Creates one ONNX tensor per input, which {@link #check} accepted; the caller closes them. */
    static Map<String, OnnxTensor> feed(OrtEnvironment environment, ModelSignature signature, Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (TensorSpec spec : signature.inputs()) {
                feed.put(spec.name(), create(environment, spec.name(), inputs.get(spec.name())));
            }
            return feed;
        } catch (RuntimeException e) {
            feed.values().forEach(OnnxTensor::close);
            throw e;
        }
    }

    private static List<String> inputNames(ModelSignature signature) {
        return signature.inputs().stream().map(TensorSpec::name).toList();
    }

    private static void check(TensorSpec spec, Tensor tensor) {
        if (!spec.kind().equals("tensor")) {
            throw new ModelException("input '" + spec.name() + "' is a " + spec.kind() + "; Keel feeds tensors only", false);
        }
        if (tensor.type() != spec.type()) {
            throw new ModelException("input '" + spec.name() + "' must be " + spec.type() + ", got " + tensor.type(), true);
        }
        long[] shape = tensor.shape();
        boolean fits = shape.length == spec.rank();
        for (int i = 0; fits && i < shape.length; i++) {
            long declared = spec.shape().get(i);
            fits = declared < 0 || declared == shape[i];
        }
        if (!fits) {
            throw new ModelException("input '" + spec.name() + "' must have shape " + spec.shape() + " (-1 is any size), got "
                    + Arrays.toString(shape), true);
        }
    }

    private record Dimension(String input, int index, long size) {
    }

    private static void checkNamedDimensions(String input, long[] shape, List<String> names, Map<String, Dimension> named) {
        for (int i = 0; i < Math.min(shape.length, names.size()); i++) {
            String name = names.get(i);
            if (name.isEmpty()) {
                continue;
            }
            Dimension first = named.putIfAbsent(name, new Dimension(input, i, shape[i]));
            if (first != null && first.size() != shape[i]) {
                throw new ModelException("input '" + input + "' has " + shape[i] + " in dimension " + i + " ('" + name + "') but input '"
                        + first.input() + "' has " + first.size() + " there; inputs that share a dimension name must agree on its size",
                        true);
            }
        }
    }

    private static OnnxTensor create(OrtEnvironment environment, String name, Tensor tensor) {
        long[] shape = tensor.shape();
        try {
            return switch (tensor.type()) {
                case BOOL -> {
                    boolean[] values = (boolean[]) tensor.data();
                    ByteBuffer bytes = ByteBuffer.allocateDirect(values.length).order(ByteOrder.nativeOrder());
                    for (boolean value : values) {
                        bytes.put((byte) (value ? 1 : 0));
                    }
                    yield OnnxTensor.createTensor(environment, bytes.rewind(), shape, OnnxJavaType.BOOL);
                }
                case INT8 -> OnnxTensor.createTensor(environment, ByteBuffer.wrap((byte[]) tensor.data()), shape, OnnxJavaType.INT8);
                case UINT8 -> OnnxTensor.createTensor(environment, ByteBuffer.wrap((byte[]) tensor.data()), shape, OnnxJavaType.UINT8);
                case INT16 -> OnnxTensor.createTensor(environment, ShortBuffer.wrap((short[]) tensor.data()), shape, OnnxJavaType.INT16);
                case FP16 -> OnnxTensor.createTensor(environment, ShortBuffer.wrap((short[]) tensor.data()), shape, OnnxJavaType.FLOAT16);
                case INT32 -> OnnxTensor.createTensor(environment, IntBuffer.wrap((int[]) tensor.data()), shape);
                case INT64 -> OnnxTensor.createTensor(environment, LongBuffer.wrap((long[]) tensor.data()), shape);
                case FP32 -> OnnxTensor.createTensor(environment, FloatBuffer.wrap((float[]) tensor.data()), shape);
                case FP64 -> OnnxTensor.createTensor(environment, DoubleBuffer.wrap((double[]) tensor.data()), shape);
                case BYTES -> OnnxTensor.createTensor(environment, (String[]) tensor.data(), shape);
                case UINT16, UINT32, UINT64 -> throw new ModelException("input '" + name + "' is " + tensor.type()
                        + ", which ONNX Runtime's Java API cannot create; this model cannot be fed from Java", false);
            };
        } catch (OrtException e) {
            throw new ModelException("could not create input '" + name + "' " + tensor + ": "
                    + OnnxModelRuntime.firstLine(e.getMessage()), true, e);
        }
    }

    /** Converts one output into tensors (two for a sequence of maps: the values and their labels) and adds them. */
    static void read(String name, OnnxValue value, Map<String, Tensor> outputs) throws OrtException {
        switch (value) {
            case OnnxTensor tensor -> outputs.put(name, tensor(name, tensor));
            case OnnxSequence sequence -> readMaps(name, sequence.getValue(), outputs);
            case OnnxMap map -> readMaps(name, List.of(map), outputs);
            default -> throw new ModelException("output '" + name + "' is a " + value.getType()
                    + "; Keel returns tensors, maps and sequences of maps only", false);
        }
    }

    private static Tensor tensor(String name, OnnxTensor tensor) throws OrtException {
        TensorInfo info = tensor.getInfo();
        DataType type = Signatures.dataType("output", name, info.onnxType);
        long[] shape = info.getShape();
        if (type == DataType.BYTES) {
            String[] values = new String[Math.toIntExact(Tensor.elementCount(shape))];
            flattenStrings(tensor.getValue(), values, 0);
            return new Tensor(type, shape, values);
        }
        ByteBuffer raw = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        Object data = switch (type) {
            case BOOL -> {
                boolean[] values = new boolean[raw.remaining()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = raw.get(i) != 0;
                }
                yield values;
            }
            case INT8, UINT8 -> {
                byte[] values = new byte[raw.remaining()];
                raw.get(values);
                yield values;
            }
            case INT16, UINT16, FP16 -> {
                ShortBuffer buffer = raw.asShortBuffer();
                short[] values = new short[buffer.remaining()];
                buffer.get(values);
                yield values;
            }
            case INT32, UINT32 -> {
                IntBuffer buffer = raw.asIntBuffer();
                int[] values = new int[buffer.remaining()];
                buffer.get(values);
                yield values;
            }
            case INT64, UINT64 -> {
                LongBuffer buffer = raw.asLongBuffer();
                long[] values = new long[buffer.remaining()];
                buffer.get(values);
                yield values;
            }
            case FP32 -> {
                FloatBuffer buffer = raw.asFloatBuffer();
                float[] values = new float[buffer.remaining()];
                buffer.get(values);
                yield values;
            }
            case FP64 -> {
                DoubleBuffer buffer = raw.asDoubleBuffer();
                double[] values = new double[buffer.remaining()];
                buffer.get(values);
                yield values;
            }
            case BYTES -> throw new IllegalStateException("strings are read above");
        };
        return new Tensor(type, shape, data);
    }

    private static int flattenStrings(Object value, String[] target, int offset) {
        if (value instanceof String text) {
            target[offset] = text;
            return offset + 1;
        }
        int next = offset;
        for (int i = 0; i < Array.getLength(value); i++) {
            next = flattenStrings(Array.get(value, i), target, next);
        }
        return next;
    }

    private static void readMaps(String name, List<? extends OnnxValue> elements, Map<String, Tensor> outputs) throws OrtException {
        List<Map<?, ?>> rows = new ArrayList<>(elements.size());
        try {
            for (OnnxValue element : elements) {
                if (!(element instanceof OnnxMap map)) {
                    throw new ModelException("output '" + name + "' is a sequence of " + element.getType()
                            + "; Keel returns sequences of maps only", false);
                }
                rows.add(map.getValue());
            }
        } finally {
            elements.forEach(OnnxValue::close);
        }
        TreeSet<Object> keys = new TreeSet<>();
        rows.forEach(row -> keys.addAll(row.keySet()));
        List<Object> labels = List.copyOf(keys);
        int columns = labels.size();
        long[] shape = {rows.size(), columns};
        Object sample = rows.stream().flatMap(row -> row.values().stream()).map(Object.class::cast).findFirst().orElse(0.0f);
        Tensor values = switch (sample) {
            case Float ignored -> {
                float[] data = new float[rows.size() * columns];
                fill(rows, labels, (index, value) -> data[index] = ((Number) value).floatValue());
                yield new Tensor(DataType.FP32, shape, data);
            }
            case Double ignored -> {
                double[] data = new double[rows.size() * columns];
                fill(rows, labels, (index, value) -> data[index] = ((Number) value).doubleValue());
                yield new Tensor(DataType.FP64, shape, data);
            }
            case Long ignored -> {
                long[] data = new long[rows.size() * columns];
                fill(rows, labels, (index, value) -> data[index] = ((Number) value).longValue());
                yield new Tensor(DataType.INT64, shape, data);
            }
            default -> {
                String[] data = new String[rows.size() * columns];
                Arrays.fill(data, "");
                fill(rows, labels, (index, value) -> data[index] = String.valueOf(value));
                yield new Tensor(DataType.BYTES, shape, data);
            }
        };
        outputs.put(name, values);
        Tensor labelTensor = labels.stream().allMatch(Long.class::isInstance)
                ? new Tensor(DataType.INT64, new long[] {columns}, labels.stream().mapToLong(Long.class::cast).toArray())
                : new Tensor(DataType.BYTES, new long[] {columns}, labels.stream().map(String::valueOf).toArray(String[]::new));
        outputs.put(name + Signatures.LABELS_SUFFIX, labelTensor);
    }

    private interface CellSink {
        void accept(int index, Object value);
    }

    private static void fill(List<Map<?, ?>> rows, List<Object> labels, CellSink sink) {
        for (int row = 0; row < rows.size(); row++) {
            Map<?, ?> map = rows.get(row);
            for (int column = 0; column < labels.size(); column++) {
                Object value = map.get(labels.get(column));
                if (value != null) {
                    sink.accept(row * labels.size() + column, value);
                }
            }
        }
    }
}
