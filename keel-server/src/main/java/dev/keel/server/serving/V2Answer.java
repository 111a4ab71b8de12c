package dev.keel.server.serving;

import dev.keel.core.json.Json;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the common Open Inference Protocol v2 answer — outputs of FP32, FP64, INT64 and INT32 tensors, no fallback
 * parameters — straight into bytes, as Jackson's generator would write it (same fields, order and number text; NaN and
 * infinities as strings). Anything else gives null and is written by the generator.
 */
final class V2Answer {
    private byte[] bytes = new byte[256];
    private int length;

    private V2Answer() {
    }

    /** The answer's bytes, or null when it has an output this writer leaves to the generator. */
    static byte[] write(String modelName, int version, String id, Map<String, Tensor> outputs, List<String> requested) {
        for (Tensor tensor : outputs.values()) {
            if (!written(tensor)) {
                return null;
            }
        }
        V2Answer answer = new V2Answer();
        answer.ascii("{\"model_name\":").string(modelName).ascii(",\"model_version\":\"").integer(version).ascii("\",\"id\":").string(id)
                .ascii(",\"outputs\":[");
        boolean first = true;
        for (Map.Entry<String, Tensor> entry : outputs.entrySet()) {
            if (!requested.isEmpty() && !requested.contains(entry.getKey())) {
                continue;
            }
            Tensor tensor = entry.getValue();
            answer.ascii(first ? "{\"name\":" : ",{\"name\":").string(entry.getKey()).ascii(",\"shape\":[");
            for (int i = 0; i < tensor.rank(); i++) {
                if (i > 0) {
                    answer.ascii(",");
                }
                answer.integer(tensor.dimension(i));
            }
            answer.ascii("],\"datatype\":\"").ascii(tensor.type().name()).ascii("\",\"data\":[");
            answer.data(tensor);
            answer.ascii("]}");
            first = false;
        }
        answer.ascii("]}");
        return Arrays.copyOf(answer.bytes, answer.length);
    }

    private static boolean written(Tensor tensor) {
        return switch (tensor.data()) {
            case float[] ignored -> tensor.type() == DataType.FP32;
            case double[] ignored -> tensor.type() == DataType.FP64;
            case long[] ignored -> tensor.type() == DataType.INT64;
            case int[] ignored -> tensor.type() == DataType.INT32;
            default -> false;
        };
    }

    private void data(Tensor tensor) {
        switch (tensor.data()) {
            case float[] values -> {
                for (int i = 0; i < values.length; i++) {
                    comma(i);
                    float value = values[i];
                    if (Float.isFinite(value)) {
                        ascii(Float.toString(value));
                    } else {
                        ascii("\"").ascii(Float.toString(value)).ascii("\"");
                    }
                }
            }
            case double[] values -> {
                for (int i = 0; i < values.length; i++) {
                    comma(i);
                    double value = values[i];
                    if (Double.isFinite(value)) {
                        ascii(Double.toString(value));
                    } else {
                        ascii("\"").ascii(Double.toString(value)).ascii("\"");
                    }
                }
            }
            case long[] values -> {
                for (int i = 0; i < values.length; i++) {
                    comma(i);
                    integer(values[i]);
                }
            }
            case int[] values -> {
                for (int i = 0; i < values.length; i++) {
                    comma(i);
                    integer(values[i]);
                }
            }
            default -> throw new IllegalStateException("not written here: " + tensor);
        }
    }

    private void comma(int index) {
        if (index > 0) {
            room(1);
            bytes[length++] = ',';
        }
    }

    private V2Answer integer(long value) {
        return ascii(Long.toString(value));
    }

    /** Text known to be plain ASCII with nothing to escape. */
    private V2Answer ascii(String text) {
        int count = text.length();
        room(count);
        for (int i = 0; i < count; i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    /** A JSON string as Jackson's generator writes it ({@link Json#appendString}), in UTF-8; plain ASCII is copied directly. */
    private V2Answer string(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                StringBuilder escaped = new StringBuilder(text.length() + 8);
                Json.appendString(escaped, text);
                byte[] encoded = escaped.toString().getBytes(StandardCharsets.UTF_8);
                room(encoded.length);
                System.arraycopy(encoded, 0, bytes, length, encoded.length);
                length += encoded.length;
                return this;
            }
        }
        return ascii("\"").ascii(text).ascii("\"");
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
