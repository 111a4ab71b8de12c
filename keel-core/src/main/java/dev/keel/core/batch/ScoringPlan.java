package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import dev.keel.spi.data.ColumnType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A model version checked against a job's input and outputs: where each feature and key is in the input row, the model's input
 * tensor, and the output columns. Built before the first row is scored; scores one chunk per model call, reusing its input
 * array from chunk to chunk, so a plan serves one run at a time (it is not thread-safe). {@link ScoringRun}
 * writes what it scores to tables; other destinations can use it the same way.
 */
public final class ScoringPlan {
    static final String PROBABILITIES = "probabilities";
    /** The version tag that names the probability columns, in the model's order (as training writes it). */
    static final String CLASSES_TAG = "labels";

    /** One destination column and its portable SQL type. */
    public record OutputColumn(String name, String sqlType) {
    }

    private final ModelVersion version;
    private final int[] featureIndexes;
    private final List<FeatureSpec> features;
    private final int[] keyIndexes;
    private final int keyCount;
    private final String inputName;
    private final DataType inputType;
    private final List<String> classes;
    private final ScoringJobSpec.Outputs outputs;
    private final List<OutputColumn> columns;
    private float[] floatBuffer;
    private double[] doubleBuffer;

    private ScoringPlan(ModelVersion version, int[] featureIndexes, List<FeatureSpec> features, int[] keyIndexes, int keyCount, String inputName,
                        DataType inputType, List<String> classes, ScoringJobSpec.Outputs outputs, List<OutputColumn> columns) {
        this.version = version;
        this.featureIndexes = featureIndexes;
        this.features = features;
        this.keyIndexes = keyIndexes;
        this.keyCount = keyCount;
        this.inputName = inputName;
        this.inputType = inputType;
        this.classes = classes;
        this.outputs = outputs;
        this.columns = columns;
    }

    /** The model's sensitive features with how each is masked: a run that copies one marks it sensitive where it writes it. */
    public dev.keel.core.security.SensitiveColumns sensitiveFeatures() {
        return FeatureSpec.sensitive(features);
    }

