package dev.keel.core.monitor.stats;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An exact sample of one column, prepared for drift statistics: numeric values sorted without missing values, or
 * category counts. Build with {@link #numeric(double[])} or {@link #categorical(Collection)}; preparing a reference
 * once lets it be compared with many current samples.
 */
public sealed interface ColumnSample permits ColumnSample.Numeric, ColumnSample.Categorical {

    ColumnType type();

    /** Number of non-missing values. */
    long size();

    /** Number of missing values (NaN or null) left out of the statistics. */
    long nulls();

    /** A numeric sample; NaN marks a missing value. The array is copied. */
    static Numeric numeric(double[] values) {
        Objects.requireNonNull(values, "values");
        double[] kept = new double[values.length];
        int size = 0;
        for (double value : values) {
            if (!Double.isNaN(value)) {
                kept[size++] = value == 0.0 ? 0.0 : value;
            }
        }
        double[] sorted = Arrays.copyOf(kept, size);
        Arrays.sort(sorted);
        return new Numeric(sorted, values.length - size);
    }

    /** A categorical sample; null entries count as missing. */
    static Categorical categorical(Collection<String> values) {
        Objects.requireNonNull(values, "values");
        Map<String, Long> counts = new TreeMap<>();
        long nulls = 0;
        for (String value : values) {
            if (value == null) {
                nulls++;
            } else {
                counts.merge(value, 1L, Long::sum);
            }
        }
        return new Categorical(counts, nulls);
    }

    /** Sorted non-missing numeric values. */
    record Numeric(double[] sortedValues, long nulls) implements ColumnSample {
        public Numeric {
            Objects.requireNonNull(sortedValues, "sortedValues");
            for (int i = 1; i < sortedValues.length; i++) {
                if (!(sortedValues[i - 1] <= sortedValues[i])) {
                    throw new IllegalArgumentException("sortedValues must be sorted ascending without NaN; index " + i);
                }
            }
            if (sortedValues.length > 0 && Double.isNaN(sortedValues[0])) {
                throw new IllegalArgumentException("sortedValues must not contain NaN");
            }
        }

        @Override
        public ColumnType type() {
            return ColumnType.NUMERIC;
        }

        @Override
        public long size() {
            return sortedValues.length;
        }
    }

    /** Counts per category. */
    record Categorical(Map<String, Long> counts, long nulls) implements ColumnSample {
        public Categorical {
            counts = Map.copyOf(new TreeMap<>(counts));
            for (Map.Entry<String, Long> entry : counts.entrySet()) {
                if (entry.getValue() < 0) {
                    throw new IllegalArgumentException("count of category '" + entry.getKey() + "' is negative: " + entry.getValue());
                }
            }
        }

        @Override
        public ColumnType type() {
            return ColumnType.CATEGORICAL;
        }

        @Override
        public long size() {
            long total = 0;
            for (long count : counts.values()) {
                total += count;
            }
            return total;
        }
    }
}
