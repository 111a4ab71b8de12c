package dev.keel.core.monitor.stats;

import org.hipparchus.special.Gamma;

/**
 * Survival function of the two-sided one-sample Kolmogorov-Smirnov statistic D_n, following SciPy's {@code kstwo.sf}
 * (Simard and L'Ecuyer's choice of algorithm per region: Ruben-Gambino, Durbin matrix, Pomeranz, Pelz-Good and the
 * exact one-sided Smirnov sum).
 */
final class KolmogorovDistribution {
    private static final double TWO_128 = Math.scalb(1.0, 128);
    private static final double TWO_MINUS_128 = Math.scalb(1.0, -128);
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final double MIN_LOG = -708;
    private static final double CEPHES_MIN_LOG = -7.451332191019412076235E2;
    private static final double SQRT3 = Math.sqrt(3);
    private static final double PI_SQUARED = Math.PI * Math.PI;
    private static final double PI_FOUR = PI_SQUARED * PI_SQUARED;
    private static final double PI_SIX = PI_FOUR * PI_SQUARED;
    private static final double[] STIRLING_COEFFICIENTS = {
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2};

    private KolmogorovDistribution() {
    }

    /** P(D_n > x) for a sample of size n. */
    static double survival(long n, double x) {
        if (n <= 0) {
            return Double.NaN;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        if (x <= 0.0) {
            return 1.0;
        }
        double t = n * x;
        if (t <= 1.0) {
            if (t <= 0.5) {
                return 1.0;
            }
            double cdf;
            if (n <= 140) {
                cdf = 1.0;
                double factor = (1.0 / n) * (2 * t - 1);
                for (long i = 1; i <= n; i++) {
                    cdf *= i * factor;
                }
            } else {
                cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
            }
            return clip(1.0 - cdf);
        }
        if (t >= n - 1) {
            return clip(2 * Math.pow(1.0 - x, n));
        }
        if (x >= 0.5) {
            return clip(2 * smirnovSurvival(n, x));
        }
        double nxSquared = t * x;
        if (n <= 140) {
            if (nxSquared <= 0.754693) {
                return clip(1.0 - durbinMatrixCdf(n, x));
            }
            if (nxSquared <= 4) {
                return clip(1.0 - pomeranzCdf(n, x));
            }
            return clip(2 * smirnovSurvival(n, x));
        }
        if (nxSquared >= 370.0) {
            return 0.0;
        }
        if (nxSquared >= 2.2) {
            return clip(2 * smirnovSurvival(n, x));
        }
        double cdf;
        if (n <= 100000 && n * Math.pow(x, 1.5) <= 1.4) {
            cdf = durbinMatrixCdf(n, x);
        } else {
            cdf = pelzGoodCdf(n, x);
        }
        return clip(1.0 - cdf);
    }

    private static double clip(double p) {
        return Math.min(1.0, Math.max(0.0, p));
    }

    private static double logFactorialOverPower(long n) {
        double rn = 1.0 / n;
        double poly = 0;
        double y = rn / n;
        for (double c : STIRLING_COEFFICIENTS) {
            poly = poly * y + c;
        }
        return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
    }

    /** Durbin's matrix algorithm as arranged by Marsaglia, Tsang and Wang: P(D_n <= d). */
    static double durbinMatrixCdf(long n, double d) {
        if (d >= 1.0) {
            return 1.0;
        }
        double nd = n * d;
        if (nd <= 0.5) {
            return 0.0;
        }
        int k = (int) Math.ceil(nd);
        double h = k - nd;
        int m = 2 * k - 1;
        double[][] matrix = new double[m][m];
        double[] v = new double[m];
        double[] w = new double[m];
        double factorial = 1.0;
        for (int j = 1; j <= m; j++) {
            v[j - 1] = 1.0 - Math.pow(h, j);
            w[j - 1] = factorial;
            factorial /= j;
            v[j - 1] *= factorial;
        }
        double tt = Math.pow(Math.max(2 * h - 1.0, 0), m) - 2 * Math.pow(h, m);
        v[m - 1] = (1.0 + tt) * factorial;
        for (int i = 1; i < m; i++) {
            for (int r = i - 1; r < m; r++) {
                matrix[r][i] = w[r - (i - 1)];
            }
        }
        for (int r = 0; r < m; r++) {
            matrix[r][0] = v[r];
        }
        for (int c = 0; c < m; c++) {
            matrix[m - 1][c] = v[m - 1 - c];
        }
        double[][] power = identity(m);
        long nn = n;
        long exponent = 0;
        long matrixExponent = 0;
        while (nn > 0) {
            if (nn % 2 == 1) {
                power = multiply(power, matrix);
                exponent += matrixExponent;
            }
            matrix = multiply(matrix, matrix);
            matrixExponent *= 2;
            if (Math.abs(matrix[k - 1][k - 1]) > TWO_128) {
                for (double[] row : matrix) {
                    for (int c = 0; c < m; c++) {
                        row[c] /= TWO_128;
                    }
                }
                matrixExponent += 128;
            }
            nn /= 2;
        }
        double p = power[k - 1][k - 1];
        for (long i = 1; i <= n; i++) {
            p = i * p / n;
            if (Math.abs(p) < TWO_MINUS_128) {
                p *= TWO_128;
                exponent -= 128;
            }
        }
        if (exponent != 0) {
            p = Math.scalb(p, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, exponent)));
        }
        return clip(p);
    }

    private static double[][] identity(int m) {
        double[][] result = new double[m][m];
        for (int i = 0; i < m; i++) {
            result[i][i] = 1.0;
        }
        return result;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int m = a.length;
        double[][] result = new double[m][m];
        for (int i = 0; i < m; i++) {
            double[] row = result[i];
            for (int l = 0; l < m; l++) {
                double value = a[i][l];
                if (value == 0.0) {
                    continue;
                }
                double[] other = b[l];
                for (int j = 0; j < m; j++) {
                    row[j] += value * other[j];
                }
            }
        }
        return result;
    }

    /** Pomeranz's recursion: P(D_n <= x). */
    static double pomeranzCdf(long nLong, double x) {
        int n = (int) nLong;
        double t = n * x;
        int ll = (int) Math.floor(t);
        double f = t - ll;
        double g = Math.min(f, 1.0 - f);
        int ceilF = f > 0 ? 1 : 0;
        int roundF = f > 0.5 ? 1 : 0;
        int powers = 2 * (ll + 1);
        double[] gPower = new double[powers];
        double[] twoGPower = new double[powers];
        double[] oneMinusTwoGPower = new double[powers];
        gPower[0] = 1.0;
        twoGPower[0] = 1.0;
        oneMinusTwoGPower[0] = 1.0;
        long exponent = 0;
        double gOverN = g / n;
        double twoGOverN = 2 * g / n;
        double oneMinusTwoGOverN = (1 - 2 * g) / n;
        for (int m = 1; m < powers; m++) {
            gPower[m] = gPower[m - 1] * gOverN / m;
            twoGPower[m] = twoGPower[m - 1] * twoGOverN / m;
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGOverN / m;
        }
        double[] v0 = new double[powers];
        double[] v1 = new double[powers];
        v1[0] = 1;
        int v0Start = 0;
        int v1Start = 0;
        int[] bounds = pomeranzBounds(0, n, ll, ceilF, roundF);
        int j1 = bounds[0];
        for (int i = 1; i < 2 * n + 2; i++) {
            int k1 = j1;
            double[] swap = v0;
            v0 = v1;
            v1 = swap;
            int swapStart = v0Start;
            v0Start = v1Start;
            v1Start = swapStart;
            java.util.Arrays.fill(v1, 0.0);
            bounds = pomeranzBounds(i, n, ll, ceilF, roundF);
            j1 = bounds[0];
            int j2 = bounds[1];
            double[] pwrs = (i == 1 || i == 2 * n + 1) ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower);
            int ln2 = j2 - k1 + 1;
            if (ln2 > 0) {
                int aStart = k1 - v0Start;
                int aLength = Math.max(0, Math.min(ln2, powers - aStart));
                int bLength = Math.min(ln2, powers);
                int convStart = j1 - k1;
                int convLength = j2 - j1 + 1;
                double max = 0;
                for (int out = 0; out < convLength; out++) {
                    int index = convStart + out;
                    double sum = 0;
                    int lo = Math.max(0, index - bLength + 1);
                    int hi = Math.min(aLength - 1, index);
                    for (int a = lo; a <= hi; a++) {
                        sum += v0[aStart + a] * pwrs[index - a];
                    }
                    v1[out] = sum;
                    max = Math.max(max, sum);
                }
                if (max > 0 && max < TWO_MINUS_128) {
                    for (int out = 0; out < powers; out++) {
                        v1[out] *= TWO_128;
                    }
                    exponent -= 128;
                }
                v1Start = v0Start + j1 - k1;
            }
        }
        double answer = v1[n - v1Start];
        for (int m = 1; m <= n; m++) {
            if (Math.abs(answer) > TWO_128) {
                answer *= TWO_MINUS_128;
                exponent += 128;
            }
            answer *= m;
        }
        if (exponent != 0) {
            answer = Math.scalb(answer, (int) exponent);
        }
        return clip(answer);
    }

    private static int[] pomeranzBounds(int i, int n, int ll, int ceilF, int roundF) {
        int j1;
        int j2;
        if (i == 0) {
            j1 = -ll - ceilF - 1;
            j2 = ll + ceilF - 1;
        } else {
            int half = (i + 1) / 2;
            int odd = (i + 1) % 2;
            if (odd == 0) {
                if (half == n + 1) {
                    j1 = n - ll - ceilF - 1;
                    j2 = n + ll + ceilF - 1;
                } else {
                    j1 = half - 1 - ll - roundF - 1;
                    j2 = half + ll - 1 + ceilF - 1;
                }
            } else {
                j1 = half - 1 - ll - 1;
                j2 = half + ll + roundF - 1;
            }
        }
        return new int[] {Math.max(j1 + 2, 0), Math.min(j2, n)};
    }

    /** Pelz-Good asymptotic series: P(D_n <= x). */
    static double pelzGoodCdf(long n, double x) {
        if (x <= 0.0) {
            return 0.0;
        }
        if (x >= 1.0) {
            return 1.0;
        }
        double z = Math.sqrt(n) * x;
        double z2 = z * z;
        double z3 = z2 * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double qLog = -PI_SQUARED / 8 / z2;
        if (qLog < MIN_LOG) {
            return 0.0;
        }
        double q = Math.exp(qLog);
        double k1a = -z2;
        double k1b = PI_SQUARED / 4;
        double k2a = 6 * z6 + 2 * z4;
        double k2b = (2 * z4 - 5 * z2) * PI_SQUARED / 4;
        double k2c = PI_FOUR * (1 - 2 * z2) / 16;
        double k3d = PI_SIX * (5 - 30 * z2) / 64;
        double k3c = PI_FOUR * (-60 * z2 + 212 * z4) / 16;
        double k3b = PI_SQUARED * (135 * z4 - 96 * z6) / 4;
        double k3a = -30 * z6 - 90 * Math.pow(z, 8);
        double[] terms = new double[4];
        int maxK = (int) Math.ceil(16 * z / Math.PI);
        for (int k = maxK; k > 0; k--) {
            double m = 2 * k - 1;
            double m2 = m * m;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double qPower = Math.pow(q, 8 * k);
            terms[0] = terms[0] * qPower + 1.0;
            terms[1] = terms[1] * qPower + (k1a + k1b * m2);
            terms[2] = terms[2] * qPower + (k2a + k2b * m2 + k2c * m4);
            terms[3] = terms[3] * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
        }
        double[] divisors = {z, 6 * z4, 72 * Math.pow(z, 7), 6480 * Math.pow(z, 10)};
        for (int i = 0; i < 4; i++) {
            terms[i] = terms[i] * q * SQRT_2PI / divisors[i];
        }
        double q2 = Math.exp(-PI_SQUARED / 2 / z2);
        double k2Extra = 0;
        double k3Extra = 0;
        double sqrt3z = SQRT3 * z;
        for (int k = maxK; k > 0; k--) {
            double kSquared = (double) k * k;
            double qPower = Math.pow(q2, kSquared);
            k2Extra += kSquared * qPower;
            double kPi = Math.PI * k;
            k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * kSquared * qPower;
        }
        terms[2] += k2Extra * (PI_SQUARED * SQRT_2PI / (-36 * z3));
        terms[3] += k3Extra * (PI_SQUARED * SQRT_2PI / (216 * z6));
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            sum += terms[i] / Math.pow(n, i / 2.0);
        }
        return sum;
    }

    /**
     * P(D+_n > x), the one-sided Smirnov statistic, by the Birnbaum-Tingey sum evaluated in logarithms with early
     * termination (as SciPy's {@code smirnov}).
     */
    static double smirnovSurvival(long nLong, double x) {
        if (x <= 0.0) {
            return 1.0;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        int n = (int) nLong;
        if (n == 1) {
            return 1 - x;
        }
        double nx = n * x;
        long nxFloor = (long) Math.floor(nx);
        if (nxFloor == 0 || (nxFloor == 1 && nx == 1.0)) {
            return 1 - x * Math.pow(1 + x, n - 1);
        }
        if (-2 * n * x * x < CEPHES_MIN_LOG) {
            return 0.0;
        }
        if (nxFloor >= n - 1) {
            return Math.pow(1 - x, n);
        }
        if (n > 1_000_000) {
            return Math.exp(-Math.pow(6 * n * x + 1.0, 2) / 18.0 / n);
        }
        long last = n - nxFloor - (nx == nxFloor ? 1 : 0);
        double logGammaN1 = Gamma.logGamma(n + 1.0);
        double sum = 0;
        double previous = 0;
        for (long v = 0; v <= last; v++) {
            double base = x + (double) v / n;
            double rest = 1.0 - base;
            if (rest <= 0) {
                break;
            }
            double logTerm = logGammaN1 - Gamma.logGamma(v + 1.0) - Gamma.logGamma(n - v + 1.0)
                + (v - 1) * Math.log(base) + (n - v) * Math.log1p(-base);
            double term = Math.exp(logTerm);
            sum += term;
            if (v > 0 && term < previous && 4 * (last - v + 1) * term < Math.ulp(1.0) * sum) {
                break;
            }
            previous = term;
        }
        return clip(x * sum);
    }
}
