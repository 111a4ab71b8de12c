package dev.keel.core.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes tensor elements as plain Java values (numbers, booleans, strings) for JSON. */
public final class TensorValues {
    private static final BigInteger UNSIGNED_LONG = BigInteger.ONE.shiftLeft(64);

    private TensorValues() {
    }

    /** Element {@code index} as a JSON-ready value: unsigned types widened, FP16 decoded, BYTES as strings. */
    public static Object element(Tensor tensor, int index) {
        return switch (tensor.type()) {
            case BOOL -> ((boolean[]) tensor.data())[index];
            case INT8 -> ((byte[]) tensor.data())[index];
            case UINT8 -> Byte.toUnsignedInt(((byte[]) tensor.data())[index]);
            case INT16 -> ((short[]) tensor.data())[index];
            case UINT16 -> Short.toUnsignedInt(((short[]) tensor.data())[index]);
            case FP16 -> Float.float16ToFloat(((short[]) tensor.data())[index]);
            case INT32 -> ((int[]) tensor.data())[index];
            case UINT32 -> Integer.toUnsignedLong(((int[]) tensor.data())[index]);
            case INT64 -> ((long[]) tensor.data())[index];
            case UINT64 -> {
                long value = ((long[]) tensor.data())[index];
                yield value >= 0 ? (Object) value : BigInteger.valueOf(value).add(UNSIGNED_LONG);
            }
            case FP32 -> ((float[]) tensor.data())[index];
            case FP64 -> ((double[]) tensor.data())[index];
            case BYTES -> ((String[]) tensor.data())[index];
        };
    }

    /** All elements in row-major order. */
    public static List<Object> flat(Tensor tensor) {
        List<Object> values = new ArrayList<>(tensor.size());
        for (int i = 0; i < tensor.size(); i++) {
            values.add(element(tensor, i));
        }
        return values;
    }

    /** The elements nested by the tensor's shape; a scalar is returned bare. */
    public static Object nested(Tensor tensor) {
        long[] shape = tensor.shape();
        if (shape.length == 0) {
            return element(tensor, 0);
        }
        return nest(tensor, shape, 0, 0);
    }

    /** The rows of {@code tensor} from {@code from} (inclusive) to {@code to}, nested, one entry per row. */
    public static List<Object> rows(Tensor tensor) {
        long[] shape = tensor.shape();
        if (shape.length == 0) {
            return List.of(element(tensor, 0));
        }
        int rowSize = shape[0] == 0 ? 0 : tensor.size() / (int) shape[0];
        List<Object> rows = new ArrayList<>();
        for (int row = 0; row < shape[0]; row++) {
            rows.add(shape.length == 1 ? element(tensor, row) : nest(tensor, shape, 1, row * rowSize));
        }
        return rows;
    }

    private static List<Object> nest(Tensor tensor, long[] shape, int dimension, int offset) {
        int size = (int) shape[dimension];
        List<Object> values = new ArrayList<>(size);
        if (dimension == shape.length - 1) {
            for (int i = 0; i < size; i++) {
                values.add(element(tensor, offset + i));
            }
            return values;
        }
        int stride = 1;
        for (int d = dimension + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        for (int i = 0; i < size; i++) {
            values.add(nest(tensor, shape, dimension + 1, offset + i * stride));
        }
        return values;
    }

    /**
     * Builds a tensor from JSON data given flat or nested in row-major order, converting every element to the type.
     *
     * @throws KeelException {@code INVALID_INPUT} naming the input, and the element when one does not fit the type
     */
    public static Tensor fromJson(String name, DataType type, long[] shape, JsonNode data) {
        if ((type == DataType.FP32 || type == DataType.FP64) && data.isArray()) {
            Tensor flat = flatNumbers(type, shape, data);
            if (flat != null) {
                return flat;
            }
        }
        List<JsonNode> elements = new ArrayList<>();
        flatten(data, elements);
        long expected = Tensor.elementCount(shape);
        if (elements.size() != expected) {
            throw new KeelException(ErrorCode.INVALID_INPUT, "input '" + name + "' has shape " + java.util.Arrays.toString(shape) + ", which holds "
                    + expected + " elements, but its data has " + elements.size(), List.of(new KeelException.FieldError(name,
                    "expected " + expected + " elements, got " + elements.size())));
        }
        Object array = allocate(type, elements.size());
        for (int i = 0; i < elements.size(); i++) {
            try {
                store(array, type, i, Cells.convert(elements.get(i), type, java.util.Optional.empty(), false));
            } catch (Cells.BadValue e) {
                throw new KeelException(ErrorCode.INVALID_INPUT, "input '" + name + "' element " + i + " is invalid for datatype " + type + ": "
                        + e.getMessage(), List.of(new KeelException.FieldError(name + "[" + i + "]", e.getMessage())));
            }
        }
        return new Tensor(type, shape, array);
    }

    /**
     * The common case, read without boxing: a flat array of numbers that all fit the float type. Null for anything else
     * (nested arrays, a wrong count, a bad element), which the general path then reads or names as the error.
     */
    private static Tensor flatNumbers(DataType type, long[] shape, JsonNode data) {
        int size = data.size();
        if (shape.length == 0 || size != Tensor.elementCount(shape)) {
            return null;
        }
        if (type == DataType.FP32) {
            float[] values = new float[size];
            for (int i = 0; i < size; i++) {
                JsonNode node = data.get(i);
                if (!node.isNumber()) {
                    return null;
                }
                double value = node.doubleValue();
                if (Double.isFinite(value) && Math.abs(value) > Float.MAX_VALUE) {
                    return null;
                }
                values[i] = (float) value;
            }
            return new Tensor(type, shape, values);
        }
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            JsonNode node = data.get(i);
            if (!node.isNumber()) {
                return null;
            }
            values[i] = node.doubleValue();
        }
        return new Tensor(type, shape, values);
    }

    private static void flatten(JsonNode node, List<JsonNode> into) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, into));
        } else {
            into.add(node);
        }
    }

    /** A typed array of {@code size} elements for the type. */
    static Object allocate(DataType type, int size) {
        return java.lang.reflect.Array.newInstance(Tensor.arrayClass(type).getComponentType(), size);
    }

    /**
     * Stores an already checked value: a {@link Number} for numeric types, a {@link Boolean} for BOOL, a {@link String} for BYTES.
     */
    static void store(Object array, DataType type, int index, Object value) {
        switch (type) {
            case BOOL -> ((boolean[]) array)[index] = (Boolean) value;
            case INT8, UINT8 -> ((byte[]) array)[index] = ((Number) value).byteValue();
            case INT16, UINT16 -> ((short[]) array)[index] = ((Number) value).shortValue();
            case FP16 -> ((short[]) array)[index] = Float.floatToFloat16(((Number) value).floatValue());
            case INT32, UINT32 -> ((int[]) array)[index] = ((Number) value).intValue();
            case INT64, UINT64 -> ((long[]) array)[index] = ((Number) value).longValue();
            case FP32 -> ((float[]) array)[index] = ((Number) value).floatValue();
            case FP64 -> ((double[]) array)[index] = ((Number) value).doubleValue();
            case BYTES -> ((String[]) array)[index] = (String) value;
        }
    }
}
