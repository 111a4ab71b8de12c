package dev.keel.core.training.eval;

import dev.keel.core.error.KeelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * What Keel measured for one model on one holdout: the quality metrics (see {@link Metrics}), the same metrics on each
 * value of each slice column (column, then value, then metric, with {@code rows}), the scoring latency per row (median and
 * 99th percentile over batches) and the artifact's size. {@code scored} keeps the per-row scores for the paired bootstrap.
 */
public record Evaluation(Task task, long rows, Map<String, Double> metrics, Map<String, Map<String, Map<String, Double>>> slices,
                         double latencyP50Millis, double latencyP99Millis, long modelBytes, Scored scored) {
    public Evaluation {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(scored, "scored");
        KeelException.requireArgument(scored.task() == task, "the scores are for a %s task, not %s", scored.task(), task);
        KeelException.requireArgument(rows == scored.rows(), "rows is %d but %d rows were scored", rows, scored.rows());
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        Map<String, Map<String, Map<String, Double>>> columns = new LinkedHashMap<>();
        slices.forEach((column, values) -> {
            Map<String, Map<String, Double>> byValue = new LinkedHashMap<>();
            values.forEach((value, numbers) -> byValue.put(value, Collections.unmodifiableMap(new LinkedHashMap<>(numbers))));
            columns.put(column, Collections.unmodifiableMap(byValue));
        });
        slices = Collections.unmodifiableMap(columns);
        KeelException.requireArgument(Double.isFinite(latencyP50Millis) && latencyP50Millis >= 0,
            "latencyP50Millis must be a finite number >= 0; got %s", latencyP50Millis);
        KeelException.requireArgument(Double.isFinite(latencyP99Millis) && latencyP99Millis >= 0,
            "latencyP99Millis must be a finite number >= 0; got %s", latencyP99Millis);
        KeelException.requireArgument(modelBytes >= 0, "modelBytes must be >= 0; got %d", modelBytes);
    }

    /**
     * The evaluation of scores: metrics overall and on each value of each slice column (values in sorted order), with the
     * given latency figures and artifact size. Columns and values are in sorted order, so equal inputs give equal evaluations.
     */
    public static Evaluation of(Scored scored, Map<String, List<String>> sliceColumns, double latencyP50Millis, double latencyP99Millis,
                                long modelBytes) {
        Map<String, Map<String, Map<String, Double>>> slices = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> column : new TreeMap<>(sliceColumns).entrySet()) {
            List<String> values = column.getValue();
            KeelException.requireArgument(values.size() == scored.rows(), "slice column '%s' has %d values; expected %d (one per row)",
                column.getKey(), values.size(), scored.rows());
            Map<String, List<Integer>> groups = new TreeMap<>();
            for (int row = 0; row < values.size(); row++) {
                groups.computeIfAbsent(values.get(row), value -> new ArrayList<>()).add(row);
            }
            Map<String, Map<String, Double>> byValue = new LinkedHashMap<>();
            groups.forEach((value, rows) -> byValue.put(value, Metrics.of(scored, rows.stream().mapToInt(Integer::intValue).toArray())));
            slices.put(column.getKey(), byValue);
        }
        return new Evaluation(scored.task(), scored.rows(), Metrics.of(scored), slices, latencyP50Millis, latencyP99Millis, modelBytes,
            scored);
    }

    /** The value of a metric, if the evaluation has it. */
    public OptionalDouble metric(String name) {
        Double value = metrics.get(name);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }
}
