package dev.keel.server.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the common shape of an Open Inference Protocol v2 request — {@code {"id"?, "inputs": [{"name", "shape",
 * "datatype": "FP32"|"FP64", "data": [flat numbers]}]}} — straight from the bytes into typed arrays, with no JSON tree.
 * Anything else (other fields, other datatypes, nested data, a value out of place, any error) gives null, and the request
 * is read by the general path, which also names every error; so this path only ever answers what that one would.
 */
final class V2Body {
    private V2Body() {
    }

    /** What a request of the common shape asks. */
    record Request(Optional<String> id, Map<String, Tensor> inputs) {
    }

    static Request read(JsonFactory factory, byte[] body) {
        try (JsonParser parser = factory.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Optional<String> id = Optional.empty();
            Map<String, Tensor> inputs = null;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("id") && value == JsonToken.VALUE_STRING && id.isEmpty()) {
                    id = Optional.of(parser.getText());
                } else if (field.equals("inputs") && value == JsonToken.START_ARRAY && inputs == null) {
                    inputs = inputs(parser);
                    if (inputs == null) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            if (token != JsonToken.END_OBJECT || inputs == null || inputs.isEmpty() || parser.nextToken() != null) {
                return null;
            }
            return new Request(id, inputs);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Map<String, Tensor> inputs(JsonParser parser) throws IOException {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
            String name = null;
            long[] shape = null;
            DataType type = null;
            double[] data = null;
            int count = 0;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("name") && value == JsonToken.VALUE_STRING && name == null) {
                    name = parser.getText();
                } else if (field.equals("shape") && value == JsonToken.START_ARRAY && shape == null) {
                    shape = shape(parser);
                    if (shape == null) {
                        return null;
                    }
                } else if (field.equals("datatype") && value == JsonToken.VALUE_STRING && type == null) {
                    String text = parser.getText();
                    type = text.equals("FP32") ? DataType.FP32 : text.equals("FP64") ? DataType.FP64 : null;
                    if (type == null) {
                        return null;
                    }
                } else if (field.equals("data") && value == JsonToken.START_ARRAY && data == null) {
                    data = new double[shape == null ? 64 : (int) Math.min(Math.max(Tensor.elementCount(shape), 1), 1 << 20)];
                    while ((token = parser.nextToken()) == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NUMBER_INT) {
                        double number = parser.getDoubleValue();
                        if (!Double.isFinite(number)) {
                            return null;
                        }
                        if (count == data.length) {
                            data = Arrays.copyOf(data, count * 2);
                        }
                        data[count++] = number;
                    }
                    if (token != JsonToken.END_ARRAY) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            if (token != JsonToken.END_OBJECT || name == null || name.isEmpty() || shape == null || type == null || data == null
                    || inputs.containsKey(name) || shape.length == 0 || Tensor.elementCount(shape) != count) {
                return null;
            }
            Tensor tensor = tensor(type, shape, data, count);
            if (tensor == null) {
                return null;
            }
            inputs.put(name, tensor);
        }
        return token == JsonToken.END_ARRAY ? inputs : null;
    }

    private static long[] shape(JsonParser parser) throws IOException {
        long[] shape = new long[4];
        int rank = 0;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
            long dimension = parser.getLongValue();
            if (dimension < 0) {
                return null;
            }
            if (rank == shape.length) {
                shape = Arrays.copyOf(shape, rank * 2);
            }
            shape[rank++] = dimension;
        }
        return token == JsonToken.END_ARRAY ? Arrays.copyOf(shape, rank) : null;
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