    /**
     * Checks the version's feature schema and signature against the input's columns and the job's outputs.
     *
     * @throws KeelException INVALID_INPUT naming each missing or mistyped column, and each unusable output
     */
    public static ScoringPlan check(ScoringJobSpec spec, ModelVersion version, ScoringInput input, String datasetLabel) {
        List<KeelException.FieldError> errors = new ArrayList<>();
        Map<String, ScoringInput.Column> byName = new HashMap<>();
        Map<String, Integer> indexes = new HashMap<>();
        List<ScoringInput.Column> inputColumns = input.columns();
        for (int i = 0; i < inputColumns.size(); i++) {
            byName.put(inputColumns.get(i).name(), inputColumns.get(i));
            indexes.put(inputColumns.get(i).name(), i);
        }
        List<FeatureSpec> features = version.features();
        if (features.isEmpty()) {
            errors.add(new KeelException.FieldError("model", "model " + version.label() + " declares no feature schema; batch scoring needs"
                    + " the features in the model's input order"));
        }
        int[] featureIndexes = new int[features.size()];
        for (int f = 0; f < features.size(); f++) {
            FeatureSpec feature = features.get(f);
            ScoringInput.Column column = byName.get(feature.name());
            if (column == null) {
                errors.add(new KeelException.FieldError(feature.name(), "column '" + feature.name() + "' (feature " + (f + 1) + " of "
                        + features.size() + ", " + feature.type() + ") is missing from " + datasetLabel));
                continue;
            }
            featureIndexes[f] = indexes.get(feature.name());
            boolean numeric = column.type() == ColumnType.INTEGER || column.type() == ColumnType.DOUBLE || column.type() == ColumnType.BOOLEAN;
            if (feature.type().equals("string")) {
                errors.add(new KeelException.FieldError(feature.name(), "feature '" + feature.name() + "' is a string; batch scoring feeds a"
                        + " float tensor and does not encode strings yet"));
            } else if (!numeric) {
                errors.add(new KeelException.FieldError(feature.name(), "column '" + feature.name() + "' is " + column.declared() + " in "
                        + datasetLabel + "; feature '" + feature.name() + "' is " + article(feature.type()) + " " + feature.type()
                        + ", so expected a numeric or boolean column"));
            }
        }
        List<String> copied = spec.copiedColumns();
        int[] keyIndexes = new int[copied.size()];
        List<OutputColumn> columns = new ArrayList<>();
        Map<String, FeatureSpec> featuresByName = new HashMap<>();
        features.forEach(feature -> featuresByName.put(feature.name(), feature));
        for (int k = 0; k < copied.size(); k++) {
            String key = copied.get(k);
            String role = k < spec.keys().size() ? "key" : "carried";
            ScoringInput.Column column = byName.get(key);
            if (column == null) {
                errors.add(new KeelException.FieldError(key, role + " column '" + key + "' is missing from " + datasetLabel));
                continue;
            }
            FeatureSpec feature = featuresByName.get(key);
            if (feature != null && feature.sensitive() && !spec.sensitive().contains(key)) {
                errors.add(new KeelException.FieldError(key, role + " column '" + key + "' is sensitive in model " + version.label()
                        + "'s feature schema; it is copied to the output only when the job lists it under sensitive"));
            }
            keyIndexes[k] = indexes.get(key);
            columns.add(new OutputColumn(key, switch (column.type()) {
                case INTEGER -> "BIGINT";
                case DOUBLE -> "DOUBLE PRECISION";
                case BOOLEAN -> "BOOLEAN";
                case STRING, DATE, TIMESTAMP -> "TEXT";
            }));
        }
        spec.incremental().flatMap(ScoringJobSpec.Incremental::watermark).ifPresent(watermark -> {
            ScoringInput.Column column = byName.get(watermark);
            if (column == null) {
                errors.add(new KeelException.FieldError("incremental.watermark", "watermark column '" + watermark + "' is missing from "
                        + datasetLabel));
            } else if (column.type() == ColumnType.BOOLEAN) {
                errors.add(new KeelException.FieldError("incremental.watermark", "watermark column '" + watermark + "' is BOOLEAN; expected a"
                        + " number, a date, a time stamp or a string that grows with every new or changed row"));
            }
        });
        String inputName = "features";
        DataType inputType = DataType.FP32;
        List<TensorSpec> inputs = version.signature().inputs();
        if (inputs.size() != 1 || inputs.getFirst().rank() != 2 || !isFloat(inputs.getFirst().type())) {
            errors.add(new KeelException.FieldError("model", "model " + version.label() + " declares inputs " + describe(inputs)
                    + "; batch scoring needs exactly one float input [N, " + features.size() + "]"));
        } else {
            TensorSpec tensor = inputs.getFirst();
            inputName = tensor.name();
            inputType = tensor.type();
            long width = tensor.shape().get(1);
            if (width != -1 && width != features.size()) {
                errors.add(new KeelException.FieldError("model", "model " + version.label() + " input '" + inputName + "' takes " + width
                        + " features but its feature schema lists " + features.size()));
            }
        }
        Map<String, TensorSpec> declared = new LinkedHashMap<>();
        version.signature().outputs().forEach(output -> declared.put(output.name(), output));
        List<String> classes = spec.outputs().classes();
        ScoringJobSpec.Outputs wanted = spec.outputs();
        // A version that names its probability columns (tag "labels", comma-separated, in the model's order) decides the order.
        List<String> tagged = version.tags().containsKey(CLASSES_TAG) ? java.util.Arrays.stream(version.tags().get(CLASSES_TAG).split(","))
                .map(String::strip).toList() : List.of();
        boolean usableTag = !tagged.isEmpty() && tagged.stream().allMatch(label -> label.matches("[A-Za-z0-9_]{1,40}"))
                && tagged.stream().distinct().count() == tagged.size();
        if ((wanted.probabilities() || wanted.label()) && usableTag) {
            if (classes.isEmpty()) {
                classes = tagged;
            } else if (!classes.equals(tagged)) {
                errors.add(new KeelException.FieldError("outputs.classes", "outputs.classes lists " + classes + " but model " + version.label()
                        + " declares its probability columns as " + tagged + " (tag " + CLASSES_TAG + "); list them in that order or leave"
                        + " outputs.classes out"));
            }
        }
        if (wanted.probabilities() || wanted.label()) {
            TensorSpec probabilities = declared.get(PROBABILITIES);
            if (probabilities == null || !probabilities.kind().equals("tensor") || probabilities.rank() != 2 || !isFloat(probabilities.type())) {
                errors.add(new KeelException.FieldError("outputs", "probabilities and label need an output 'probabilities' float [N, C];"
                        + " model " + version.label() + " declares " + describe(version.signature().outputs())));
            } else {
                long width = probabilities.shape().get(1);
                if (classes.isEmpty() && width == -1) {
                    errors.add(new KeelException.FieldError("outputs.classes", "model " + version.label() + " does not declare how many"
                            + " classes it has; list them in outputs.classes"));
                } else if (classes.isEmpty()) {
                    List<String> numbered = new ArrayList<>();
                    for (int c = 0; c < width; c++) {
                        numbered.add(Integer.toString(c));
                    }
                    classes = numbered;
                } else if (width != -1 && width != classes.size()) {
                    errors.add(new KeelException.FieldError("outputs.classes", "outputs.classes lists " + classes.size() + " classes but model "
                            + version.label() + " returns " + width + " probabilities"));
                }
            }
        }
        if (wanted.probabilities()) {
            classes.forEach(label -> columns.add(new OutputColumn("p_" + label, "DOUBLE PRECISION")));
        }
        if (wanted.label()) {
            columns.add(new OutputColumn("label", "TEXT"));
        }
        for (String name : wanted.named()) {
            TensorSpec output = declared.get(name);
            if (output == null || !output.kind().equals("tensor") || output.rank() > 2) {
                errors.add(new KeelException.FieldError("outputs.named", "model " + version.label() + " has no tensor output '" + name
                        + "'; it declares " + describe(version.signature().outputs())));
                continue;
            }
            columns.add(new OutputColumn(name, switch (output.type()) {
                case FP16, FP32, FP64 -> "DOUBLE PRECISION";
                case BOOL -> "BOOLEAN";
                case BYTES -> "TEXT";
                default -> "BIGINT";
            }));
        }
        if (spec.destination() instanceof ScoringJobSpec.ParquetDestination parquet) {
            List<String> names = columns.stream().map(OutputColumn::name).toList();
            for (String partition : parquet.partitionBy()) {
                if (!names.contains(partition)) {
                    errors.add(new KeelException.FieldError("destination.partition_by", "partition column '" + partition + "' is not an output"
                            + " column; expected one of " + names));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_INPUT, "model " + version.label() + " cannot score " + datasetLabel + "; nothing was scored: "
                    + errors.stream().map(KeelException.FieldError::message).collect(Collectors.joining("; ")), errors);
        }
        return new ScoringPlan(version, featureIndexes, features, keyIndexes, spec.keys().size(), inputName, inputType, List.copyOf(classes),
                wanted, List.copyOf(columns));
    }

    /** The model version checked. */
    public ModelVersion version() {
        return version;
    }

    /** The key and output columns, in the order {@link #score} fills them. */
    public List<OutputColumn> columns() {
        return columns;
    }

    /**
     * A row refused before scoring.
     *
     * @param inputRow the row's number in the run's input (0-based)
     * @param keys the row's key values, in the job's key order
     * @param value the offending value as text, or {@code ***} for a sensitive feature; empty for a missing value
     */
    public record Rejected(long inputRow, List<Object> keys, String column, Optional<String> value, String reason) {
    }

    /** What one chunk gave: the scored rows, in {@link #columns()} order, and the rows refused before scoring. */
    public record Scored(List<Object[]> rows, List<Rejected> rejected) {
    }

    /**
     * Checks each row's features against the feature schema (present, of the feature's type, within its range), scores the rows that
     * pass with one model call, and returns the others with the reason.
     */
    public Scored score(LoadedModel model, List<Object[]> rows, long firstRow) {
        List<Object[]> accepted = new ArrayList<>(rows.size());
        List<Long> acceptedRows = new ArrayList<>(rows.size());
        List<Rejected> rejected = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            Optional<Rejected> refusal = check(rows.get(r), firstRow + r);
            if (refusal.isPresent()) {
                rejected.add(refusal.get());
            } else {
                accepted.add(rows.get(r));
                acceptedRows.add(firstRow + r);
            }
        }
        if (accepted.isEmpty()) {
            return new Scored(List.of(), rejected);
        }
        return new Scored(scoreChecked(model, accepted, acceptedRows), rejected);
    }

