package dev.keel.core.monitor;

import dev.keel.core.monitor.stats.CategoricalSummary;
import dev.keel.core.monitor.stats.ColumnDrift;
import dev.keel.core.monitor.stats.ColumnSample;
import dev.keel.core.monitor.stats.ColumnSummary;
import dev.keel.core.monitor.stats.DriftDetector;
import dev.keel.core.monitor.stats.DriftOptions;
import dev.keel.core.monitor.stats.NumericSummary;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A window of logged predictions, one entry per target: a bounded summary on the grid of the reference's summary, and the
 * values themselves while they number at most {@code exactMaxValues} and the reference kept its own, so that drift can be
 * computed exactly on the samples.
 */
final class WindowSummaries {
    private final ReferenceProfile reference;
    private final int exactMaxValues;
    private final Map<String, ColumnSummary> summaries = new LinkedHashMap<>();
    private final Map<String, NumericValues> numericValues = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> categoryCounts = new LinkedHashMap<>();

    WindowSummaries(ReferenceProfile reference, List<String> targets, int exactMaxValues) {
        this.reference = reference;
        this.exactMaxValues = exactMaxValues;
        for (String target : targets) {
            ColumnSummary summary = reference.columns().get(column(target));
            if (summary != null) {
                summaries.put(target, switch (summary) {
                    case NumericSummary numeric -> numeric.emptyCopy();
                    case CategoricalSummary categorical -> categorical.emptyCopy();
                });
                ColumnSample sample = reference.samples().get(column(target));
                if (sample instanceof ColumnSample.Numeric) {
                    numericValues.put(target, new NumericValues());
                } else if (sample instanceof ColumnSample.Categorical) {
                    categoryCounts.put(target, new HashMap<>());
                }
            }
        }
    }

    /** Values of one numeric target, growing as needed; dropped once past the bound. */
    private static final class NumericValues {
        private double[] values = new double[64];
        private int size;
        private long nulls;

        void add(double value) {
            if (Double.isNaN(value)) {
                nulls++;
                return;
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = value;
        }

        ColumnSample sample() {
            double[] all = Arrays.copyOf(values, size + (int) Math.min(nulls, Integer.MAX_VALUE - size));
            Arrays.fill(all, size, all.length, Double.NaN);
            return ColumnSample.numeric(all);
        }
    }

    /**
     * Drift of one target against the reference: exact on the samples when both sides kept theirs, else from the
     * summaries with the error bound in the result.
     */
    ColumnDrift detect(DriftDetector detector, String target, DriftOptions options) {
        ColumnSample referenceSample = reference.samples().get(column(target));
        NumericValues numbers = numericValues.get(target);
        if (referenceSample != null && numbers != null) {
            return detector.detect(referenceSample, numbers.sample(), options);
        }
        Map<String, Long> counts = categoryCounts.get(target);
        if (referenceSample != null && counts != null) {
            long nulls = summaries.get(target).nulls();
            return detector.detect(referenceSample, new ColumnSample.Categorical(counts, nulls), options);
        }
        return detector.detect(reference.columns().get(column(target)), summaries.get(target), options);
    }

    /** The reference column of a target: the feature itself, or the output's name for {@code output:NAME}. */
    static String column(String target) {
        return target.startsWith(MonitorSpec.OUTPUT_PREFIX) ? target.substring(MonitorSpec.OUTPUT_PREFIX.length()) : target;
    }

    static Object value(PredictionRecord record, String target) {
        return target.startsWith(MonitorSpec.OUTPUT_PREFIX) ? record.outputs().get(column(target)) : record.inputs().get(target);
    }

    void add(PredictionRecord record) {
        summaries.forEach((target, summary) -> {
            Object value = value(record, target);
            switch (summary) {
                case NumericSummary numeric -> {
                    double number = number(value);
                    numeric.add(number);
                    NumericValues values = numericValues.get(target);
                    if (values != null) {
                        if (numeric.count() > exactMaxValues) {
                            numericValues.remove(target);
                        } else {
                            values.add(number);
                        }
                    }
                }
                case CategoricalSummary categorical -> {
                    String text = value == null ? null : value.toString();
                    categorical.add(text);
                    Map<String, Long> counts = categoryCounts.get(target);
                    if (counts != null && text != null) {
                        if (categorical.count() > exactMaxValues) {
                            categoryCounts.remove(target);
                        } else {
                            counts.merge(text, 1L, Long::sum);
                        }
                    }
                }
            }
        });
    }

    static double number(Object value) {
        return switch (value) {
            case null -> Double.NaN;
            case Number number -> number.doubleValue();
            case Boolean flag -> flag ? 1 : 0;
            case String text -> {
                try {
                    yield Double.parseDouble(text.trim());
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
            default -> Double.NaN;
        };
    }

    Map<String, ColumnSummary> summaries() {
        return summaries;
    }
}
