package dev.keel.core.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.error.KeelException.FieldError;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How named feature values map onto a version's inputs, and the checks every input must pass.
 *
 * <p>A model with one {@code [N, F]} input and a feature schema takes one column per feature, in schema order. Any other
 * model takes one value per input and row, named by the input: a scalar for {@code [N]} or {@code [N, 1]}, a (nested)
 * array for wider inputs. Features of the schema that name inputs are checked against their declared range.
 */
final class InputLayout {
    private static final int MAX_LISTED_ERRORS = 100;

    private final ModelVersion version;
    private final Optional<TensorSpec> columnsInput;
    private final List<FeatureSpec> features;
    private final Map<String, FeatureSpec> featuresByName;

    InputLayout(ModelVersion version) {
        this.version = version;
        this.features = version.features();
        this.featuresByName = features.stream().collect(Collectors.toMap(FeatureSpec::name, Function.identity(), (a, b) -> a,
                LinkedHashMap::new));
        List<TensorSpec> inputs = version.signature().inputs();
        boolean columns = !features.isEmpty() && inputs.size() == 1 && inputs.getFirst().rank() == 2
                && !featuresByName.containsKey(inputs.getFirst().name());
        this.columnsInput = columns ? Optional.of(inputs.getFirst()) : Optional.empty();
    }

    ModelVersion version() {
        return version;
    }

    /** The names a record may carry, in order. */
    List<String> fieldNames() {
        if (columnsInput.isPresent()) {
            return features.stream().map(FeatureSpec::name).toList();
        }
        return version.signature().inputs().stream().map(TensorSpec::name).toList();
    }