    private Optional<Rejected> check(Object[] row, long inputRow) {
        for (int f = 0; f < featureIndexes.length; f++) {
            FeatureSpec feature = features.get(f);
            Object value = row[featureIndexes[f]];
            String reason = null;
            double number = Double.NaN;
            switch (value) {
                case null -> reason = "missing value";
                case Boolean bool -> number = bool ? 1 : 0;
                case Number n -> number = n.doubleValue();
                default -> reason = "holds a " + value.getClass().getSimpleName() + "; expected a number";
            }
            if (reason == null && !Double.isFinite(number)) {
                reason = "not a finite number";
            } else if (reason == null && feature.type().equals("integer") && number != Math.rint(number)) {
                reason = "not a whole number; feature '" + feature.name() + "' is an integer";
            } else if (reason == null && feature.type().equals("boolean") && number != 0 && number != 1) {
                reason = "neither 0 nor 1; feature '" + feature.name() + "' is a boolean";
            } else if (reason == null && feature.min().isPresent() && number < feature.min().get()) {
                reason = "below the feature's minimum " + feature.min().get();
            } else if (reason == null && feature.max().isPresent() && number > feature.max().get()) {
                reason = "above the feature's maximum " + feature.max().get();
            }
            if (reason != null) {
                List<Object> keys = new ArrayList<>(keyCount);
                for (int k = 0; k < keyCount; k++) {
                    keys.add(key(row[keyIndexes[k]]));
                }
                Optional<String> shown = value == null ? Optional.empty() : Optional.of(feature.sensitive() ? "***" : clip(value.toString()));
                return Optional.of(new Rejected(inputRow, java.util.Collections.unmodifiableList(keys), feature.name(), shown, reason));
            }
        }
        return Optional.empty();
    }

