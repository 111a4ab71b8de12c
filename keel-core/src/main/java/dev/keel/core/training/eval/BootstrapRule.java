package dev.keel.core.training.eval;

import java.util.Objects;

/**
 * A paired percentile bootstrap on one metric: holdout rows are resampled with replacement (from a
 * {@link java.util.SplittableRandom} seeded with {@code seed}), the difference challenger minus champion is computed on
 * each resample (oriented so that positive is better), and the lower bound of the central {@code confidence} interval
 * must be at least {@code minDifference}.
 */
public record BootstrapRule(String metric, int resamples, double confidence, long seed, double minDifference) {
    /** The most resamples a rule may ask for. */
    public static final int MAX_RESAMPLES = 10_000;

    public BootstrapRule {
        Objects.requireNonNull(metric, "metric");
        Metrics.higherIsBetter(metric);
        if (resamples < 100 || resamples > MAX_RESAMPLES) {
            throw new IllegalArgumentException("bootstrap resamples must be between 100 and " + MAX_RESAMPLES + "; got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("bootstrap confidence must be between 0 and 1 (exclusive), for example 0.95; got " + confidence);
        }
        if (!Double.isFinite(minDifference)) {
            throw new IllegalArgumentException("bootstrap minDifference must be a finite number; got " + minDifference);
        }
    }
}
