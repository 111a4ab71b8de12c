package dev.keel.core.monitor.stats;

/**
 * Two-sample, two-sided Kolmogorov-Smirnov test with SciPy's {@code ks_2samp(method='auto')} semantics: the exact
 * distribution when both samples have at most 10,000 values, otherwise the one-sample Kolmogorov distribution at the
 * effective size {@code round(n1 * n2 / (n1 + n2))}.
 */
final class KolmogorovSmirnov {
    static final int MAX_EXACT_SIZE = 10_000;

    private KolmogorovSmirnov() {
    }

    /** The statistic and p-value. */
    record Result(double statistic, double pValue) {
    }

    /** Both arrays sorted ascending, without NaN, non-empty. */
    static Result test(double[] sortedReference, double[] sortedCurrent) {
        double d = statistic(sortedReference, sortedCurrent);
        return pValue(d, sortedReference.length, sortedCurrent.length);
    }

    /** sup |F1 - F2| evaluated at every observed value, as {@code searchsorted(side='right') / n}. */
    static double statistic(double[] first, double[] second) {
        int n1 = first.length;
        int n2 = second.length;
        int i = 0;
        int j = 0;
        double max = 0;
        double min = 0;
        while (i < n1 || j < n2) {
            double x;
            if (j >= n2 || (i < n1 && first[i] <= second[j])) {
                x = first[i];
            } else {
                x = second[j];
            }
            while (i < n1 && first[i] <= x) {
                i++;
            }
            while (j < n2 && second[j] <= x) {
                j++;
            }
            double diff = (double) i / n1 - (double) j / n2;
            if (diff > max) {
                max = diff;
            }
            if (diff < min) {
                min = diff;
            }
        }
        return Math.max(max, Math.min(1.0, -min));
    }

    /** Two-sided p-value of an observed statistic for samples of sizes n1 and n2 ('auto' method). */
    static Result pValue(double d, long n1, long n2) {
        if (Math.max(n1, n2) <= MAX_EXACT_SIZE) {
            long g = gcd(n1, n2);
            long lcm = (n1 / g) * n2;
            long h = (long) Math.rint(d * lcm);
            double rounded = h * 1.0 / lcm;
            if (h == 0) {
                return new Result(rounded, 1.0);
            }
            double probability = n1 == n2 ? probabilityOutsideSquare(n1, h) : probabilityOutsideInsideMethod(n1, n2, g, h);
            if (probability >= 0 && probability <= 1) {
                return new Result(rounded, probability);
            }
            return asymptotic(rounded, n1, n2);
        }
        return asymptotic(d, n1, n2);
    }

    private static Result asymptotic(double d, long n1, long n2) {
        double m = Math.max(n1, n2);
        double n = Math.min(n1, n2);
        double en = m * n / (m + n);
        long size = (long) Math.rint(en);
        double p = KolmogorovDistribution.survival(size, d);
        return new Result(d, Math.min(1.0, Math.max(0.0, p)));
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Pr(D_{n,n} >= h/n) by the alternating series arranged in Horner form. */
    static double probabilityOutsideSquare(long n, long h) {
        double p = 0.0;
        long k = n / h;
        while (k >= 0) {
            double p1 = 1.0;
            for (long j = 0; j < h; j++) {
                p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            }
            p = p1 * (1.0 - p);
            k--;
        }
        return 2 * p;
    }

    /**
     * 1 - the proportion of lattice paths that stay strictly inside |x/m - y/n| < h/lcm(m, n), by Hodges' inside
     * method with Viehmann's recursion for the complement.
     */
    static double probabilityOutsideInsideMethod(long mIn, long nIn, long g, long h) {
        long m = Math.max(mIn, nIn);
        int n = (int) Math.min(mIn, nIn);
        long mg = m / g;
        long ng = n / g;
        int minJ = 0;
        int maxJ = (int) Math.min((long) Math.ceil((double) h / mg), n + 1);
        int currentLength = maxJ - minJ;
        int lengthA = Math.min(2 * maxJ + 2, n + 1);
        double[] a = new double[lengthA];
        java.util.Arrays.fill(a, 1.0);
        for (int j = minJ; j < maxJ; j++) {
            a[j] = 0.0;
        }
        for (long i = 1; i <= m; i++) {
            int lastMinJ = minJ;
            int lastLength = currentLength;
            minJ = (int) Math.max((long) Math.floor((double) (ng * i - h) / mg) + 1, 0);
            minJ = Math.min(minJ, n);
            maxJ = (int) Math.min((long) Math.ceil((double) (ng * i + h) / mg), n + 1);
            if (maxJ <= minJ) {
                return 1.0;
            }
            double value = minJ == 0 ? 0.0 : 1.0;
            for (int jj = 0; jj < maxJ - minJ; jj++) {
                int j = jj + minJ;
                value = (a[jj + minJ - lastMinJ] * i + value * j) / (i + j);
                a[jj] = value;
            }
            currentLength = maxJ - minJ;
            if (lastLength > currentLength) {
                for (int t = maxJ - minJ; t < maxJ - minJ + (lastLength - currentLength); t++) {
                    a[t] = 1;
                }
            }
        }
        return a[maxJ - minJ - 1];
    }
}
