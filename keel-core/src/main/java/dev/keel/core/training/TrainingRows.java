package dev.keel.core.training;

import dev.keel.core.training.eval.Task;
import dev.keel.spi.data.TableData;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A dataset's rows as a model sees them: numeric features in the spec's order, a label per row (a class, or a decimal for
 * regression) and the values of slice columns. Rows with a missing feature or label are left out and counted.
 */
record TrainingRows(List<double[]> features, List<String> labels, Map<String, List<String>> slices, long dropped) {

    /** Why a dataset cannot be trained on; the run fails with {@code DATA_INVALID}. */
    static final class DataProblem extends RuntimeException {
        DataProblem(String message) {
            super(message);
        }
    }

    static TrainingRows of(TableData table, TrainingSpec spec) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < table.columns().size(); i++) {
            index.put(table.columns().get(i), i);
        }
        for (String column : spec.columns()) {
            if (!index.containsKey(column)) {
                throw new DataProblem("dataset '" + spec.dataset() + "' has no column '" + column + "'; its columns are " + table.columns());
            }
        }
        int width = spec.features().size();
        int[] featureAt = new int[width];
        for (int f = 0; f < width; f++) {
            featureAt[f] = index.get(spec.features().get(f));
        }
        int targetAt = index.get(spec.target());
        List<double[]> features = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        Map<String, List<String>> slices = new LinkedHashMap<>();
        spec.gate().slices().forEach(slice -> slices.put(slice.column(), new ArrayList<>()));
        long dropped = 0;
        Map<String, Integer> unknown = new LinkedHashMap<>();
        rows:
        for (Object[] row : table.rows()) {
            Object target = row[targetAt];
            if (target == null) {
                dropped++;
                continue;
            }
            double[] values = new double[width];
            for (int f = 0; f < width; f++) {
                Object value = row[featureAt[f]];
                double number = number(value, spec.features().get(f));
                if (Double.isNaN(number)) {
                    dropped++;
                    continue rows;
                }
                values[f] = number;
            }
            String label = label(target);
            if (spec.task() == Task.REGRESSION) {
                double numeric = number(target, spec.target());
                if (Double.isNaN(numeric)) {
                    dropped++;
                    continue;
                }
                label = Double.toString(numeric);
            } else if (!spec.classes().contains(label)) {
                unknown.merge(label, 1, Integer::sum);
                continue;
            }
            features.add(values);
            labels.add(label);
            for (var slice : slices.entrySet()) {
                Object value = row[index.get(slice.getKey())];
                slice.getValue().add(value == null ? "(null)" : label(value));
            }
        }
        if (!unknown.isEmpty()) {
            throw new DataProblem("target '" + spec.target() + "' has values that are not among the spec's classes " + spec.classes() + ": "
                    + unknown.entrySet().stream().limit(5).map(e -> "'" + e.getKey() + "' (" + e.getValue() + " rows)").toList());
        }
        return new TrainingRows(features, labels, slices, dropped);
    }

    /** A feature value as a double; NaN for a missing one. */
    private static double number(Object value, String column) {
        return switch (value) {
            case null -> Double.NaN;
            case Number n -> {
                double d = n.doubleValue();
                if (Double.isInfinite(d)) {
                    throw new DataProblem("column '" + column + "' holds an infinite value");
                }
                yield d;
            }
            case Boolean b -> b ? 1.0 : 0.0;
            default -> {
                try {
                    yield Double.parseDouble(value.toString().trim());
                } catch (NumberFormatException e) {
                    throw new DataProblem("column '" + column + "' is not numeric: it holds '" + clip(value.toString()) + "'");
                }
            }
        };
    }

    /** A class label as text: whole numbers without a decimal point, so that 1, 1L and 1.0 are the class "1". */
    static String label(Object value) {
        return switch (value) {
            case Double d when d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15 -> Long.toString(d.longValue());
            case Float f when f == Math.rint(f) && !f.isInfinite() && Math.abs(f) < 1e7 -> Long.toString(f.longValue());
            case BigDecimal d -> d.stripTrailingZeros().toPlainString();
            default -> value.toString();
        };
    }

    int size() {
        return labels.size();
    }

    /** The rows at {@code indices}. */
    TrainingRows subset(List<Integer> indices) {
        List<double[]> f = new ArrayList<>(indices.size());
        List<String> l = new ArrayList<>(indices.size());
        Map<String, List<String>> s = new LinkedHashMap<>();
        slices.keySet().forEach(key -> s.put(key, new ArrayList<>(indices.size())));
        for (int i : indices) {
            f.add(features.get(i));
            l.add(labels.get(i));
            slices.forEach((key, values) -> s.get(key).add(values.get(i)));
        }
        return new TrainingRows(f, l, s, 0);
    }

    /**
     * A seeded split: for classification stratified by class (each class keeps its share in both parts), for regression a plain
     * shuffle. Element 0 holds the training rows, element 1 the held-out rows, both in the dataset's order.
     */
    List<List<Integer>> split(double fraction, long seed, boolean stratified) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            groups.computeIfAbsent(stratified ? labels.get(i) : "", key -> new ArrayList<>()).add(i);
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] held = new boolean[labels.size()];
        for (List<Integer> group : groups.values()) {
            List<Integer> shuffled = new ArrayList<>(group);
            for (int i = shuffled.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer swap = shuffled.get(i);
                shuffled.set(i, shuffled.get(j));
                shuffled.set(j, swap);
            }
            int take = (int) Math.round(group.size() * fraction);
            for (int i = 0; i < take; i++) {
                held[shuffled.get(i)] = true;
            }
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < held.length; i++) {
            (held[i] ? test : train).add(i);
        }
        return List.of(train, test);
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
