package dev.keel.core.training.eval;

import dev.keel.core.monitor.stats.ClassificationMetrics;
import dev.keel.core.monitor.stats.RegressionMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The quality metrics of an evaluation, computed with {@link ClassificationMetrics} and {@link RegressionMetrics} (equal to
 * scikit-learn). BINARY and MULTICLASS: {@code accuracy}, {@code precision}, {@code recall}, {@code f1} (of the positive
 * class, or macro means), {@code auc} (one-vs-rest macro for multi-class; absent when a class does not occur) and
 * {@code logloss}; REGRESSION: {@code mae}, {@code rmse}, {@code r2}; always {@code rows}.
 */
public final class Metrics {
    public static final String ROWS = "rows";
    public static final String ACCURACY = "accuracy";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String F1 = "f1";
    public static final String AUC = "auc";
    public static final String LOGLOSS = "logloss";
    public static final String MAE = "mae";
    public static final String RMSE = "rmse";
    public static final String R2 = "r2";

    private static final List<String> CLASSIFICATION = List.of(ACCURACY, PRECISION, RECALL, F1, AUC, LOGLOSS);
    private static final List<String> REGRESSION = List.of(MAE, RMSE, R2);
    private static final Set<String> HIGHER_IS_BETTER = Set.of(ACCURACY, PRECISION, RECALL, F1, AUC, R2);
    private static final Set<String> LOWER_IS_BETTER = Set.of(LOGLOSS, MAE, RMSE);

    private Metrics() {
    }

    /**
     * The metrics of scores against the truth: {@code scores[i]} holds row i's probabilities in the order of {@code classes}
     * (classification) or its single prediction (regression, with no classes). {@code positive} is the positive class for
     * BINARY and is ignored (may be null) otherwise. The predicted label is the first most probable class.
     */
    public static Map<String, Double> compute(Task task, List<String> actual, double[][] scores, List<String> classes, String positive) {
        return of(Scored.of(task, actual, scores, classes, positive));
    }

    /** The quality metrics a task has, in the order evaluations list them. */
    public static List<String> names(Task task) {
        return switch (task) {
            case BINARY, MULTICLASS -> CLASSIFICATION;
            case REGRESSION -> REGRESSION;
        };
    }

    /** True when a larger value of the quality metric is better (accuracy, precision, recall, f1, auc, r2). */
    public static boolean higherIsBetter(String metric) {
        if (HIGHER_IS_BETTER.contains(metric)) {
            return true;
        }
        if (LOWER_IS_BETTER.contains(metric)) {
            return false;
        }
        throw new IllegalArgumentException("'" + metric + "' is not a quality metric; expected one of accuracy, precision, recall, f1, auc, "
            + "logloss, mae, rmse, r2");
    }

    static Map<String, Double> of(Scored scored) {
        return of(scored, IntStream.range(0, scored.rows()).toArray());
    }

    /** The metrics on the given rows (repeats allowed, as a bootstrap resample has them). */
    static Map<String, Double> of(Scored scored, int[] rows) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(ROWS, (double) rows.length);
        switch (scored.task()) {
            case BINARY -> {
                double[] probability = new double[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    probability[i] = scored.positiveProbability(rows[i]);
                }
                put(metrics, ClassificationMetrics.binary(pick(scored.actual(), rows), pick(scored.predicted(), rows), scored.positive(),
                    probability));
            }
            case MULTICLASS -> {
                double[][] probabilities = new double[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    probabilities[i] = scored.scores(rows[i]);
                }
                put(metrics, ClassificationMetrics.multiclass(pick(scored.actual(), rows), pick(scored.predicted(), rows), scored.classes(),
                    probabilities));
            }
            case REGRESSION -> {
                double[] actual = new double[rows.length];
                double[] predicted = new double[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    actual[i] = scored.actualValue(rows[i]);
                    predicted[i] = scored.predictedValue(rows[i]);
                }
                RegressionMetrics regression = RegressionMetrics.of(actual, predicted);
                metrics.put(MAE, regression.meanAbsoluteError());
                metrics.put(RMSE, regression.rootMeanSquaredError());
                metrics.put(R2, regression.r2());
            }
        }
        return Collections.unmodifiableMap(metrics);
    }

    /** One metric on the given rows; empty when it is undefined there (AUC with one class) or the task lacks it. */
    static OptionalDouble one(Scored scored, String metric, int[] rows) {
        if (!names(scored.task()).contains(metric)) {
            return OptionalDouble.empty();
        }
        if (scored.task() != Task.REGRESSION && !metric.equals(AUC) && !metric.equals(LOGLOSS)) {
            List<String> actual = pick(scored.actual(), rows);
            List<String> predicted = pick(scored.predicted(), rows);
            ClassificationMetrics labels = scored.task() == Task.BINARY
                ? ClassificationMetrics.binary(actual, predicted, scored.positive()) : ClassificationMetrics.multiclass(actual, predicted);
            return OptionalDouble.of(switch (metric) {
                case ACCURACY -> labels.accuracy();
                case PRECISION -> labels.precision();
                case RECALL -> labels.recall();
                default -> labels.f1();
            });
        }
        if (scored.task() == Task.BINARY && (metric.equals(AUC) || metric.equals(LOGLOSS))) {
            boolean[] truth = new boolean[rows.length];
            double[] probability = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                truth[i] = scored.truth(rows[i]);
                probability[i] = scored.positiveProbability(rows[i]);
            }
            // the same functions the full metrics use, without the rest of them (a bootstrap asks for one metric per resample)
            return metric.equals(AUC) ? ClassificationMetrics.rocAuc(truth, probability)
                : OptionalDouble.of(ClassificationMetrics.binaryLogLoss(truth, probability));
        }
        Double value = of(scored, rows).get(metric);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    private static void put(Map<String, Double> metrics, ClassificationMetrics classification) {
        metrics.put(ACCURACY, classification.accuracy());
        metrics.put(PRECISION, classification.precision());
        metrics.put(RECALL, classification.recall());
        metrics.put(F1, classification.f1());
        classification.rocAuc().ifPresent(auc -> metrics.put(AUC, auc));
        classification.logLoss().ifPresent(loss -> metrics.put(LOGLOSS, loss));
    }

    private static List<String> pick(List<String> values, int[] rows) {
        List<String> picked = new ArrayList<>(rows.length);
        for (int row : rows) {
            picked.add(values.get(row));
        }
        return picked;
    }
}
