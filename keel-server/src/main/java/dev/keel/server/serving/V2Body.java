package dev.keel.server.serving;

import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the common shape of an Open Inference Protocol v2 request — {@code {"id"?, "inputs": [{"name", "shape",
 * "datatype": "FP32"|"FP64", "data": [flat numbers]}]}} — straight from the bytes into typed arrays, with no JSON tree and
 * no tokenizer. Anything else (other fields, other datatypes, nested data, escapes or non-ASCII text in strings, a value
 * out of place, anything that is not strict JSON) gives null, and the request is read by the general path, which also
 * names every error; so this path only ever answers what that one would.
 */
final class V2Body {
    private static final long EXACT_MANTISSA = 1L << 53;
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };

    private final byte[] bytes;
    private final int maxElements;
    private int elements;
    private int at;

    private V2Body(byte[] bytes, int maxElements) {
        this.bytes = bytes;
        this.maxElements = maxElements;
    }

    /** What a request of the common shape asks. */
    record Request(Optional<String> id, Map<String, Tensor> inputs) {
    }

    /** The request, or null when it is not of the common shape. */
    static Request read(byte[] body) {
        return read(body, Integer.MAX_VALUE - 8);
    }

    /**
     * The request, or null when it is not of the common shape or holds more than {@code maxElements} elements over all its
     * inputs (the general path then names the limit): no array grows past the limit.
     */
    static Request read(byte[] body, int maxElements) {
        try {
            return new V2Body(body, maxElements).request();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Request request() {
        if (!skipTo('{')) {
            return null;
        }
        Optional<String> id = Optional.empty();
        Map<String, Tensor> inputs = null;
        boolean first = true;
        while (true) {
            if (first && peekAfterSpace() == '}') {
                at++;
                break;
            }
            if (!first && !skipTo(',')) {
                if (!skipTo('}')) {
                    return null;
                }
                break;
            }
            first = false;
            String field = fieldName();
            if (field == null) {
                return null;
            }
            if (field.equals("id") && id.isEmpty()) {
                String value = string();
                if (value == null) {
                    return null;
                }
                id = Optional.of(value);
            } else if (field.equals("inputs") && inputs == null) {
                inputs = inputs();
                if (inputs == null) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (inputs == null || inputs.isEmpty() || peekAfterSpace() != -1) {
            return null;
        }
        return new Request(id, inputs);
    }

    private Map<String, Tensor> inputs() {
        if (!skipTo('[')) {
            return null;
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        if (peekAfterSpace() == ']') {
            at++;
            return inputs;
        }
        do {
            if (!input(inputs)) {
                return null;
            }
        } while (skipTo(','));
        return skipTo(']') ? inputs : null;
    }

    private boolean input(Map<String, Tensor> inputs) {
        if (!skipTo('{')) {
            return false;
        }
        String name = null;
        long[] shape = null;
        DataType type = null;
        double[] data = null;
        int[] count = {0};
        do {
            String field = fieldName();
            if (field == null) {
                return false;
            }
            if (field.equals("name") && name == null) {
                name = string();
                if (name == null) {
                    return false;
                }
            } else if (field.equals("shape") && shape == null) {
                shape = shape();
                if (shape == null) {
                    return false;
                }
            } else if (field.equals("datatype") && type == null) {
                String text = string();
                type = "FP32".equals(text) ? DataType.FP32 : "FP64".equals(text) ? DataType.FP64 : null;
                if (type == null) {
                    return false;
                }
            } else if (field.equals("data") && data == null) {
                data = data(shape == null ? 64 : (int) Math.min(Math.min(Math.max(Tensor.elementCount(shape), 1), 1 << 20),
                        Math.max(maxElements - elements, 1)), count);
                if (data == null) {
                    return false;
                }
            } else {
                return false;
            }
        } while (skipTo(','));
        if (!skipTo('}') || name == null || name.isEmpty() || shape == null || type == null || data == null
                || inputs.containsKey(name) || shape.length == 0 || Tensor.elementCount(shape) != count[0]) {
            return false;
        }
        Tensor tensor = tensor(type, shape, data, count[0]);
        if (tensor == null) {
            return false;
        }
        inputs.put(name, tensor);
        return true;
    }

    private long[] shape() {
        if (!skipTo('[')) {
            return null;
        }
        long[] shape = new long[4];
        int rank = 0;
        if (peekAfterSpace() == ']') {
            at++;
            return new long[0];
        }
        do {
            skipSpace();
            long dimension = 0;
            int start = at;
            while (at < bytes.length && bytes[at] >= '0' && bytes[at] <= '9') {
                dimension = dimension * 10 + (bytes[at++] - '0');
            }
            int digits = at - start;
            if (digits == 0 || digits > 18 || (digits > 1 && bytes[start] == '0') || isNumberContinuation()) {
                return null;
            }
            if (rank == shape.length) {
                shape = Arrays.copyOf(shape, rank * 2);
            }
            shape[rank++] = dimension;
        } while (skipTo(','));
        return skipTo(']') ? Arrays.copyOf(shape, rank) : null;
    }

    private boolean isNumberContinuation() {
        return at < bytes.length && (bytes[at] == '.' || bytes[at] == 'e' || bytes[at] == 'E' || bytes[at] == '-' || bytes[at] == '+');
    }

    private double[] data(int capacity, int[] count) {
        if (!skipTo('[')) {
            return null;
        }
        double[] data = new double[capacity];
        int size = 0;
        if (peekAfterSpace() == ']') {
            at++;
            count[0] = 0;
            return data;
        }
        do {
            skipSpace();
            double number = number();
            if (!Double.isFinite(number)) {
                return null;
            }
            if (elements == maxElements) {
                return null;
            }
            if (size == data.length) {
                data = Arrays.copyOf(data, (int) Math.min((long) size * 2, maxElements));
            }
            data[size++] = number;
            elements++;
        } while (skipTo(','));
        count[0] = size;
        return skipTo(']') ? data : null;
    }

    /**
     * A strict JSON number, correctly rounded: exactly by one multiplication or division when the digits and the power of
     * ten are both exact doubles (the common case), else by {@link Double#parseDouble}. NaN when it is not a JSON number.
     * An integer {@code -0} is zero, as the general path reads it (as an integer).
     */
    private double number() {
        int start = at;
        boolean negative = at < bytes.length && bytes[at] == '-';
        if (negative) {
            at++;
        }
        int integerStart = at;
        long mantissa = 0;
        int significant = 0;
        while (at < bytes.length && bytes[at] >= '0' && bytes[at] <= '9') {
            int digit = bytes[at++] - '0';
            if (significant > 0 || digit != 0) {
                significant++;
                mantissa = significant <= 18 ? mantissa * 10 + digit : mantissa;
            }
        }
        int integerDigits = at - integerStart;
        if (integerDigits == 0 || (integerDigits > 1 && bytes[integerStart] == '0')) {
            return Double.NaN;
        }
        int scale = 0;
        if (at < bytes.length && bytes[at] == '.') {
            at++;
            int fractionStart = at;
            while (at < bytes.length && bytes[at] >= '0' && bytes[at] <= '9') {
                int digit = bytes[at++] - '0';
                if (significant > 0 || digit != 0) {
                    significant++;
                    mantissa = significant <= 18 ? mantissa * 10 + digit : mantissa;
                }
                scale++;
            }
            if (at == fractionStart) {
                return Double.NaN;
            }
        }
        int exponent = 0;
        if (at < bytes.length && (bytes[at] == 'e' || bytes[at] == 'E')) {
            at++;
            boolean negativeExponent = false;
            if (at < bytes.length && (bytes[at] == '+' || bytes[at] == '-')) {
                negativeExponent = bytes[at++] == '-';
            }
            int exponentStart = at;
            while (at < bytes.length && bytes[at] >= '0' && bytes[at] <= '9') {
                exponent = exponent < 100_000 ? exponent * 10 + (bytes[at] - '0') : exponent;
                at++;
            }
            if (at == exponentStart) {
                return Double.NaN;
            }
            exponent = negativeExponent ? -exponent : exponent;
        }
        if (negative && mantissa == 0 && at - integerStart == integerDigits) {
            return 0.0;
        }
        int power = exponent - scale;
        if (significant <= 18 && mantissa <= EXACT_MANTISSA && Math.abs(power) < POWERS_OF_TEN.length) {
            double value = power >= 0 ? mantissa * POWERS_OF_TEN[power] : mantissa / POWERS_OF_TEN[-power];
            return negative ? -value : value;
        }
        return Double.parseDouble(new String(bytes, start, at - start, StandardCharsets.ISO_8859_1));
    }

    /** A string of printable ASCII without escapes (null otherwise), after optional white space. */
    private String string() {
        if (!skipTo('"')) {
            return null;
        }
        int start = at;
        while (at < bytes.length) {
            byte b = bytes[at];
            if (b == '"') {
                at++;
                return new String(bytes, start, at - 1 - start, StandardCharsets.ISO_8859_1);
            }
            if (b == '\\' || b < 0x20) {
                return null;
            }
            at++;
        }
        return null;
    }

    private String fieldName() {
        String name = string();
        return name != null && skipTo(':') ? name : null;
    }

    /** Skips white space and then {@code expected} if it comes next; false (having skipped only white space) otherwise. */
    private boolean skipTo(char expected) {
        skipSpace();
        if (at < bytes.length && bytes[at] == expected) {
            at++;
            return true;
        }
        return false;
    }

    /** The next byte after white space, without taking it; -1 at the end. */
    private int peekAfterSpace() {
        skipSpace();
        return at < bytes.length ? bytes[at] : -1;
    }

    private void skipSpace() {
        while (at < bytes.length) {
            byte b = bytes[at];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            at++;
        }
    }

    private static Tensor tensor(DataType type, long[] shape, double[] data, int count) {
        if (type == DataType.FP64) {
            return new Tensor(type, shape, Arrays.copyOf(data, count));
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            if (Math.abs(data[i]) > Float.MAX_VALUE) {
                return null;
            }
            values[i] = (float) data[i];
        }
        return new Tensor(type, shape, values);
    }
}
