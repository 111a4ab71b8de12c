package dev.keel.spi.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The schema and per-column statistics of a dataset; monitoring uses it as the drift reference. */
public record DatasetProfile(long rows, List<ColumnProfile> columns) {
    public DatasetProfile {
        columns = List.copyOf(columns);
    }

    /** The profile of one column, if the dataset has it. */
    public Optional<ColumnProfile> column(String name) {
        return columns.stream().filter(column -> column.name().equals(name)).findFirst();
    }

    /** One histogram bin: values in [lower, upper), the last bin closed. */
    public record Bin(double lower, double upper, long count) {
    }

    /** A frequent value and how often it occurs. */
    public record ValueCount(String value, long count) {
        public ValueCount {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Statistics of one column. Numeric columns have quantiles and a histogram; discrete columns (strings, integers,
     * booleans, dates) have top values.
     *
     * @param type the engine-neutral type: {@code string}, {@code integer}, {@code double}, {@code boolean}, {@code date},
     *             {@code timestamp} or {@code other:<engine type>}
     * @param count non-null values
     * @param distinct distinct non-null values: exact unless {@code approximate}
     * @param approximate true when {@code distinct} is an estimate (datasets above the engine's exact-count bound)
     * @param distinctError the estimator's relative standard error when {@code approximate} (0.13 means the estimate is within
     *                      13 % of the true count about two times in three), 0 when exact
     * @param min the smallest value as text, empty for an all-null column
     * @param quantiles values at {@link #QUANTILE_LEVELS}, empty for non-numeric columns
     */
    public record ColumnProfile(String name, String type, long count, long nulls, long distinct, boolean approximate,
                                double distinctError, Optional<String> min, Optional<String> max, Optional<Double> mean,
                                List<Double> quantiles, List<Bin> histogram, List<ValueCount> topValues) {
        /** The quantile levels profiles report. */
        public static final List<Double> QUANTILE_LEVELS = List.of(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99);

        /** A profile whose distinct count is exact. */
        public ColumnProfile(String name, String type, long count, long nulls, long distinct, Optional<String> min,
                             Optional<String> max, Optional<Double> mean, List<Double> quantiles, List<Bin> histogram,
                             List<ValueCount> topValues) {
            this(name, type, count, nulls, distinct, false, 0, min, max, mean, quantiles, histogram, topValues);
        }

        public ColumnProfile {
            if (distinctError < 0 || !approximate && distinctError != 0) {
                throw new IllegalArgumentException("distinctError must be >= 0, and 0 for an exact count; got " + distinctError);
            }
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            Objects.requireNonNull(mean, "mean");
            quantiles = List.copyOf(quantiles);
            histogram = List.copyOf(histogram);
            topValues = List.copyOf(topValues);
        }

        /** True for integer and double columns. */
        public boolean numeric() {
            return type.equals("integer") || type.equals("double");
        }
    }
}
