package dev.keel.core.monitor.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Drift statistics from numeric summaries. Within a bin, a summary's values are modelled as spread uniformly over the
 * widest interval inside the bin centred on the bin's mean (a point mass when all values in the bin are equal). The
 * Kolmogorov-Smirnov statistic is read at the bin edges, where both empirical CDFs are known exactly.
 *
 * <p>Each approximation comes with a bound on its error, from the bins alone:
 * <ul>
 *   <li>KS: between two edges each CDF moves by at most its bin's mass, so the samples' D lies in
 *       {@code [D, D + max_i max(r_i, c_i)]} ({@code r_i}, {@code c_i} the bin masses as proportions);</li>
 *   <li>Wasserstein: the model moves each value within its bin, so by the triangle inequality the distance on the samples
 *       is within {@code sum_i (r_i + c_i) * width_i} (bin widths clipped to the observed minimum and maximum);</li>
 *   <li>Jensen-Shannon: the model can misplace only the mass of the fine bins that straddle a Sturges edge ({@code m} of
 *       the reference, {@code m'} of the current sample, as proportions); the JS divergence is at most {@code ln 2}
 *       times the total variation, and the JS distance is a metric, so the error is at most
 *       {@code sqrt(ln 2 * m / ln b) + sqrt(ln 2 * m' / ln b)} for logarithm base {@code b}.</li>
 * </ul>
 */
final class SummaryMath {

    private SummaryMath() {
    }

    /** Both summaries' exact value counts aligned over the union of values, when both still track them. */
    static Optional<DriftMath.AlignedCounts> alignedValues(NumericSummary reference, NumericSummary current) {
        Optional<Map<Double, Long>> ref = reference.valueCounts();
        Optional<Map<Double, Long>> cur = current.valueCounts();
        if (ref.isEmpty() || cur.isEmpty()) {
            return Optional.empty();
        }
        TreeSet<Double> keys = new TreeSet<>(ref.get().keySet());
        keys.addAll(cur.get().keySet());
        double[] a = new double[keys.size()];
        double[] b = new double[keys.size()];
        int i = 0;
        for (Double key : keys) {
            a[i] = ref.get().getOrDefault(key, 0L);
            b[i] = cur.get().getOrDefault(key, 0L);
            i++;
        }
        return Optional.of(new DriftMath.AlignedCounts(a, b, reference.count(), current.count()));
    }

    static double[] sortedValues(NumericSummary reference, NumericSummary current) {
        TreeSet<Double> keys = new TreeSet<>(reference.valueCounts().orElseThrow().keySet());
        keys.addAll(current.valueCounts().orElseThrow().keySet());
        return keys.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Number of distinct values in the union, or {@code MAX_TRACKED_VALUES + 1} when either summary stopped tracking. */
    static int distinctValues(NumericSummary reference, NumericSummary current) {
        return alignedValues(reference, current).map(DriftMath.AlignedCounts::size)
            .orElse(NumericSummary.MAX_TRACKED_VALUES + 1);
    }

    static double ksStatistic(NumericSummary reference, NumericSummary current) {
        Optional<DriftMath.AlignedCounts> aligned = alignedValues(reference, current);
        if (aligned.isPresent()) {
            return ksFromCounts(aligned.get().reference(), aligned.get().current(), reference.count(), current.count());
        }
        return ksFromCounts(toDouble(reference.binCountsView()), toDouble(current.binCountsView()), reference.count(),
            current.count());
    }

    private static double ksFromCounts(double[] a, double[] b, long na, long nb) {
        double cumA = 0;
        double cumB = 0;
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            cumA += a[i];
            cumB += b[i];
            d = Math.max(d, Math.abs(cumA / na - cumB / nb));
        }
        return d;
    }

    static double wasserstein(NumericSummary reference, NumericSummary current) {
        Optional<DriftMath.AlignedCounts> aligned = alignedValues(reference, current);
        if (aligned.isPresent()) {
            double[] x = sortedValues(reference, current);
            double[] a = aligned.get().reference();
            double[] b = aligned.get().current();
            double cumA = 0;
            double cumB = 0;
            double total = 0;
            for (int i = 0; i < x.length - 1; i++) {
                cumA += a[i];
                cumB += b[i];
                total += Math.abs(cumA / reference.count() - cumB / current.count()) * (x[i + 1] - x[i]);
            }
            return total;
        }
        Model f = Model.of(reference);
        Model g = Model.of(current);
        TreeSet<Double> knotSet = new TreeSet<>();
        f.addKnots(knotSet);
        g.addKnots(knotSet);
        double[] knots = knotSet.stream().mapToDouble(Double::doubleValue).toArray();
        double total = 0;
        for (int i = 0; i < knots.length - 1; i++) {
            double lo = knots[i];
            double hi = knots[i + 1];
            double d0 = f.cdfRight(lo) - g.cdfRight(lo);
            double d1 = f.cdfLeft(hi) - g.cdfLeft(hi);
            total += integrateAbsLinear(d0, d1, hi - lo);
        }
        return total;
    }

    private static double integrateAbsLinear(double d0, double d1, double width) {
        if ((d0 >= 0 && d1 >= 0) || (d0 <= 0 && d1 <= 0)) {
            return width * (Math.abs(d0) + Math.abs(d1)) / 2;
        }
        return width * (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
    }

    /** PSI over reference-quantile bins made of whole grid bins: exact when {@code bins} divides the grid size. */
    static double psi(NumericSummary reference, NumericSummary current, int bins) {
        double[] grid = reference.grid();
        int gridSize = grid.length - 1;
        List<Double> psiEdges = new ArrayList<>();
        for (int j = 1; j < bins; j++) {
            double edge = grid[(int) Math.round((double) j * gridSize / bins)];
            if (psiEdges.isEmpty() || edge != psiEdges.get(psiEdges.size() - 1)) {
                psiEdges.add(edge);
            }
        }
        double[] fineEdges = reference.edgesView();
        double[] ref = new double[psiEdges.size() + 1];
        double[] cur = new double[psiEdges.size() + 1];
        long[] refCounts = reference.binCountsView();
        long[] curCounts = current.binCountsView();
        int target = 0;
        for (int b = 0; b < refCounts.length; b++) {
            if (b > 0) {
                double lower = fineEdges[b - 1];
                while (target < psiEdges.size() && psiEdges.get(target) <= lower) {
                    target++;
                }
            }
            ref[target] += refCounts[b];
            cur[target] += curCounts[b];
        }
        return DriftMath.psi(ref, reference.count(), cur, current.count());
    }

    /** Jensen-Shannon distance as Evidently bins it, with the histogram masses read from the summaries' models. */
    static double jensenShannon(NumericSummary reference, NumericSummary current, double base) {
        Optional<Map<Double, Long>> refValues = reference.valueCounts();
        if (refValues.isPresent() && refValues.get().size() <= DriftMath.JS_MAX_VALUE_CATEGORIES) {
            Optional<DriftMath.AlignedCounts> aligned = alignedValues(reference, current);
            if (aligned.isPresent()) {
                DriftMath.AlignedCounts counts = aligned.get();
                return DriftMath.jensenShannon(DriftMath.proportions(counts.reference(), counts.referenceTotal()),
                    DriftMath.proportions(counts.current(), counts.currentTotal()), base);
            }
        }
        double min = Math.min(reference.min(), current.min());
        double max = Math.max(reference.max(), current.max());
        double[] edges = DriftMath.sturgesEdges(min, max, reference.count() + current.count());
        return DriftMath.jensenShannon(Model.of(reference).histogram(edges), Model.of(current).histogram(edges), base);
    }

    /** Largest bin mass (as a proportion) of either summary: the bound on the KS statistic's error. */
    static double ksMaxError(NumericSummary reference, NumericSummary current) {
        if (alignedValues(reference, current).isPresent()) {
            return 0;
        }
        long[] ref = reference.binCountsView();
        long[] cur = current.binCountsView();
        double max = 0;
        for (int i = 0; i < ref.length; i++) {
            double r = pointMass(reference, i) ? 0 : (double) ref[i] / reference.count();
            double c = pointMass(current, i) ? 0 : (double) cur[i] / current.count();
            max = Math.max(max, Math.max(r, c));
        }
        return max;
    }

    /**
     * True when every value of the bin is one value (the bin's mean equals its lowest or highest possible value): the
     * model then places the mass exactly where it is, and the bin adds nothing to the error bounds.
     */
    static boolean pointMass(NumericSummary summary, int bin) {
        long[] counts = summary.binCountsView();
        if (counts[bin] == 0) {
            return true;
        }
        double[] edges = summary.edgesView();
        double lo = Math.max(bin == 0 ? summary.min() : edges[bin - 1], summary.min());
        double hi = Math.min(bin == counts.length - 1 ? summary.max() : edges[bin], summary.max());
        double mean = summary.binSums()[bin] / counts[bin];
        return mean == lo || mean == hi;
    }

    /** Bound on the error of {@link #wasserstein} against the distance between the samples. */
    static double wassersteinMaxError(NumericSummary reference, NumericSummary current) {
        if (alignedValues(reference, current).isPresent()) {
            return 0;
        }
        return spreadCost(reference) + spreadCost(current);
    }

    /** Upper bound on the Wasserstein distance between a summary's values and its model: each bin's mass times its width. */
    private static double spreadCost(NumericSummary summary) {
        long[] counts = summary.binCountsView();
        double[] edges = summary.edgesView();
        double total = 0;
        for (int bin = 0; bin < counts.length; bin++) {
            if (pointMass(summary, bin)) {
                continue;
            }
            double lo = Math.max(bin == 0 ? summary.min() : edges[bin - 1], summary.min());
            double hi = Math.min(bin == counts.length - 1 ? summary.max() : edges[bin], summary.max());
            total += (double) counts[bin] / summary.count() * Math.max(0, hi - lo);
        }
        return total;
    }

    /** Bound on the error of {@link #jensenShannon} against the distance on the samples' Sturges histograms. */
    static double jensenShannonMaxError(NumericSummary reference, NumericSummary current, double base) {
        Optional<Map<Double, Long>> refValues = reference.valueCounts();
        if (refValues.isPresent() && refValues.get().size() <= DriftMath.JS_MAX_VALUE_CATEGORIES
            && alignedValues(reference, current).isPresent()) {
            return 0;
        }
        double min = Math.min(reference.min(), current.min());
        double max = Math.max(reference.max(), current.max());
        double[] edges = DriftMath.sturgesEdges(min, max, reference.count() + current.count());
        double scale = Math.log(2) / Math.log(base);
        double bound = Math.sqrt(scale * straddlingMass(reference, edges)) + Math.sqrt(scale * straddlingMass(current, edges));
        return Math.min(bound, 2 * Math.sqrt(scale));
    }

    /** Proportion of a summary's values in fine bins whose span contains one of the interior histogram edges. */
    private static double straddlingMass(NumericSummary summary, double[] histogramEdges) {
        long[] counts = summary.binCountsView();
        double[] edges = summary.edgesView();
        double total = 0;
        for (int bin = 0; bin < counts.length; bin++) {
            if (pointMass(summary, bin)) {
                continue;
            }
            double lo = Math.max(bin == 0 ? summary.min() : edges[bin - 1], summary.min());
            double hi = Math.min(bin == counts.length - 1 ? summary.max() : edges[bin], summary.max());
            for (int k = 1; k < histogramEdges.length - 1; k++) {
                if (histogramEdges[k] > lo && histogramEdges[k] <= hi) {
                    total += (double) counts[bin] / summary.count();
                    break;
                }
            }
        }
        return total;
    }

    private static double[] toDouble(long[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    /** Piecewise-linear CDF of a summary: disjoint sorted segments [a, b] holding mass c uniformly. */
    record Model(double[] a, double[] b, double[] c, double[] cumulativeBefore) {

        static Model of(NumericSummary summary) {
            long[] counts = summary.binCountsView();
            double[] sums = summary.binSums();
            double[] edges = summary.edgesView();
            List<double[]> segments = new ArrayList<>();
            for (int bin = 0; bin < counts.length; bin++) {
                if (counts[bin] == 0) {
                    continue;
                }
                double lo = bin == 0 ? summary.min() : edges[bin - 1];
                double hi = bin == counts.length - 1 ? summary.max() : edges[bin];
                lo = Math.max(lo, summary.min());
                hi = Math.min(hi, summary.max());
                double mean = Math.min(hi, Math.max(lo, sums[bin] / counts[bin]));
                double half = Math.max(0, Math.min(mean - lo, hi - mean));
                segments.add(new double[] {mean - half, mean + half, counts[bin]});
            }
            int n = segments.size();
            double[] a = new double[n];
            double[] b = new double[n];
            double[] c = new double[n];
            double[] before = new double[n];
            double running = 0;
            for (int i = 0; i < n; i++) {
                a[i] = segments.get(i)[0];
                b[i] = segments.get(i)[1];
                c[i] = segments.get(i)[2];
                before[i] = running;
                running += c[i];
            }
            return new Model(a, b, c, before);
        }

        double total() {
            int n = c.length;
            return n == 0 ? 0 : cumulativeBefore[n - 1] + c[n - 1];
        }

        void addKnots(TreeSet<Double> knots) {
            for (int i = 0; i < a.length; i++) {
                knots.add(a[i]);
                knots.add(b[i]);
            }
        }

        /** Fraction of mass strictly below x. */
        double cdfLeft(double x) {
            return mass(x, false) / total();
        }

        /** Fraction of mass at or below x. */
        double cdfRight(double x) {
            return mass(x, true) / total();
        }

        private double mass(double x, boolean inclusive) {
            int lo = 0;
            int hi = a.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (a[mid] < x || (inclusive && a[mid] == x)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int i = lo - 1;
            if (i < 0) {
                return 0;
            }
            double inside;
            if (b[i] == a[i]) {
                inside = c[i];
            } else {
                inside = c[i] * Math.min(1.0, (x - a[i]) / (b[i] - a[i]));
            }
            return cumulativeBefore[i] + inside;
        }

        /** Mass per histogram bin {@code [e_i, e_i+1)}, the last bin closed, as proportions of the total. */
        double[] histogram(double[] edges) {
            int bins = edges.length - 1;
            double[] result = new double[bins];
            double total = total();
            for (int i = 0; i < bins; i++) {
                double upper = i == bins - 1 ? mass(edges[bins], true) : mass(edges[i + 1], false);
                result[i] = (upper - mass(edges[i], false)) / total;
            }
            return result;
        }
    }
}