    /**
     * Builds the input tensors from records of named values, checking every field.
     *
     * @param ignoreExtra true to skip fields the version does not know (a shadow version with fewer features)
     * @throws KeelException {@code INVALID_INPUT} naming every bad field and row
     */
    Map<String, Tensor> encode(List<JsonNode> records, boolean ignoreExtra) {
        if (records.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_INPUT, "'instances' is empty; send at least one record",
                    List.of(new FieldError("instances", "expected at least one record")));
        }
        Errors errors = new Errors();
        Set<Integer> badRows = new TreeSet<>();
        Set<String> known = new LinkedHashSet<>(fieldNames());
        for (int row = 0; row < records.size(); row++) {
            JsonNode record = records.get(row);
            if (!record.isObject()) {
                errors.add(new FieldError("instances[" + row + "]", "expected an object of feature values, got " + Cells.show(record)));
                badRows.add(row);
                continue;
            }
            for (Iterator<String> names = record.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!known.contains(name) && !ignoreExtra) {
                    errors.add(new FieldError("instances[" + row + "]." + name, "unknown feature; expected only " + known));
                    badRows.add(row);
                }
            }
        }
        Map<String, Tensor> tensors = columnsInput.isPresent() ? encodeColumns(records, columnsInput.get(), errors, badRows)
                : encodeInputs(records, errors, badRows);
        if (!errors.isEmpty()) {
            throw invalid(errors, badRows, records.size());
        }
        return tensors;
    }

    private Map<String, Tensor> encodeColumns(List<JsonNode> records, TensorSpec input, Errors errors, Set<Integer> badRows) {
        int width = features.size();
        Object data = TensorValues.allocate(input.type(), Math.multiplyExact(records.size(), width));
        for (int row = 0; row < records.size(); row++) {
            JsonNode record = records.get(row);
            if (!record.isObject()) {
                continue;
            }
            for (int column = 0; column < width; column++) {
                FeatureSpec feature = features.get(column);
                try {
                    TensorValues.store(data, input.type(), row * width + column,
                            Cells.convert(record.get(feature.name()), input.type(), Optional.of(feature), true));
                } catch (Cells.BadValue e) {
                    errors.add(new FieldError("instances[" + row + "]." + feature.name(), e.getMessage()));
                    badRows.add(row);
                }
            }
        }
        return Map.of(input.name(), new Tensor(input.type(), new long[] {records.size(), width}, data));
    }

    private Map<String, Tensor> encodeInputs(List<JsonNode> records, Errors errors, Set<Integer> badRows) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec input : version.signature().inputs()) {
            Optional<FeatureSpec> feature = Optional.ofNullable(featuresByName.get(input.name()));
            if (input.rank() == 0) {
                if (records.size() != 1) {
                    errors.add(new FieldError("instances", "input '" + input.name() + "' is a scalar, so send exactly one record; got "
                            + records.size()));
                    continue;
                }
                try {
                    JsonNode value = records.getFirst().get(input.name());
                    Object data = TensorValues.allocate(input.type(), 1);
                    TensorValues.store(data, input.type(), 0, Cells.convert(value, input.type(), feature, true));
                    tensors.put(input.name(), new Tensor(input.type(), new long[0], data));
                } catch (Cells.BadValue e) {
                    errors.add(new FieldError("instances[0]." + input.name(), e.getMessage()));
                    badRows.add(0);
                }
                continue;
            }
            long leading = input.shape().getFirst();
            if (leading >= 0 && leading != records.size()) {
                errors.add(new FieldError("instances", "input '" + input.name() + "' takes exactly " + leading + " rows, got "
                        + records.size() + "; use the v2 infer API for inputs without a batch dimension"));
                continue;
            }
            encodeInput(records, input, feature, errors, badRows).ifPresent(tensor -> tensors.put(input.name(), tensor));
        }
        return tensors;
    }

    private static Optional<Tensor> encodeInput(List<JsonNode> records, TensorSpec input, Optional<FeatureSpec> feature,
                                                Errors errors, Set<Integer> badRows) {
        List<Long> trailing = input.shape().subList(1, input.rank());
        long[] rowShape = null;
        List<List<JsonNode>> rowValues = new ArrayList<>(records.size());
        for (int row = 0; row < records.size(); row++) {
            JsonNode record = records.get(row);
            String field = "instances[" + row + "]." + input.name();
            if (!record.isObject()) {
                rowValues.add(List.of());
                continue;
            }
            JsonNode value = record.get(input.name());
            if (value == null || value.isNull()) {
                errors.add(new FieldError(field, "missing; expected a value for input '" + input.name() + "'"));
                badRows.add(row);
                rowValues.add(List.of());
                continue;
            }
            List<Long> shape = new ArrayList<>();
            List<JsonNode> flat = new ArrayList<>();
            if (!flatten(value, 0, shape, flat)) {
                errors.add(new FieldError(field, "nested arrays are ragged; expected shape " + trailing));
                badRows.add(row);
                rowValues.add(List.of());
                continue;
            }
            long[] actual = conform(shape, trailing);
            if (actual == null) {
                errors.add(new FieldError(field, "has shape " + shape + "; input '" + input.name() + "' takes " + trailing + " per row"));
                badRows.add(row);
                rowValues.add(List.of());
                continue;
            }
            if (rowShape == null) {
                rowShape = actual;
            } else if (!java.util.Arrays.equals(rowShape, actual)) {
                errors.add(new FieldError(field, "has shape " + shape + " but earlier rows have " + java.util.Arrays.toString(rowShape)));
                badRows.add(row);
            }
            rowValues.add(flat);
        }
        if (rowShape == null) {
            return Optional.empty();
        }
        int rowSize = Math.toIntExact(Tensor.elementCount(rowShape));
        Object data = TensorValues.allocate(input.type(), Math.multiplyExact(records.size(), rowSize));
        for (int row = 0; row < records.size(); row++) {
            List<JsonNode> values = rowValues.get(row);
            if (values.size() != rowSize) {
                continue;
            }
            for (int i = 0; i < rowSize; i++) {
                try {
                    TensorValues.store(data, input.type(), row * rowSize + i, Cells.convert(values.get(i), input.type(), feature, true));
                } catch (Cells.BadValue e) {
                    errors.add(new FieldError("instances[" + row + "]." + input.name() + (rowSize > 1 ? "[" + i + "]" : ""), e.getMessage()));
                    badRows.add(row);
                }
            }
        }
        long[] shape = new long[rowShape.length + 1];
        shape[0] = records.size();
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return Optional.of(new Tensor(input.type(), shape, data));
    }

    /** Flattens nested arrays, recording the shape; false when the nesting is ragged. */
    private static boolean flatten(JsonNode node, int depth, List<Long> shape, List<JsonNode> flat) {
        if (!node.isArray()) {
            if (depth < shape.size()) {
                return false;
            }
            flat.add(node);
            return true;
        }
        if (depth == shape.size()) {
            shape.add((long) node.size());
        } else if (depth > shape.size() || shape.get(depth) != node.size()) {
            return false;
        }
        for (JsonNode child : node) {
            if (!flatten(child, depth + 1, shape, flat)) {
                return false;
            }
        }
        return true;
    }

    /** The row shape a value of this shape fills, or null when it does not fit the declared trailing dimensions. */
    private static long[] conform(List<Long> actual, List<Long> declared) {
        long count = actual.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
        if (declared.isEmpty()) {
            return actual.isEmpty() ? new long[0] : null;
        }
        boolean fixed = declared.stream().allMatch(dimension -> dimension >= 0);
        if (fixed) {
            long expected = declared.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
            if (count == expected && (actual.isEmpty() || actual.size() == declared.size() || actual.size() == 1)) {
                return declared.stream().mapToLong(Long::longValue).toArray();
            }
            return null;
        }
        if (actual.size() != declared.size()) {
            return null;
        }
        for (int i = 0; i < declared.size(); i++) {
            if (declared.get(i) >= 0 && !declared.get(i).equals(actual.get(i))) {
                return null;
            }
        }
        return actual.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Checks tensors given directly (the v2 protocol): every input present and no other, types and shapes as declared, and
     * values within the feature schema.
     */
    void check(Map<String, Tensor> tensors) {
        Errors errors = new Errors();
        for (String name : tensors.keySet()) {
            if (version.signature().input(name).isEmpty()) {
                errors.add(new FieldError(name, "unknown input; " + version.label() + " takes "
                        + version.signature().inputs().stream().map(TensorSpec::name).toList()));
            }
        }
        for (TensorSpec input : version.signature().inputs()) {
            Tensor tensor = tensors.get(input.name());
            if (tensor == null) {
                errors.add(new FieldError(input.name(), "missing; expected " + input.type() + " " + input.shape()));
                continue;
            }
            if (tensor.type() != input.type()) {
                errors.add(new FieldError(input.name(), "has datatype " + tensor.type() + " but the model takes " + input.type()));
                continue;
            }
            if (!fits(tensor.shape(), input.shape())) {
                errors.add(new FieldError(input.name(), "has shape " + java.util.Arrays.toString(tensor.shape()) + " but the model takes "
                        + input.shape() + " (-1: any size)"));
                continue;
            }
            checkValues(input, tensor, errors);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors, Set.of(), 0);
        }
    }

    private void checkValues(TensorSpec input, Tensor tensor, Errors errors) {
        int size = tensor.size();
        if (columnsInput.isPresent() && columnsInput.get().name().equals(input.name()) && tensor.shape()[1] == features.size()) {
            int width = features.size();
            for (int i = 0; i < size; i++) {
                FeatureSpec feature = features.get(i % width);
                String problem = problem(tensor, i, feature);
                if (problem != null && errors.full()) {
                    errors.count();
                } else if (problem != null) {
                    errors.add(new FieldError(input.name() + "[" + (i / width) + "]." + feature.name(), problem));
                }
            }
            return;
        }
        FeatureSpec feature = featuresByName.get(input.name());
        if (feature != null) {
            for (int i = 0; i < size; i++) {
                String problem = problem(tensor, i, feature);
                if (problem != null && errors.full()) {
                    errors.count();
                } else if (problem != null) {
                    errors.add(new FieldError(input.name() + "[" + i + "]", problem));
                }
            }
        }
    }

    /** What is wrong with element {@code index} as a value of the feature, or null; the field name is built only on error. */
    private static String problem(Tensor tensor, int index, FeatureSpec feature) {
        switch (tensor.type()) {
            case FP32, FP64, INT8, INT16, INT32, INT64 -> {
                return Cells.problem(tensor.doubleAt(index), feature);
            }
            case BOOL -> {
                return null;
            }
            default -> {
                try {
                    Cells.check(TensorValues.element(tensor, index), feature);
                    return null;
                } catch (Cells.BadValue e) {
                    return e.getMessage();
                }
            }
        }
    }

    static boolean fits(long[] shape, List<Long> declared) {
        if (shape.length != declared.size()) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (declared.get(i) >= 0 && declared.get(i) != shape[i]) {
                return false;
            }
        }
        return true;
    }

    private KeelException invalid(Errors errors, Set<Integer> badRows, int rows) {
        List<FieldError> listed = errors.listed();
        String where = badRows.isEmpty() ? "" : (rows > 1 ? " in rows " + shown(badRows) : "");
        String summary = listed.stream().limit(5).map(error -> error.field() + ": " + error.message()).collect(Collectors.joining("; "));
        String message = errors.size() + " invalid input" + (errors.size() == 1 ? "" : "s") + " for " + version.label() + where + ": "
                + summary + (errors.size() > 5 ? "; ..." : "");
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("errorsTotal", errors.size());
        if (!badRows.isEmpty()) {
            extensions.put("rows", badRows.stream().limit(MAX_LISTED_ERRORS).toList());
            extensions.put("rowsTotal", badRows.size());
        }
        return new KeelException(ErrorCode.INVALID_INPUT, message, listed, extensions, null);
    }

    /** The first rows of a set, for a message: all when few, else the first ten and how many more. */
    private static String shown(Set<Integer> rows) {
        if (rows.size() <= 10) {
            return rows.toString();
        }
        return rows.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", ", "[", ", ... and " + (rows.size() - 10) + " more]"));
    }

    /** The errors of one call: the first {@link #MAX_LISTED_ERRORS} kept, all counted; so a huge bad body costs no more. */
    private static final class Errors {
        private final List<FieldError> listed = new ArrayList<>();
        private int total;

        void add(FieldError error) {
            if (listed.size() < MAX_LISTED_ERRORS) {
                listed.add(error);
            }
            total++;
        }

        /** True when no more errors are listed, only counted. */
        boolean full() {
            return listed.size() == MAX_LISTED_ERRORS;
        }

        /** Counts an error past the listed ones. */
        void count() {
            total++;
        }

        boolean isEmpty() {
            return total == 0;
        }

        /** Every error counted, listed or not. */
        int size() {
            return total;
        }

        List<FieldError> listed() {
            return List.copyOf(listed);
        }
    }
}
