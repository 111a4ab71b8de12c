package dev.keel.core.training.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Evaluations built by hand for gate tests: either with chosen metrics or computed from chosen scores. */
final class GateFixtures {
    static final int ROWS = 200;

    private GateFixtures() {
    }

    /** An evaluation of {@value #ROWS} binary rows whose metrics are exactly the given ones (plus rows). */
    static Evaluation withMetrics(Map<String, Double> metrics) {
        return withMetrics(metrics, 1.0, 1000);
    }

    static Evaluation withMetrics(Map<String, Double> metrics, double latencyP99Millis, long modelBytes) {
        Scored scored = binary(alternating(ROWS), constant(ROWS, 0.5));
        java.util.LinkedHashMap<String, Double> all = new java.util.LinkedHashMap<>();
        all.put(Metrics.ROWS, (double) ROWS);
        all.putAll(metrics);
        return new Evaluation(Task.BINARY, ROWS, all, Map.of(), latencyP99Millis / 2, latencyP99Millis, modelBytes, scored);
    }

    /** Binary scores with classes [no, yes], positive yes; {@code probabilityYes[i]} is row i's P(yes). */
    static Scored binary(List<String> actual, double[] probabilityYes) {
        double[][] scores = new double[probabilityYes.length][];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = new double[] {1 - probabilityYes[i], probabilityYes[i]};
        }
        return Scored.of(Task.BINARY, actual, scores, List.of("no", "yes"), "yes");
    }

    static Scored regression(double[] actual, double[] predicted) {
        List<String> labels = new ArrayList<>();
        double[][] scores = new double[actual.length][];
        for (int i = 0; i < actual.length; i++) {
            labels.add(Double.toString(actual[i]));
            scores[i] = new double[] {predicted[i]};
        }
        return Scored.of(Task.REGRESSION, labels, scores, List.of(), null);
    }

    static Evaluation evaluation(Scored scored) {
        return Evaluation.of(scored, Map.of(), 0.01, 0.02, 1000);
    }

    /** yes, no, yes, no, ... */
    static List<String> alternating(int rows) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            labels.add(i % 2 == 0 ? "yes" : "no");
        }
        return labels;
    }

    static double[] constant(int rows, double value) {
        double[] values = new double[rows];
        Arrays.fill(values, value);
        return values;
    }

    /**
     * P(yes) for alternating labels that ranks the truth right except on every {@code period}-th pair of rows (a smaller
     * period is a worse model). Values depend only on the row, so two calls give identical scores.
     */
    static double[] separating(int rows, int period) {
        double[] values = new double[rows];
        for (int i = 0; i < rows; i++) {
            boolean yes = i % 2 == 0;
            boolean wrong = (i / 2) % period == 0;
            double confidence = 0.6 + 0.3 * ((i * 37) % 11) / 10.0;
            values[i] = yes != wrong ? confidence : 1 - confidence;
        }
        return values;
    }
}
