package dev.keel.core.monitor.stats;

import java.util.Map;
import java.util.TreeSet;
import org.hipparchus.special.Erf;
import org.hipparchus.special.Gamma;

/** The drift statistics on prepared data, each matching its SciPy/Evidently reference computation. */
final class DriftMath {
    /** Evidently's floor for the reference standard deviation in the normalized Wasserstein distance. */
    static final double MIN_WASSERSTEIN_NORM = 0.001;
    /** Above this many distinct reference values, Jensen-Shannon bins numbers (Sturges) rather than using values. */
    static final int JS_MAX_VALUE_CATEGORIES = 20;

    private DriftMath() {
    }

    /** Aligned counts of the same categories in two samples. */
    record AlignedCounts(double[] reference, double[] current, long referenceTotal, long currentTotal) {
        int size() {
            return reference.length;
        }
    }

    // ---------------------------------------------------------------- numeric, exact

    /** {@code scipy.stats.wasserstein_distance(u, v)} for sorted samples. */
    static double wasserstein(double[] u, double[] v) {
        int nu = u.length;
        int nv = v.length;
        int i = 0;
        int j = 0;
        double total = 0;
        double previous = Double.NaN;
        double previousDiff = 0;
        while (i < nu || j < nv) {
            double x = (j >= nv || (i < nu && u[i] <= v[j])) ? u[i] : v[j];
            if (!Double.isNaN(previous)) {
                total += previousDiff * (x - previous);
            }
            while (i < nu && u[i] <= x) {
                i++;
            }
            while (j < nv && v[j] <= x) {
                j++;
            }
            previousDiff = Math.abs((double) i / nu - (double) j / nv);
            previous = x;
        }
        return total;
    }

    /** {@code numpy.std(x)} (population, ddof 0). */
    static double standardDeviation(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        double mean = sum / values.length;
        double squares = 0;
        for (double value : values) {
            double d = value - mean;
            squares += d * d;
        }
        return Math.sqrt(squares / values.length);
    }

    static double normalizedWasserstein(double distance, double referenceStandardDeviation) {
        return distance / Math.max(referenceStandardDeviation, MIN_WASSERSTEIN_NORM);
    }

