package dev.keel.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor in row-major order.
 *
 * <p>{@code data} is a flat primitive array matching the type: {@code boolean[]} for BOOL, {@code byte[]} for INT8 and
 * UINT8, {@code short[]} for INT16, UINT16 and FP16 (raw half-precision bits), {@code int[]} for INT32 and UINT32,
 * {@code long[]} for INT64 and UINT64, {@code float[]} for FP32, {@code double[]} for FP64 and {@code String[]} for BYTES.
 * A tensor is a value: nothing changes its array once it is made, so it may be shared (with listeners, shadows, logs).
 */
public record Tensor(DataType type, long[] shape, Object data) {
    public Tensor {
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        Objects.requireNonNull(data, "data");
        Class<?> expected = arrayClass(type);
        if (!expected.isInstance(data)) {
            throw new IllegalArgumentException("tensor of type " + type + " needs a " + expected.getSimpleName()
                    + " but got " + data.getClass().getSimpleName());
        }
        long elements = elementCount(shape);
        int length = java.lang.reflect.Array.getLength(data);
        if (elements != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements
                    + " elements but data has " + length);
        }
    }

    /** The Java array class that holds elements of this type. */
    public static Class<?> arrayClass(DataType type) {
        return switch (type) {
            case BOOL -> boolean[].class;
            case INT8, UINT8 -> byte[].class;
            case INT16, UINT16, FP16 -> short[].class;
            case INT32, UINT32 -> int[].class;
            case INT64, UINT64 -> long[].class;
            case FP32 -> float[].class;
            case FP64 -> double[].class;
            case BYTES -> String[].class;
        };
    }

    /** The number of elements a tensor of this shape holds. */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("dimension must be >= 0, got " + dimension);
            }
            count = Math.multiplyExact(count, dimension);
        }
        return count;
    }

    /** The dimensions; a copy, so callers may change it freely. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The size of one dimension, without copying the shape. */
    public long dimension(int index) {
        return shape[index];
    }

    /** The number of elements. */
    public int size() {
        return java.lang.reflect.Array.getLength(data);
    }

    /** Element {@code index} widened to a double; BYTES and BOOL are not numeric and throw. */
    public double doubleAt(int index) {
        return switch (data) {
            case float[] values -> values[index];
            case double[] values -> values[index];
            case long[] values -> values[index];
            case int[] values -> values[index];
            case short[] values -> values[index];
            case byte[] values -> values[index];
            case boolean[] values -> values[index] ? 1 : 0;
            default -> throw new IllegalStateException(type + " tensor is not numeric");
        };
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor tensor && type == tensor.type && Arrays.equals(shape, tensor.shape)
                && Objects.deepEquals(data, tensor.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "Tensor[" + type + " " + Arrays.toString(shape) + "]";
    }
}
