package dev.keel.core.serving;

import dev.keel.core.error.KeelException;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the outputs of a configured default response: each output's one-row value repeated for every row. */
final class DefaultResponse {
    private DefaultResponse() {
    }

    /**
     * The outputs for {@code rows} rows: a number becomes FP64 {@code [rows]}, a string BYTES, a boolean BOOL, and a flat list
     * of them a {@code [rows, length]} tensor.
     *
     * @throws KeelException naming the output whose value is neither
     */
    static Map<String, Tensor> outputs(Map<String, Object> response, int rows) {
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : new TreeMap<>(response).entrySet()) {
            Object value = entry.getValue();
            List<?> row = value instanceof List<?> list ? list : List.of(value == null ? "" : value);
            KeelException.requireArgument(!row.isEmpty(), "fallback.response.%s must not be an empty list", entry.getKey());
            DataType type = type(entry.getKey(), row);
            Object data = TensorValues.allocate(type, rows * row.size());
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < row.size(); i++) {
                    TensorValues.store(data, type, r * row.size() + i, row.get(i));
                }
            }
            long[] shape = value instanceof List<?> ? new long[] {rows, row.size()} : new long[] {rows};
            outputs.put(entry.getKey(), new Tensor(type, shape, data));
        }
        return outputs;
    }

    private static DataType type(String name, List<?> values) {
        if (values.stream().allMatch(Number.class::isInstance)) {
            return DataType.FP64;
        }
        if (values.stream().allMatch(String.class::isInstance)) {
            return DataType.BYTES;
        }
        if (values.stream().allMatch(Boolean.class::isInstance)) {
            return DataType.BOOL;
        }
        throw KeelException.badRequest("fallback.response." + name + " must be a number, string or boolean, or a flat list of one of them; got "
                + values);
    }
}
