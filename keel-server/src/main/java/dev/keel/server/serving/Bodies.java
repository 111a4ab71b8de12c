package dev.keel.server.serving;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.serving.InputLimits;
import dev.keel.server.Call;
import java.io.IOException;
import java.io.Serial;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Reads prediction bodies: JSON that may hold NaN and Infinity, so that such values are named as bad fields, not as bad JSON.
 * Numbers are read with Jackson's fast (and still correctly rounded) floating-point parser: a body is mostly numbers. The
 * tree is built under the call's {@link InputLimits}: reading stops with a 413 at the first value past the limit, so a
 * body of millions of values never becomes millions of nodes.
 */
final class Bodies {
    private static final ObjectMapper LENIENT = Json.MAPPER.copy().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());

    private Bodies() {
    }

    /** The raw body of a prediction call: present and declared as JSON (else 400 or 415). */
    static byte[] jsonBytes(Call call) {
        byte[] bytes = call.body();
        if (bytes.length == 0) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the request needs a JSON body");
        }
        call.requireJsonContent();
        return bytes;
    }

    static JsonNode read(Call call, InputLimits limits) {
        return read(jsonBytes(call), limits);
    }

    /** The bytes of a prediction body read as a JSON object under the limits: 413 past them, 400 when not a JSON object. */
    static JsonNode read(byte[] bytes, InputLimits limits) {
        JsonNode body;
        CountingNodes nodes = new CountingNodes(limits);
        try {
            body = LENIENT.reader().with(nodes).readTree(bytes);
        } catch (TooManyValues e) {
            throw limits.tooManyValues();
        } catch (IOException e) {
            if (e.getCause() instanceof TooManyValues) {
                throw limits.tooManyValues();
            }
            throw Call.invalidJson(e);
        }
        if (body == null || !body.isObject()) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        }
        return body;
    }

    /** A v2 datatype exactly as the protocol spells it (upper case); anything else is a 400 listing the allowed values. */
    static dev.keel.spi.DataType datatype(String input, JsonNode node) {
        if (node.isTextual()) {
            for (dev.keel.spi.DataType type : dev.keel.spi.DataType.values()) {
                if (type.name().equals(node.textValue())) {
                    return type;
                }
            }
        }
        String shown = node.isMissingNode() ? "none" : node.toString().length() > 40 ? node.toString().substring(0, 40) + "..." : node.toString();
        throw new KeelException(ErrorCode.INVALID_REQUEST, "input '" + input + "' has datatype " + shown + "; expected one of " + DATATYPES
                + " (upper case, as the Open Inference Protocol spells them)", java.util.List.of(new KeelException.FieldError(input + ".datatype",
                "expected one of " + DATATYPES)));
    }

    private static final String DATATYPES = java.util.Arrays.stream(dev.keel.spi.DataType.values()).map(Enum::name)
            .collect(java.util.stream.Collectors.joining(", "));

    /**
     * Refuses NaN and infinities in the data of a v2 input with a 400 naming the input and the element's index (row-major):
     * JSON has no such numbers, and Keel's predict API refuses them the same way.
     */
    static void refuseNonFinite(String input, JsonNode data) {
        long[] index = {0};
        refuseNonFinite(data, index, at -> input + "[" + at + "]", input);
    }

    private static void refuseNonFinite(JsonNode node, long[] index, java.util.function.LongFunction<String> field, String input) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                refuseNonFinite(child, index, field, input);
            }
            return;
        }
        if (node.isNumber() && node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw nonFinite(field.apply(index[0]), "input '" + input + "' element " + index[0], node.doubleValue());
        }
        index[0]++;
    }

    /**
     * Refuses NaN and infinities in a predict body ({@code instances} or {@code columns}) with a 400 naming the feature and
     * the row, as the v2 path does.
     */
    static void refuseNonFinitePredict(JsonNode body) {
        JsonNode instances = body.get("instances");
        if (instances != null && instances.isArray()) {
            for (int row = 0; row < instances.size(); row++) {
                JsonNode record = instances.get(row);
                if (record.isObject()) {
                    for (java.util.Map.Entry<String, JsonNode> field : record.properties()) {
                        refuseNonFiniteValue(field.getValue(), "instances[" + row + "]." + field.getKey(), field.getKey(), row);
                    }
                }
            }
        }
        JsonNode columns = body.get("columns");
        if (columns != null && columns.isObject()) {
            for (java.util.Map.Entry<String, JsonNode> column : columns.properties()) {
                if (column.getValue().isArray()) {
                    for (int row = 0; row < column.getValue().size(); row++) {
                        refuseNonFiniteValue(column.getValue().get(row), "columns." + column.getKey() + "[" + row + "]", column.getKey(), row);
                    }
                }
            }
        }
    }

    private static void refuseNonFiniteValue(JsonNode value, String field, String feature, int row) {
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                refuseNonFiniteValue(value.get(i), field + "[" + i + "]", feature, row);
            }
        } else if (value.isNumber() && value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
            throw nonFinite(field, "feature '" + feature + "' in row " + row, value.doubleValue());
        }
    }

    private static KeelException nonFinite(String field, String where, double value) {
        String shown = Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
        return new KeelException(ErrorCode.INVALID_REQUEST, field + " is " + shown + " (" + where + "); numbers must be finite: NaN and "
                + "infinities are refused", java.util.List.of(new KeelException.FieldError(field, "expected a finite number, got " + shown)));
    }

    /** Thrown by {@link CountingNodes} past the limit; carries no stack trace. */
    private static final class TooManyValues extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        TooManyValues() {
            super("too many values", null, false, false);
        }
    }

    /** A node factory for one body that counts the nodes it makes and refuses the first past the limit. */
    private static final class CountingNodes extends JsonNodeFactory {
        @Serial
        private static final long serialVersionUID = 1L;
        private final long max;
        private long made;

        CountingNodes(InputLimits limits) {
            // the values themselves, and as many containers again (a record per row, an array per column)
            this.max = 2L * limits.maxTensorElements() + 64;
        }

        private <T> T count(T node) {
            if (++made > max) {
                throw new TooManyValues();
            }
            return node;
        }

        @Override
        public ArrayNode arrayNode() {
            return count(super.arrayNode());
        }

        @Override
        public ArrayNode arrayNode(int capacity) {
            return count(super.arrayNode(Math.min(capacity, 1024)));
        }

        @Override
        public ObjectNode objectNode() {
            return count(super.objectNode());
        }

        @Override
        public com.fasterxml.jackson.databind.node.NullNode nullNode() {
            return count(super.nullNode());
        }

        @Override
        public com.fasterxml.jackson.databind.node.BooleanNode booleanNode(boolean value) {
            return count(super.booleanNode(value));
        }

        @Override
        public TextNode textNode(String text) {
            return count(super.textNode(text));
        }

        @Override
        public NumericNode numberNode(int value) {
            return count(super.numberNode(value));
        }

        @Override
        public NumericNode numberNode(long value) {
            return count(super.numberNode(value));
        }

        @Override
        public NumericNode numberNode(double value) {
            return count(super.numberNode(value));
        }

        @Override
        public NumericNode numberNode(float value) {
            return count(super.numberNode(value));
        }

        @Override
        public ValueNode numberNode(BigInteger value) {
            return count(super.numberNode(value));
        }

        @Override
        public ValueNode numberNode(BigDecimal value) {
            return count(super.numberNode(value));
        }
    }
}
