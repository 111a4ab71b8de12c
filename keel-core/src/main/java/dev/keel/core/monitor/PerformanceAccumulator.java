package dev.keel.core.monitor;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Performance metrics accumulated one labelled prediction at a time in fixed memory: a binary confusion matrix, a
 * log-loss sum, score histograms for ROC AUC (1000 bins, so AUC is exact up to ties within a bin), and the running sums
 * behind MAE, RMSE and R². Not thread-safe.
 */
final class PerformanceAccumulator {
    static final int SCORE_BINS = 1000;
    private static final double EPSILON = Math.ulp(1.0);

    private final Optional<String> positive;
    private long count;
    private long correct;
    private long truePositives;
    private long falsePositives;
    private long falseNegatives;
    private long scored;
    private double logLossSum;
    private final long[] positiveScores = new long[SCORE_BINS];
    private final long[] negativeScores = new long[SCORE_BINS];
    private long regressionCount;
    private double absoluteErrorSum;
    private double squaredErrorSum;
    private double actualSum;
    private double actualSquareSum;

    PerformanceAccumulator(Optional<String> positive) {
        this.positive = positive;
    }

    /** One classified prediction; {@code score} is the predicted probability of the positive class when known. */
    void addClass(String actual, String predicted, OptionalDouble score) {
        count++;
        if (actual.equals(predicted)) {
            correct++;
        }
        if (positive.isEmpty()) {
            return;
        }
        boolean isPositive = positive.get().equals(actual);
        boolean saidPositive = positive.get().equals(predicted);
        if (isPositive && saidPositive) {
            truePositives++;
        } else if (saidPositive) {
            falsePositives++;
        } else if (isPositive) {
            falseNegatives++;
        }
        if (score.isPresent() && Double.isFinite(score.getAsDouble())) {
            double probability = Math.min(1, Math.max(0, score.getAsDouble()));
            int bin = Math.min(SCORE_BINS - 1, (int) (probability * SCORE_BINS));
            (isPositive ? positiveScores : negativeScores)[bin]++;
            double clipped = Math.min(1 - EPSILON, Math.max(EPSILON, probability));
            logLossSum -= isPositive ? Math.log(clipped) : Math.log(1 - clipped);
            scored++;
        }
    }

    /** One regression prediction. */
    void addValue(double actual, double predicted) {
        regressionCount++;
        double error = actual - predicted;
        absoluteErrorSum += Math.abs(error);
        squaredErrorSum += error * error;
        actualSum += actual;
        actualSquareSum += actual * actual;
    }

    long count() {
        return Math.max(count, regressionCount);
    }

    OptionalDouble value(MonitorStatistic statistic) {
        return switch (statistic) {
            case ACCURACY -> count == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) correct / count);
            case PRECISION -> count == 0 ? OptionalDouble.empty() : OptionalDouble.of(ratio(truePositives, truePositives + falsePositives));
            case RECALL -> count == 0 ? OptionalDouble.empty() : OptionalDouble.of(ratio(truePositives, truePositives + falseNegatives));
            case F1 -> count == 0 ? OptionalDouble.empty()
                    : OptionalDouble.of(ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives));
            case ROC_AUC -> rocAuc();
            case LOG_LOSS -> scored == 0 ? OptionalDouble.empty() : OptionalDouble.of(logLossSum / scored);
            case MAE -> regressionCount == 0 ? OptionalDouble.empty() : OptionalDouble.of(absoluteErrorSum / regressionCount);
            case RMSE -> regressionCount == 0 ? OptionalDouble.empty() : OptionalDouble.of(Math.sqrt(squaredErrorSum / regressionCount));
            case R2 -> {
                if (regressionCount == 0) {
                    yield OptionalDouble.empty();
                }
                double mean = actualSum / regressionCount;
                double total = actualSquareSum - regressionCount * mean * mean;
                yield total <= 0 ? OptionalDouble.empty() : OptionalDouble.of(1 - squaredErrorSum / total);
            }
            default -> throw new IllegalArgumentException(statistic + " is not a performance metric");
        };
    }

    private OptionalDouble rocAuc() {
        long positives = 0;
        long negatives = 0;
        for (int i = 0; i < SCORE_BINS; i++) {
            positives += positiveScores[i];
            negatives += negativeScores[i];
        }
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        double pairs = 0;
        long negativesBelow = 0;
        for (int i = 0; i < SCORE_BINS; i++) {
            pairs += positiveScores[i] * (negativesBelow + negativeScores[i] / 2.0);
            negativesBelow += negativeScores[i];
        }
        return OptionalDouble.of(pairs / ((double) positives * negatives));
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }
}
