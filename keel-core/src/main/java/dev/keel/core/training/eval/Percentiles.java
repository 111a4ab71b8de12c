package dev.keel.core.training.eval;

/** Percentiles of sorted values with linear interpolation between order statistics, as {@code numpy.quantile} by default. */
final class Percentiles {
    private Percentiles() {
    }

    /** The q-quantile (0 <= q <= 1) of values sorted ascending; 0 for no values. */
    static double linear(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        double position = (sorted.length - 1) * q;
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }
}