    /** Number of distinct values in a sorted array, counting at most {@code cap + 1}. */
    static int distinct(double[] sorted, int cap) {
        int count = 0;
        for (int i = 0; i < sorted.length && count <= cap; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                count++;
            }
        }
        return count;
    }

    /** Number of distinct values in the union of two sorted arrays, counting at most {@code cap + 1}. */
    static int distinct(double[] a, double[] b, int cap) {
        int i = 0;
        int j = 0;
        int count = 0;
        while ((i < a.length || j < b.length) && count <= cap) {
            double x = (j >= b.length || (i < a.length && a[i] <= b[j])) ? a[i] : b[j];
            count++;
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
        }
        return count;
    }

    /** Counts per distinct value over the union of two sorted arrays. */
    static AlignedCounts valueCounts(double[] a, double[] b) {
        int size = distinct(a, b, Integer.MAX_VALUE - 1);
        double[] ca = new double[size];
        double[] cb = new double[size];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length || j < b.length) {
            double x = (j >= b.length || (i < a.length && a[i] <= b[j])) ? a[i] : b[j];
            int startI = i;
            int startJ = j;
            while (i < a.length && a[i] <= x) {
                i++;
            }
            while (j < b.length && b[j] <= x) {
                j++;
            }
            ca[k] = i - startI;
            cb[k] = j - startJ;
            k++;
        }
        return new AlignedCounts(ca, cb, a.length, b.length);
    }

    /** {@code numpy.quantile(sorted, q)} with the default linear method. */
    static double quantile(double[] sorted, double q) {
        int n = sorted.length;
        double virtualIndex = (n - 1) * q;
        double previous = Math.floor(virtualIndex);
        int lo = (int) previous;
        if (lo >= n - 1) {
            return sorted[n - 1];
        }
        if (lo < 0) {
            return sorted[0];
        }
        double gamma = virtualIndex - previous;
        double a = sorted[lo];
        double b = sorted[lo + 1];
        double diff = b - a;
        if (gamma >= 0.5) {
            return b - diff * (1 - gamma);
        }
        return a + diff * gamma;
    }

    /** Interior PSI bin edges: the distinct reference quantiles at 1/bins, ..., (bins-1)/bins. */
    static double[] psiEdges(double[] sortedReference, int bins) {
        double[] edges = new double[bins - 1];
        int size = 0;
        for (int k = 1; k < bins; k++) {
            double edge = quantile(sortedReference, (double) k / bins);
            if (size == 0 || edge != edges[size - 1]) {
                edges[size++] = edge;
            }
        }
        return java.util.Arrays.copyOf(edges, size);
    }

    /** Counts of a sorted sample in the bins {@code (-inf, e0), [e0, e1), ..., [e_last, inf)}. */
    static double[] countInBins(double[] sorted, double[] interiorEdges) {
        double[] counts = new double[interiorEdges.length + 1];
        int bin = 0;
        for (double value : sorted) {
            while (bin < interiorEdges.length && value >= interiorEdges[bin]) {
                bin++;
            }
            counts[bin]++;
        }
        return counts;
    }

    static double psi(double[] sortedReference, double[] sortedCurrent, int bins) {
        double[] edges = psiEdges(sortedReference, bins);
        return psi(countInBins(sortedReference, edges), sortedReference.length, countInBins(sortedCurrent, edges),
            sortedCurrent.length);
    }

    /** PSI over aligned counts: {@code sum((ref - cur) * ln(ref / cur))} on proportions with Evidently's zero fill. */
    static double psi(double[] referenceCounts, long referenceTotal, double[] currentCounts, long currentTotal) {
        double[] ref = fillZeros(proportions(referenceCounts, referenceTotal));
        double[] cur = fillZeros(proportions(currentCounts, currentTotal));
        double total = 0;
        for (int i = 0; i < ref.length; i++) {
            total += (ref[i] - cur[i]) * Math.log(ref[i] / cur[i]);
        }
        return total;
    }

    static double[] proportions(double[] counts, long total) {
        double[] result = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            result[i] = counts[i] / total;
        }
        return result;
    }

    /** Evidently: zero proportions become 0.0001, or the smallest non-zero proportion / 10^6 when that is <= 0.0001. */
    static double[] fillZeros(double[] proportions) {
        double min = Double.POSITIVE_INFINITY;
        for (double p : proportions) {
            if (p != 0 && p < min) {
                min = p;
            }
        }
        double fill = min <= 0.0001 ? min / 1e6 : 0.0001;
        double[] result = proportions.clone();
        for (int i = 0; i < result.length; i++) {
            if (result[i] == 0) {
                result[i] = fill;
            }
        }
        return result;
    }

    /**
     * Jensen-Shannon distance of numeric samples as Evidently's {@code get_binned_data} bins them: by value when the
     * reference has at most 20 distinct values, else {@code np.histogram_bin_edges(reference + current, bins='sturges')}.
     */
    static double jensenShannonNumeric(double[] sortedReference, double[] sortedCurrent, double base) {
        if (distinct(sortedReference, JS_MAX_VALUE_CATEGORIES) <= JS_MAX_VALUE_CATEGORIES) {
            AlignedCounts counts = valueCounts(sortedReference, sortedCurrent);
            return jensenShannon(proportions(counts.reference(), counts.referenceTotal()),
                proportions(counts.current(), counts.currentTotal()), base);
        }
        double min = Math.min(sortedReference[0], sortedCurrent[0]);
        double max = Math.max(sortedReference[sortedReference.length - 1], sortedCurrent[sortedCurrent.length - 1]);
        double[] edges = sturgesEdges(min, max, (long) sortedReference.length + sortedCurrent.length);
        return jensenShannon(proportions(histogram(sortedReference, edges), sortedReference.length),
            proportions(histogram(sortedCurrent, edges), sortedCurrent.length), base);
    }

    /** {@code numpy.histogram_bin_edges(data, bins='sturges')} for data with this minimum, maximum and size. */
    static double[] sturgesEdges(double min, double max, long size) {
        double first = min;
        double last = max;
        if (first == last) {
            first -= 0.5;
            last += 0.5;
        }
        double range = max - min;
        int bins;
        if (range == 0) {
            bins = 1;
        } else {
            double width = range / (log2(size) + 1.0);
            bins = (int) Math.ceil((last - first) / width);
        }
        double[] edges = new double[bins + 1];
        double step = (last - first) / bins;
        for (int i = 0; i <= bins; i++) {
            edges[i] = i * step + first;
        }
        edges[bins] = last;
        return edges;
    }

    static double log2(long n) {
        if (Long.bitCount(n) == 1) {
            return Long.numberOfTrailingZeros(n);
        }
        return Math.log(n) / Math.log(2.0);
    }

    /** {@code numpy.histogram(sorted, edges)[0]}: bins {@code [e_i, e_i+1)}, the last one closed. */
    static double[] histogram(double[] sorted, double[] edges) {
        int bins = edges.length - 1;
        double[] counts = new double[bins];
        int bin = 0;
        for (double value : sorted) {
            if (value < edges[0] || value > edges[bins]) {
                continue;
            }
            while (bin < bins - 1 && value >= edges[bin + 1]) {
                bin++;
            }
            counts[bin]++;
        }
        return counts;
    }

    /** {@code scipy.spatial.distance.jensenshannon(p, q, base)}; {@code Math.E} for SciPy's default (natural log). */
    static double jensenShannon(double[] p, double[] q, double base) {
        double sumP = 0;
        double sumQ = 0;
        for (int i = 0; i < p.length; i++) {
            sumP += p[i];
            sumQ += q[i];
        }
        double left = 0;
        double right = 0;
        for (int i = 0; i < p.length; i++) {
            double pi = p[i] / sumP;
            double qi = q[i] / sumQ;
            double m = (pi + qi) / 2.0;
            left += relativeEntropy(pi, m);
            right += relativeEntropy(qi, m);
        }
        double divergence = (left + right) / 2.0;
        if (base != Math.E) {
            divergence /= Math.log(base);
        }
        return Math.sqrt(divergence);
    }

    private static double relativeEntropy(double x, double y) {
        if (x > 0 && y > 0) {
            return x * Math.log(x / y);
        }
        if (x == 0 && y >= 0) {
            return 0;
        }
        return Double.POSITIVE_INFINITY;
    }

    // ---------------------------------------------------------------- categorical

    static AlignedCounts align(Map<String, Long> reference, Map<String, Long> current) {
        TreeSet<String> keys = new TreeSet<>(reference.keySet());
        keys.addAll(current.keySet());
        double[] ref = new double[keys.size()];
        double[] cur = new double[keys.size()];
        long refTotal = 0;
        long curTotal = 0;
        int i = 0;
        for (String key : keys) {
            ref[i] = reference.getOrDefault(key, 0L);
            cur[i] = current.getOrDefault(key, 0L);
            refTotal += (long) ref[i];
            curTotal += (long) cur[i];
            i++;
        }
        return new AlignedCounts(ref, cur, refTotal, curTotal);
    }

    /** Statistic and p-value. */
    record Test(double statistic, double pValue) {
    }

    /**
     * Evidently's chi-square: {@code scipy.stats.chisquare(current counts, reference counts * n_cur / n_ref)} over the
     * union of categories. A single category gives statistic 0 and p-value 1.
     */
    static Test chiSquare(AlignedCounts counts) {
        double scale = (double) counts.currentTotal() / counts.referenceTotal();
        double statistic = 0;
        for (int i = 0; i < counts.size(); i++) {
            double expected = counts.reference()[i] * scale;
            double diff = counts.current()[i] - expected;
            statistic += diff * diff / expected;
        }
        int df = counts.size() - 1;
        if (df < 1) {
            return new Test(0.0, 1.0);
        }
        if (Double.isInfinite(statistic) || Double.isNaN(statistic)) {
            return new Test(Double.POSITIVE_INFINITY, 0.0);
        }
        return new Test(statistic, chiSquareSurvival(statistic, df));
    }

    /** {@code scipy.stats.chi2.sf(x, df)}. */
    static double chiSquareSurvival(double x, int df) {
        if (x <= 0) {
            return 1.0;
        }
        return Gamma.regularizedGammaQ(df / 2.0, x / 2.0, 1e-16, 100_000);
    }

    /**
     * Evidently's two-proportion z-test on the share of one category (the first in sorted order); two-sided p-value
     * {@code 2 * (1 - Phi(|z|))}. Both samples holding the same single value give p-value 1.
     */
    static Test zTest(AlignedCounts counts) {
        int nonEmpty = 0;
        for (int i = 0; i < counts.size(); i++) {
            if (counts.reference()[i] > 0 || counts.current()[i] > 0) {
                nonEmpty++;
            }
        }
        if (nonEmpty <= 1) {
            return new Test(0.0, 1.0);
        }
        double n1 = counts.referenceTotal();
        double n2 = counts.currentTotal();
        double p1 = counts.reference()[0] / n1;
        double p2 = counts.current()[0] / n2;
        double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
        double z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        return new Test(z, 2 * (1 - normalCdf(Math.abs(z))));
    }

    /** {@code scipy.special.ndtr}. */
    static double normalCdf(double a) {
        double x = a * Math.sqrt(0.5);
        double z = Math.abs(x);
        double y;
        if (z < Math.sqrt(0.5)) {
            y = 0.5 + 0.5 * Erf.erf(x);
        } else {
            y = 0.5 * Erf.erfc(z);
            if (x > 0) {
                y = 1.0 - y;
            }
        }
        return y;
    }
}
