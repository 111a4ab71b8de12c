package dev.keel.core.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the outputs of a configured default response for the version that failed: every output its signature declares,
 * under the same name, with the declared datatype and shape, each row holding the configured one-row value.
 */
final class DefaultResponse {
    private DefaultResponse() {
    }

    /**
     * Checks the form of a configured response, before any version is known: each value a number, string or boolean, or a
     * flat list of one of them.
     *
     * @throws KeelException naming the output whose value is neither
     */
    static void checkForm(Map<String, Object> response) {
        for (Map.Entry<String, Object> entry : new TreeMap<>(response).entrySet()) {
            List<?> row = row(entry.getValue());
            KeelException.requireArgument(!row.isEmpty(), "fallback.response.%s must not be an empty list", entry.getKey());
            boolean uniform = row.stream().allMatch(Number.class::isInstance) || row.stream().allMatch(String.class::isInstance)
                    || row.stream().allMatch(Boolean.class::isInstance);
            if (!uniform) {
                throw KeelException.badRequest("fallback.response." + entry.getKey() + " must be a number, string or boolean, or a flat list "
                        + "of one of them; got " + row);
            }
        }
    }

    /** Why the response cannot answer for this version (an output it lacks, a value of the wrong type or length); empty when it can. */
    static List<String> problems(Map<String, Object> response, ModelVersion version) {
        List<String> problems = new ArrayList<>();
        for (TensorSpec spec : version.signature().outputs()) {
            Object value = response.get(spec.name());
            if (value == null) {
                problems.add("fallback.response gives no value for output '" + spec.name() + "' (" + describe(spec) + ") of " + version.label());
                continue;
            }
            try {
                tensor(spec, value, 1);
            } catch (IllegalArgumentException e) {
                problems.add("fallback.response." + spec.name() + " does not fit " + version.label() + ": " + e.getMessage());
            }
        }
        List<String> known = version.signature().outputs().stream().map(TensorSpec::name).toList();
        response.keySet().stream().filter(name -> !known.contains(name)).sorted().forEach(name -> problems.add("fallback.response." + name
                + " is not an output of " + version.label() + "; its outputs are " + known));
        return problems;
    }

    /**
     * The outputs for {@code rows} rows, shaped and typed as the version declares them.
     *
     * @return empty when the response does not fit the version (see {@link #problems})
     */
    static Optional<Map<String, Tensor>> outputs(Map<String, Object> response, ModelVersion version, int rows) {
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (TensorSpec spec : version.signature().outputs()) {
            Object value = response.get(spec.name());
            if (value == null) {
                return Optional.empty();
            }
            try {
                outputs.put(spec.name(), tensor(spec, value, rows));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(outputs);
    }

    private static Tensor tensor(TensorSpec spec, Object value, int rows) {
        List<?> row = row(value);
        List<Long> declared = spec.shape();
        long[] shape;
        if (declared.isEmpty()) {
            shape = new long[0];
        } else if (declared.size() == 1) {
            shape = new long[] {rows};
        } else {
            shape = new long[declared.size()];
            shape[0] = rows;
            long known = 1;
            int dynamic = -1;
            for (int i = 1; i < declared.size(); i++) {
                long dimension = declared.get(i);
                if (dimension < 0) {
                    if (dynamic >= 0) {
                        throw new IllegalArgumentException("the output has more than one dynamic dimension after the first " + declared);
                    }
                    dynamic = i;
                } else {
                    known *= dimension;
                }
                shape[i] = dimension;
            }
            if (dynamic >= 0) {
                if (known == 0 || row.size() % known != 0) {
                    throw new IllegalArgumentException(row.size() + " values do not fill a row of shape " + declared);
                }
                shape[dynamic] = row.size() / known;
            }
        }
        int perRow = shape.length <= 1 ? 1 : (int) (Tensor.elementCount(shape) / rows);
        if (row.size() != perRow) {
            throw new IllegalArgumentException("a row of shape " + declared + " holds " + perRow + " value(s), got " + row.size());
        }
        DataType type = spec.type();
        int count = shape.length == 0 ? 1 : rows * perRow;
        Object data = TensorValues.allocate(type, count);
        List<Object> converted = new ArrayList<>();
        for (Object element : row) {
            JsonNode node = Json.MAPPER.valueToTree(element);
            try {
                converted.add(Cells.convert(node, type, Optional.empty(), true));
            } catch (Cells.BadValue e) {
                throw new IllegalArgumentException("value " + element + " is not " + type + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < count; i++) {
            TensorValues.store(data, type, i, converted.get(i % perRow));
        }
        return new Tensor(type, shape, data);
    }

    private static List<?> row(Object value) {
        return value instanceof List<?> list ? list : java.util.Collections.singletonList(value == null ? "" : value);
    }

    private static String describe(TensorSpec spec) {
        return spec.type() + " " + spec.shape();
    }
}