    private static String clip(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private List<Object[]> scoreChecked(LoadedModel model, List<Object[]> rows, List<Long> inputRows) {
        int n = rows.size();
        int width = featureIndexes.length;
        long firstRow = inputRows.getFirst();
        float[] floats = null;
        double[] doubles = null;
        // A run's full chunks all have one shape: their input array is allocated once and refilled (the runtime copies it).
        if (inputType == DataType.FP32) {
            floats = floatBuffer != null && floatBuffer.length == n * width ? floatBuffer : new float[n * width];
            floatBuffer = floats;
        } else {
            doubles = doubleBuffer != null && doubleBuffer.length == n * width ? doubleBuffer : new double[n * width];
            doubleBuffer = doubles;
        }
        for (int r = 0; r < n; r++) {
            Object[] row = rows.get(r);
            for (int f = 0; f < width; f++) {
                double value = number(row[featureIndexes[f]]);
                if (floats != null) {
                    floats[r * width + f] = (float) value;
                } else {
                    doubles[r * width + f] = value;
                }
            }
        }
        Tensor input = new Tensor(inputType, new long[] {n, width}, floats != null ? floats : doubles);
        String range = String.format(Locale.ROOT, "rows %d to %d", firstRow, inputRows.getLast());
        Map<String, Tensor> result;
        try {
            result = model.predict(Map.of(inputName, input));
        } catch (RuntimeException e) {
            throw new KeelException(ErrorCode.INTERNAL, "model " + version.label() + " failed to score " + range + ": " + e.getMessage(), e);
        }
        Tensor probabilities = null;
        if (outputs.probabilities() || outputs.label()) {
            probabilities = output(result, PROBABILITIES, range);
            long[] shape = probabilities.shape();
            if (shape.length != 2 || shape[0] != n || shape[1] != classes.size()) {
                throw badOutput("output 'probabilities' for " + range + " has shape " + java.util.Arrays.toString(shape) + "; expected ["
                        + n + ", " + classes.size() + "]");
            }
        }
        List<Tensor> named = new ArrayList<>();
        for (String name : outputs.named()) {
            Tensor tensor = output(result, name, range);
            if (tensor.size() != n) {
                throw badOutput("output '" + name + "' for " + range + " has shape " + java.util.Arrays.toString(tensor.shape())
                        + "; expected [" + n + "] or [" + n + ", 1]");
            }
            named.add(tensor);
        }
        List<Object[]> scored = new ArrayList<>(n);
        int c = classes.size();
        for (int r = 0; r < n; r++) {
            Object[] out = new Object[columns.size()];
            int at = 0;
            for (int keyIndex : keyIndexes) {
                out[at++] = key(rows.get(r)[keyIndex]);
            }
            if (probabilities != null) {
                int best = 0;
                for (int k = 0; k < c; k++) {
                    double p = probabilities.doubleAt(r * c + k);
                    if (!Double.isFinite(p)) {
                        throw badOutput(String.format(Locale.ROOT, "output 'probabilities' holds %s at row %d, class %s", p, inputRows.get(r),
                                classes.get(k)));
                    }
                    if (outputs.probabilities()) {
                        out[at++] = p;
                    }
                    if (p > probabilities.doubleAt(r * c + best)) {
                        best = k;
                    }
                }
                if (outputs.label()) {
                    out[at++] = classes.get(best);
                }
            }
            for (Tensor tensor : named) {
                out[at++] = element(tensor, r);
            }
            scored.add(out);
        }
        return scored;
    }

    private static Tensor output(Map<String, Tensor> result, String name, String range) {
        Tensor tensor = result == null ? null : result.get(name);
        if (tensor == null) {
            throw badOutput("the model returned no output '" + name + "' for " + range + "; it returned "
                    + (result == null ? "nothing" : result.keySet()));
        }
        return tensor;
    }

    private static Object element(Tensor tensor, int index) {
        return switch (tensor.data()) {
            case String[] values -> values[index];
            case boolean[] values -> values[index];
            case float[] values -> (double) values[index];
            case double[] values -> values[index];
            default -> (long) tensor.doubleAt(index);
        };
    }

    private static double number(Object value) {
        return value instanceof Boolean bool ? (bool ? 1 : 0) : ((Number) value).doubleValue();
    }

    private static Object key(Object value) {
        return switch (value) {
            case null -> null;
            case Long number -> number;
            case Integer number -> number.longValue();
            case Short number -> number.longValue();
            case Byte number -> number.longValue();
            case Double number -> number;
            case Float number -> number.doubleValue();
            case java.math.BigDecimal number -> number.doubleValue();
            case java.math.BigInteger number -> number.longValue();
            case Boolean bool -> bool;
            default -> value.toString();
        };
    }

    private static boolean isFloat(DataType type) {
        return type == DataType.FP32 || type == DataType.FP64;
    }

    private static String article(String type) {
        return type.equals("integer") ? "an" : "a";
    }

    private static String describe(List<TensorSpec> specs) {
        return specs.stream().map(spec -> "'" + spec.name() + "' " + spec.type() + " " + spec.shape().stream()
                .map(dimension -> dimension == -1 ? "?" : dimension.toString()).toList()).collect(Collectors.joining(", ", "[", "]"));
    }

    private static KeelException badOutput(String message) {
        return new KeelException(ErrorCode.INTERNAL, message);
    }
}
