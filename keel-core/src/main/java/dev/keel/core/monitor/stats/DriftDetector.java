package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Computes drift between a reference and a current sample (exact) or summary (bounded memory), per column and for a
 * dataset. Without an explicit statistic, chooses as Evidently does: with a reference of at most 1000 values,
 * Kolmogorov-Smirnov for numeric columns with more than 5 distinct values, otherwise chi-square (or the z-test for at
 * most 2 distinct values); above 1000, normalized Wasserstein for numeric columns with more than 5 distinct values,
 * otherwise Jensen-Shannon. Stateless and thread-safe.
 */
public final class DriftDetector {
    static final int SMALL_REFERENCE = 1000;
    static final int FEW_VALUES = 5;

    private final boolean parallel;

    private DriftDetector(boolean parallel) {
        this.parallel = parallel;
    }

    /** A detector that computes the columns of a dataset in parallel on the common fork-join pool. */
    public static DriftDetector create() {
        return new DriftDetector(true);
    }

    /** A detector that computes every column on the calling thread. */
    public static DriftDetector sequential() {
        return new DriftDetector(false);
    }

    /** Evidently's default statistic for a column of this type, reference size and number of distinct values. */
    public static DriftStatistic defaultStatistic(ColumnType type, long referenceSize, long distinctValues) {
        boolean numericWithManyValues = type == ColumnType.NUMERIC && distinctValues > FEW_VALUES;
        if (referenceSize <= SMALL_REFERENCE) {
            if (numericWithManyValues) {
                return DriftStatistic.KOLMOGOROV_SMIRNOV;
            }
            return distinctValues > 2 ? DriftStatistic.CHI_SQUARE : DriftStatistic.Z_TEST;
        }
        return numericWithManyValues ? DriftStatistic.WASSERSTEIN_NORMALIZED : DriftStatistic.JENSEN_SHANNON;
    }

    /** Drift of one column from exact samples. */
    public ColumnDrift detect(ColumnSample reference, ColumnSample current, DriftOptions options) {
        Objects.requireNonNull(options, "options");
        checkComparable(reference, current);
        DriftResult result = switch (reference) {
            case ColumnSample.Numeric ref -> numeric(ref.sortedValues(), ((ColumnSample.Numeric) current).sortedValues(), options);
            case ColumnSample.Categorical ref -> categorical(ref.counts(), ((ColumnSample.Categorical) current).counts(), options);
        };
        return new ColumnDrift(reference.type(), result, reference.size(), current.size(), reference.nulls(), current.nulls());
    }

    /** Drift of one column from summaries (see {@link NumericSummary} for the approximation). */
    public ColumnDrift detect(ColumnSummary reference, ColumnSummary current, DriftOptions options) {
        Objects.requireNonNull(options, "options");
        checkComparable(reference.type(), reference.count(), current.type(), current.count());
        DriftResult result = switch (reference) {
            case NumericSummary ref -> numeric(ref, (NumericSummary) current, options);
            case CategoricalSummary ref -> {
                CategoricalSummary cur = (CategoricalSummary) current;
                DriftResult exact = categorical(ref.countsWithOther(), cur.countsWithOther(), options);
                yield ref.otherCount() == 0 && cur.otherCount() == 0 ? exact
                    : exact.approximate(Double.POSITIVE_INFINITY, OptionalDouble.of(1.0));
            }
        };
        return new ColumnDrift(reference.type(), result, reference.count(), current.count(), reference.nulls(), current.nulls());
    }

    /** Drift of every reference column; the current data must have the same columns. */
    public DatasetDrift detectDataset(Map<String, ? extends ColumnSample> reference, Map<String, ? extends ColumnSample> current,
                                      DatasetDriftOptions options) {
        return dataset(reference, current, options, (name, ref, cur, opts) -> detect(ref, cur, opts));
    }

    /** Drift of every reference column from summaries. */
    public DatasetDrift detectDatasetSummaries(Map<String, ? extends ColumnSummary> reference,
                                              Map<String, ? extends ColumnSummary> current, DatasetDriftOptions options) {
        return dataset(reference, current, options, (name, ref, cur, opts) -> detect(ref, cur, opts));
    }

