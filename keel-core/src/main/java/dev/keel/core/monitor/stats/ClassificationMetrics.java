package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * Classification performance as scikit-learn computes it. Binary: precision, recall and F1 of the positive label;
 * multi-class: their unweighted (macro) means over the labels seen in actual or predicted values, and one-vs-rest macro
 * ROC AUC. An undefined ratio (no predicted or no actual positives) is 0. ROC AUC groups tied scores (one ROC point
 * per distinct score); it is empty when only one class occurs. Log loss clips probabilities to
 * {@code [eps, 1 - eps]} with the double's machine epsilon and renormalizes each row.
 */
public record ClassificationMetrics(long count, double accuracy, double precision, double recall, double f1,
                                    OptionalDouble rocAuc, OptionalDouble logLoss) {
    static final double EPSILON = Math.ulp(1.0);

    public ClassificationMetrics {
        Objects.requireNonNull(rocAuc, "rocAuc");
        Objects.requireNonNull(logLoss, "logLoss");
    }

    /** Binary metrics from labels only. */
    public static ClassificationMetrics binary(List<String> actual, List<String> predicted, String positive) {
        return binary(actual, predicted, positive, OptionalDouble.empty(), OptionalDouble.empty());
    }

    /** Binary metrics with the predicted probability of the positive label, for ROC AUC and log loss. */
    public static ClassificationMetrics binary(List<String> actual, List<String> predicted, String positive,
                                               double[] positiveProbability) {
        checkSizes(actual, predicted);
        if (positiveProbability.length != actual.size()) {
            throw sizeMismatch("positiveProbability", positiveProbability.length, actual.size());
        }
        boolean[] truth = new boolean[actual.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = positive.equals(actual.get(i));
        }
        return binary(actual, predicted, positive, rocAuc(truth, positiveProbability), OptionalDouble.of(binaryLogLoss(truth,
            positiveProbability)));
    }

    private static ClassificationMetrics binary(List<String> actual, List<String> predicted, String positive, OptionalDouble auc,
                                                OptionalDouble logLoss) {
        checkSizes(actual, predicted);
        Objects.requireNonNull(positive, "positive");
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long correct = 0;
        for (int i = 0; i < actual.size(); i++) {
            boolean isPositive = positive.equals(actual.get(i));
            boolean saidPositive = positive.equals(predicted.get(i));
            if (Objects.equals(actual.get(i), predicted.get(i))) {
                correct++;
            }
            if (isPositive && saidPositive) {
                tp++;
            } else if (saidPositive) {
                fp++;
            } else if (isPositive) {
                fn++;
            }
        }
        double precision = ratio(tp, tp + fp);
        double recall = ratio(tp, tp + fn);
        return new ClassificationMetrics(actual.size(), (double) correct / actual.size(), precision, recall, f1(precision, recall),
            auc, logLoss);
    }

    /** Multi-class metrics from labels only (macro averages). */
    public static ClassificationMetrics multiclass(List<String> actual, List<String> predicted) {
        return multiclass(actual, predicted, OptionalDouble.empty(), OptionalDouble.empty());
    }

    /**
     * Multi-class metrics with predicted probabilities: {@code probabilities[i][k]} is the probability of
     * {@code classes.get(k)} for row i.
     */
    public static ClassificationMetrics multiclass(List<String> actual, List<String> predicted, List<String> classes,
                                                   double[][] probabilities) {
        checkSizes(actual, predicted);
        if (probabilities.length != actual.size()) {
            throw sizeMismatch("probabilities", probabilities.length, actual.size());
        }
        int k = classes.size();
        int[] truthIndex = new int[actual.size()];
        for (int i = 0; i < truthIndex.length; i++) {
            truthIndex[i] = classes.indexOf(actual.get(i));
            if (truthIndex[i] < 0) {
                throw new KeelException(ErrorCode.INVALID_REQUEST,
                    "actual label '" + actual.get(i) + "' at row " + i + " is not among the classes " + classes);
            }
            if (probabilities[i].length != k) {
                throw sizeMismatch("probabilities[" + i + "]", probabilities[i].length, k);
            }
        }
        double aucSum = 0;
        int aucClasses = 0;
        boolean undefined = false;
        for (int c = 0; c < k; c++) {
            boolean[] truth = new boolean[actual.size()];
            double[] score = new double[actual.size()];
            for (int i = 0; i < truth.length; i++) {
                truth[i] = truthIndex[i] == c;
                score[i] = probabilities[i][c];
            }
            OptionalDouble auc = rocAuc(truth, score);
            if (auc.isEmpty()) {
                undefined = true;
            } else {
                aucSum += auc.getAsDouble();
                aucClasses++;
            }
        }
        OptionalDouble auc = undefined || aucClasses == 0 ? OptionalDouble.empty() : OptionalDouble.of(aucSum / aucClasses);
        double loss = 0;
        for (int i = 0; i < truthIndex.length; i++) {
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += clip(probabilities[i][c]);
            }
            loss -= Math.log(clip(probabilities[i][truthIndex[i]]) / sum);
        }
        return multiclass(actual, predicted, auc, OptionalDouble.of(loss / truthIndex.length));
    }

    private static ClassificationMetrics multiclass(List<String> actual, List<String> predicted, OptionalDouble auc,
                                                    OptionalDouble logLoss) {
        checkSizes(actual, predicted);
        TreeSet<String> labels = new TreeSet<>(actual);
        labels.addAll(predicted);
        double precisionSum = 0;
        double recallSum = 0;
        double f1Sum = 0;
        long correct = 0;
        for (int i = 0; i < actual.size(); i++) {
            if (actual.get(i).equals(predicted.get(i))) {
                correct++;
            }
        }
        for (String label : labels) {
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < actual.size(); i++) {
                boolean isLabel = label.equals(actual.get(i));
                boolean saidLabel = label.equals(predicted.get(i));
                if (isLabel && saidLabel) {
                    tp++;
                } else if (saidLabel) {
                    fp++;
                } else if (isLabel) {
                    fn++;
                }
            }
            double precision = ratio(tp, tp + fp);
            double recall = ratio(tp, tp + fn);
            precisionSum += precision;
            recallSum += recall;
            f1Sum += f1(precision, recall);
        }
        int n = labels.size();
        return new ClassificationMetrics(actual.size(), (double) correct / actual.size(), precisionSum / n, recallSum / n, f1Sum / n,
            auc, logLoss);
    }

    /** Area under the ROC curve with tied scores grouped, as {@code sklearn.metrics.roc_auc_score}. */
    public static OptionalDouble rocAuc(boolean[] actual, double[] score) {
        int n = actual.length;
        if (score.length != n) {
            throw sizeMismatch("score", score.length, n);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            if (Double.isNaN(score[i])) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "score " + i + " is NaN; expected a number");
            }
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
        long positives = 0;
        for (boolean value : actual) {
            if (value) {
                positives++;
            }
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        double area = 0;
        double previousFpr = 0;
        double previousTpr = 0;
        long tp = 0;
        long fp = 0;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (actual[i]) {
                tp++;
            } else {
                fp++;
            }
            if (k == n - 1 || score[order[k + 1]] != score[i]) {
                double fpr = (double) fp / negatives;
                double tpr = (double) tp / positives;
                area += (fpr - previousFpr) * (tpr + previousTpr) / 2.0;
                previousFpr = fpr;
                previousTpr = tpr;
            }
        }
        return OptionalDouble.of(area);
    }

    /** Log loss of the positive class's probabilities, clipped and renormalised as scikit-learn does. */
    public static double binaryLogLoss(boolean[] actual, double[] positiveProbability) {
        double loss = 0;
        for (int i = 0; i < actual.length; i++) {
            double p = clip(positiveProbability[i]);
            double q = 1 - p;
            double sum = q + p;
            loss -= Math.log((actual[i] ? p : q) / sum);
        }
        return loss / actual.length;
    }

    private static double clip(double p) {
        if (Double.isNaN(p)) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "a probability is NaN; expected numbers in [0, 1]");
        }
        return Math.min(1 - EPSILON, Math.max(EPSILON, p));
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }

    private static double f1(double precision, double recall) {
        double denominator = precision + recall;
        return denominator == 0 ? 0.0 : 2 * precision * recall / denominator;
    }

    private static void checkSizes(List<String> actual, List<String> predicted) {
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(predicted, "predicted");
        if (actual.size() != predicted.size() || actual.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "actual has " + actual.size() + " labels and predicted "
                + predicted.size() + "; expected the same, non-zero number");
        }
    }

    private static KeelException sizeMismatch(String field, int size, int expected) {
        return new KeelException(ErrorCode.INVALID_REQUEST, field + " has " + size + " entries; expected " + expected);
    }
}
