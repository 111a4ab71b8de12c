package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A fixed histogram over reference-quantile bins plus count, missing values, minimum, maximum, mean and variance,
 * and the exact value counts while a column has at most {@value #MAX_TRACKED_VALUES} distinct values.
 *
 * <p>The grid is the reference's {@code numpy.quantile} at {@code k / gridSize}, {@code k = 0..gridSize}; its distinct
 * values are the bin edges, giving bins {@code (-inf, e0), [e0, e1), ..., [e_last, +inf)}. Each bin keeps its count
 * and the sum of its values. Windows made by {@link #emptyCopy()} share the grid, so they merge with each other and
 * compare with the reference bin by bin. Memory is about {@code 24 * gridSize} bytes whatever the traffic.
 * Not thread-safe: confine to one thread or synchronize.
 */
public final class NumericSummary implements ColumnSummary {
    public static final int DEFAULT_GRID_SIZE = 1000;
    public static final int MAX_TRACKED_VALUES = 32;

    private final double[] grid;
    private final double[] edges;
    private final long[] binCounts;
    private final double[] binSums;
    private long count;
    private long nulls;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double mean;
    private double m2;
    private TreeMap<Double, Long> values = new TreeMap<>();

    private NumericSummary(double[] grid) {
        this.grid = grid;
        this.edges = distinctSorted(grid);
        this.binCounts = new long[edges.length + 1];
        this.binSums = new double[edges.length + 1];
    }

    /** A reference summary of these values (NaN counts as missing) on a grid of {@link #DEFAULT_GRID_SIZE}. */
    public static NumericSummary ofReference(double[] values) {
        return ofReference(values, DEFAULT_GRID_SIZE);
    }

    /** A reference summary on a grid of {@code gridSize} reference quantiles; PSI is exact when its bins divide it. */
    public static NumericSummary ofReference(double[] values, int gridSize) {
        Objects.requireNonNull(values, "values");
        if (gridSize < 2 || gridSize > 1_000_000) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "grid-size is " + gridSize + "; expected 2..1000000");
        }
        ColumnSample.Numeric sample = ColumnSample.numeric(values);
        double[] sorted = sample.sortedValues();
        if (sorted.length == 0) {
            throw new KeelException(ErrorCode.INVALID_REQUEST,
                "reference has no non-missing values (" + values.length + " values, all NaN); expected at least one");
        }
        double[] grid = new double[gridSize + 1];
        for (int k = 0; k <= gridSize; k++) {
            grid[k] = DriftMath.quantile(sorted, (double) k / gridSize);
        }
        NumericSummary summary = new NumericSummary(grid);
        summary.addAll(values);
        return summary;
    }

    /** An empty window on the same grid. */
    public NumericSummary emptyCopy() {
        return new NumericSummary(grid);
    }

    /** Adds one value; NaN counts as missing. */
    public void add(double value) {
        if (Double.isNaN(value)) {
            nulls++;
            return;
        }
        double v = value == 0.0 ? 0.0 : value;
        int bin = upperBound(edges, v);
        binCounts[bin]++;
        binSums[bin] += v;
        count++;
        double delta = v - mean;
        mean += delta / count;
        m2 += delta * (v - mean);
        min = Math.min(min, v);
        max = Math.max(max, v);
        if (values != null) {
            values.merge(v, 1L, Long::sum);
            if (values.size() > MAX_TRACKED_VALUES) {
                values = null;
            }
        }
    }

    public void addAll(double[] batch) {
        for (double value : batch) {
            add(value);
        }
    }

    /** Adds another summary on the same grid to this one. */
    public void merge(NumericSummary that) {
        if (!Arrays.equals(grid, that.grid)) {
            throw new KeelException(ErrorCode.INVALID_REQUEST,
                "numeric summaries have different grids (" + edges.length + " and " + that.edges.length
                    + " edges); expected windows made by emptyCopy() of one reference");
        }
        for (int i = 0; i < binCounts.length; i++) {
            binCounts[i] += that.binCounts[i];
            binSums[i] += that.binSums[i];
        }
        if (that.count > 0) {
            long total = count + that.count;
            double delta = that.mean - mean;
            m2 = m2 + that.m2 + delta * delta * ((double) count * that.count / total);
            mean = mean + delta * that.count / total;
            count = total;
            min = Math.min(min, that.min);
            max = Math.max(max, that.max);
        }
        nulls += that.nulls;
        if (values != null && that.values != null) {
            that.values.forEach((key, n) -> values.merge(key, n, Long::sum));
            if (values.size() > MAX_TRACKED_VALUES) {
                values = null;
            }
        } else {
            values = null;
        }
    }

    @Override
    public ColumnType type() {
        return ColumnType.NUMERIC;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long nulls() {
        return nulls;
    }

    /** Smallest value; +infinity when empty. */
    public double min() {
        return min;
    }

    /** Largest value; -infinity when empty. */
    public double max() {
        return max;
    }

    public double mean() {
        return count == 0 ? Double.NaN : mean;
    }

    /** Population variance (ddof 0). */
    public double variance() {
        return count == 0 ? Double.NaN : m2 / count;
    }

    public double standardDeviation() {
        return Math.sqrt(variance());
    }

    /** Distinct bin edges. */
    public double[] edges() {
        return edges.clone();
    }

    /** Counts per bin, {@code edges().length + 1} of them. */
    public long[] binCounts() {
        return binCounts.clone();
    }

    /** Exact counts per value while there are at most {@value #MAX_TRACKED_VALUES} distinct values. */
    public Optional<Map<Double, Long>> valueCounts() {
        return values == null ? Optional.empty() : Optional.of(Collections.unmodifiableMap(values));
    }

    double[] grid() {
        return grid;
    }

    double[] binSums() {
        return binSums;
    }

    long[] binCountsView() {
        return binCounts;
    }

    double[] edgesView() {
        return edges;
    }

    /** Index of the first edge greater than value (= number of edges <= value). */
    static int upperBound(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double[] distinctSorted(double[] grid) {
        double[] result = new double[grid.length];
        int size = 0;
        for (double value : grid) {
            if (size == 0 || value != result[size - 1]) {
                result[size++] = value;
            }
        }
        return Arrays.copyOf(result, size);
    }
}