    private interface ColumnFunction<T> {
        ColumnDrift apply(String name, T reference, T current, DriftOptions options);
    }

    private <T> DatasetDrift dataset(Map<String, ? extends T> reference, Map<String, ? extends T> current,
                                     DatasetDriftOptions options, ColumnFunction<T> function) {
        Objects.requireNonNull(options, "options");
        List<String> names = new ArrayList<>(reference.keySet());
        for (String name : names) {
            if (!current.containsKey(name)) {
                throw new KeelException(ErrorCode.INVALID_REQUEST,
                    "current data has no column '" + name + "'; expected the reference columns " + names);
            }
        }
        var stream = parallel ? names.parallelStream() : names.stream();
        List<ColumnDrift> drifts = stream.map(name -> {
            try {
                return function.apply(name, reference.get(name), current.get(name), options.forColumn(name));
            } catch (KeelException e) {
                throw new KeelException(e.code(), "column '" + name + "': " + e.getMessage(), e);
            }
        }).toList();
        Map<String, ColumnDrift> byName = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            byName.put(names.get(i), drifts.get(i));
        }
        return DatasetDrift.of(byName, options.driftShare());
    }

    private static void checkComparable(ColumnSample reference, ColumnSample current) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(current, "current");
        checkComparable(reference.type(), reference.size(), current.type(), current.size());
    }

    private static void checkComparable(ColumnType referenceType, long referenceSize, ColumnType currentType, long currentSize) {
        if (referenceType != currentType) {
            throw new KeelException(ErrorCode.INVALID_REQUEST,
                "current sample is " + currentType + "; expected " + referenceType + " like the reference");
        }
        if (referenceSize == 0 || currentSize == 0) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "reference has " + referenceSize + " and current has " + currentSize
                + " non-missing values; expected at least one in each");
        }
    }

    private static DriftStatistic choose(ColumnType type, DriftOptions options, long referenceSize, long distinct) {
        DriftStatistic statistic = options.statistic().orElseGet(() -> defaultStatistic(type, referenceSize, distinct));
        if (!statistic.appliesTo(type)) {
            throw new KeelException(ErrorCode.INVALID_CONFIG,
                "drift statistic '" + statistic.id() + "' does not apply to a " + type + " column; expected psi, chisquare, z "
                    + "or jensenshannon");
        }
        return statistic;
    }

    static DriftResult numeric(double[] ref, double[] cur, DriftOptions options) {
        DriftStatistic statistic = choose(ColumnType.NUMERIC, options, ref.length,
            options.statistic().isPresent() ? FEW_VALUES + 1 : DriftMath.distinct(ref, cur, FEW_VALUES));
        double threshold = options.thresholdFor(statistic);
        return switch (statistic) {
            case KOLMOGOROV_SMIRNOV -> {
                KolmogorovSmirnov.Result ks = KolmogorovSmirnov.test(ref, cur);
                yield DriftResult.of(statistic, ks.statistic(), ks.pValue(), threshold);
            }
            case WASSERSTEIN_NORMALIZED -> DriftResult.of(statistic,
                DriftMath.normalizedWasserstein(DriftMath.wasserstein(ref, cur), DriftMath.standardDeviation(ref)), Double.NaN,
                threshold);
            case PSI -> DriftResult.of(statistic, DriftMath.psi(ref, cur, options.psiBins()), Double.NaN, threshold);
            case JENSEN_SHANNON -> DriftResult.of(statistic, DriftMath.jensenShannonNumeric(ref, cur, options.jensenShannonBase()),
                Double.NaN, threshold);
            case CHI_SQUARE -> {
                DriftMath.Test test = DriftMath.chiSquare(DriftMath.valueCounts(ref, cur));
                yield DriftResult.of(statistic, test.statistic(), test.pValue(), threshold);
            }
            case Z_TEST -> {
                DriftMath.Test test = DriftMath.zTest(DriftMath.valueCounts(ref, cur));
                yield DriftResult.of(statistic, test.statistic(), test.pValue(), threshold);
            }
        };
    }

    static DriftResult categorical(Map<String, Long> ref, Map<String, Long> cur, DriftOptions options) {
        DriftMath.AlignedCounts counts = DriftMath.align(ref, cur);
        DriftStatistic statistic = choose(ColumnType.CATEGORICAL, options, counts.referenceTotal(), counts.size());
        double threshold = options.thresholdFor(statistic);
        return switch (statistic) {
            case CHI_SQUARE -> {
                DriftMath.Test test = DriftMath.chiSquare(counts);
                yield DriftResult.of(statistic, test.statistic(), test.pValue(), threshold);
            }
            case Z_TEST -> {
                DriftMath.Test test = DriftMath.zTest(counts);
                yield DriftResult.of(statistic, test.statistic(), test.pValue(), threshold);
            }
            case PSI -> DriftResult.of(statistic, DriftMath.psi(counts.reference(), counts.referenceTotal(), counts.current(),
                counts.currentTotal()), Double.NaN, threshold);
            case JENSEN_SHANNON -> DriftResult.of(statistic, DriftMath.jensenShannon(
                DriftMath.proportions(counts.reference(), counts.referenceTotal()),
                DriftMath.proportions(counts.current(), counts.currentTotal()), options.jensenShannonBase()), Double.NaN, threshold);
            case KOLMOGOROV_SMIRNOV, WASSERSTEIN_NORMALIZED -> throw new IllegalStateException("checked by choose");
        };
    }

    private static DriftResult numeric(NumericSummary ref, NumericSummary cur, DriftOptions options) {
        DriftStatistic statistic = choose(ColumnType.NUMERIC, options, ref.count(), SummaryMath.distinctValues(ref, cur));
        double threshold = options.thresholdFor(statistic);
        return switch (statistic) {
            case KOLMOGOROV_SMIRNOV -> {
                double d = SummaryMath.ksStatistic(ref, cur);
                double error = SummaryMath.ksMaxError(ref, cur);
                KolmogorovSmirnov.Result ks = KolmogorovSmirnov.pValue(d, ref.count(), cur.count());
                DriftResult result = DriftResult.of(statistic, ks.statistic(), ks.pValue(), threshold);
                if (error == 0) {
                    yield result;
                }
                double lowest = KolmogorovSmirnov.pValue(Math.min(1.0, d + error), ref.count(), cur.count()).pValue();
                yield result.approximate(error, OptionalDouble.of(Math.max(0, ks.pValue() - lowest)));
            }
            case WASSERSTEIN_NORMALIZED -> {
                double norm = Math.max(ref.standardDeviation(), DriftMath.MIN_WASSERSTEIN_NORM);
                DriftResult result = DriftResult.of(statistic, SummaryMath.wasserstein(ref, cur) / norm, Double.NaN, threshold);
                double error = SummaryMath.wassersteinMaxError(ref, cur) / norm;
                yield error == 0 ? result : result.approximate(error, OptionalDouble.empty());
            }
            case PSI -> {
                int gridSize = ref.grid().length - 1;
                if (gridSize % options.psiBins() != 0) {
                    throw new KeelException(ErrorCode.INVALID_CONFIG, "psi-bins is " + options.psiBins() + "; on a summary of "
                        + gridSize + " reference quantiles it must divide " + gridSize);
                }
                yield DriftResult.of(statistic, SummaryMath.psi(ref, cur, options.psiBins()), Double.NaN, threshold);
            }
            case JENSEN_SHANNON -> {
                double base = options.jensenShannonBase();
                DriftResult result = DriftResult.of(statistic, SummaryMath.jensenShannon(ref, cur, base), Double.NaN, threshold);
                double error = SummaryMath.jensenShannonMaxError(ref, cur, base);
                yield error == 0 ? result : result.approximate(error, OptionalDouble.empty());
            }
            case CHI_SQUARE, Z_TEST -> {
                DriftMath.AlignedCounts counts = SummaryMath.alignedValues(ref, cur).orElseThrow(() -> new KeelException(
                    ErrorCode.INVALID_REQUEST, "drift statistic '" + statistic.id() + "' on a numeric summary needs at most "
                        + NumericSummary.MAX_TRACKED_VALUES + " distinct values; this column has more"));
                DriftMath.Test test = statistic == DriftStatistic.CHI_SQUARE ? DriftMath.chiSquare(counts) : DriftMath.zTest(counts);
                yield DriftResult.of(statistic, test.statistic(), test.pValue(), threshold);
            }
        };
    }
}
