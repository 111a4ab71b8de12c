package dev.keel.trainer.tribuo;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;

/** The metrics a trainer claims for its model on the held-out rows. */
final class HeldOutMetrics {
    private static final double MIN_PROBABILITY = 1e-15;

    private HeldOutMetrics() {
    }

    /**
     * {@code auc} (one-vs-rest for {@code positiveLabel}, when the held-out rows have it and another label), {@code accuracy}
     * and {@code log_loss} (natural log, probabilities clamped to 1e-15).
     */
    static Map<String, Double> classification(Model<Label> model, Dataset<Label> heldOut, String positiveLabel) {
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, heldOut);
        Set<String> heldOutLabels = new HashSet<>();
        for (var example : heldOut) {
            heldOutLabels.add(example.getOutput().getLabel());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (heldOutLabels.contains(positiveLabel) && heldOutLabels.size() > 1) {
            metrics.put("auc", evaluation.AUCROC(new Label(positiveLabel)));
        }
        metrics.put("accuracy", evaluation.accuracy());
        metrics.put("log_loss", logLoss(evaluation.getPredictions()));
        return metrics;
    }

    /** {@code mae}, {@code rmse} and {@code r2} (1 − residual sum of squares / total sum of squares about the held-out mean). */
    static Map<String, Double> regression(double[] actual, double[] predicted) {
        if (actual.length != predicted.length || actual.length == 0) {
            throw new IllegalArgumentException(actual.length + " actual values but " + predicted.length + " predictions");
        }
        double mean = 0;
        for (double value : actual) {
            mean += value / actual.length;
        }
        double absolute = 0;
        double squares = 0;
        double total = 0;
        for (int i = 0; i < actual.length; i++) {
            double residual = actual[i] - predicted[i];
            absolute += Math.abs(residual);
            squares += residual * residual;
            total += (actual[i] - mean) * (actual[i] - mean);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("mae", absolute / actual.length);
        metrics.put("rmse", Math.sqrt(squares / actual.length));
        if (total > 0) {
            metrics.put("r2", 1 - squares / total);
        }
        return metrics;
    }

    private static double logLoss(List<Prediction<Label>> predictions) {
        double total = 0;
        for (Prediction<Label> prediction : predictions) {
            Label truth = prediction.getExample().getOutput();
            Label scored = prediction.getOutputScores().get(truth.getLabel());
            double probability = scored == null ? 0 : scored.getScore();
            total -= Math.log(Math.max(probability, MIN_PROBABILITY));
        }
        return total / predictions.size();
    }
}
