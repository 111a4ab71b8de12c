package dev.keel.core.training.eval;

import dev.keel.core.error.KeelException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A model's scores on each holdout row next to the truth: class probabilities in the order of {@link #classes()} (rows of
 * width C) or regression predictions (rows of width 1). Kept for the paired bootstrap; not meant to be persisted.
 */
public final class Scored {
    private final Task task;
    private final List<String> actual;
    private final double[][] scores;
    private final List<String> classes;
    private final String positive;
    private final List<String> predicted;
    private final boolean[] truth;
    private final double[] positiveProbability;
    private final double[] actualValues;
    private final double[] predictedValues;

    private Scored(Task task, List<String> actual, double[][] scores, List<String> classes, String positive) {
        this.task = task;
        this.actual = actual;
        this.scores = scores;
        this.classes = classes;
        this.positive = positive;
        int n = actual.size();
        List<String> labels = new ArrayList<>(task == Task.REGRESSION ? 0 : n);
        this.truth = new boolean[task == Task.BINARY ? n : 0];
        this.positiveProbability = new double[task == Task.BINARY ? n : 0];
        this.actualValues = new double[task == Task.REGRESSION ? n : 0];
        this.predictedValues = new double[task == Task.REGRESSION ? n : 0];
        int positiveColumn = classes.indexOf(positive);
        for (int i = 0; i < n; i++) {
            switch (task) {
                case BINARY -> {
                    labels.add(classes.get(argmax(scores[i])));
                    truth[i] = positive.equals(actual.get(i));
                    positiveProbability[i] = scores[i][positiveColumn];
                }
                case MULTICLASS -> labels.add(classes.get(argmax(scores[i])));
                case REGRESSION -> {
                    actualValues[i] = parse(actual.get(i), i);
                    predictedValues[i] = scores[i][0];
                }
            }
        }
        this.predicted = List.copyOf(labels);
    }

    /**
     * Checks and keeps one model's scores. {@code positive} names the positive class for BINARY and is ignored otherwise
     * (it may then be null); {@code classes} is empty for REGRESSION.
     */
    public static Scored of(Task task, List<String> actual, double[][] scores, List<String> classes, String positive) {
        List<String> truthLabels = List.copyOf(actual);
        List<String> classList = List.copyOf(classes);
        String positiveClass = checkTargets(task, truthLabels, classList, positive);
        KeelException.requireArgument(scores.length == truthLabels.size(), "there are %d score rows for %d labels; expected one per label",
            scores.length, truthLabels.size());
        int width = task == Task.REGRESSION ? 1 : classList.size();
        double[][] copy = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            KeelException.requireArgument(scores[i] != null && scores[i].length == width, "score row %d has %s values; expected %d",
                i, scores[i] == null ? "no" : Integer.toString(scores[i].length), width);
            copy[i] = scores[i].clone();
            for (double value : copy[i]) {
                KeelException.requireArgument(Double.isFinite(value), "score row %d holds %s; expected finite numbers", i, value);
            }
        }
        return new Scored(task, truthLabels, copy, classList, positiveClass);
    }

    /** Checks the classes, the positive class and the labels for the task; returns the positive class ("" unless BINARY). */
    static String checkTargets(Task task, List<String> actual, List<String> classes, String positive) {
        Objects.requireNonNull(task, "task");
        KeelException.requireArgument(!actual.isEmpty(), "there are no rows to score; expected at least one");
        KeelException.requireArgument(new HashSet<>(classes).size() == classes.size(), "classes must be distinct; got %s", classes);
        switch (task) {
            case BINARY -> {
                KeelException.requireArgument(classes.size() == 2, "a binary task needs exactly 2 classes; got %s", classes);
                KeelException.requireArgument(positive != null && classes.contains(positive),
                    "the positive class '%s' is not one of the classes %s", positive, classes);
            }
            case MULTICLASS -> KeelException.requireArgument(classes.size() >= 2, "a multi-class task needs at least 2 classes; got %s", classes);
            case REGRESSION -> {
                KeelException.requireArgument(classes.isEmpty(), "a regression task has no classes; got %s", classes);
                for (int i = 0; i < actual.size(); i++) {
                    parse(actual.get(i), i);
                }
                return "";
            }
        }
        Set<String> known = new HashSet<>(classes);
        for (int i = 0; i < actual.size(); i++) {
            KeelException.requireArgument(known.contains(actual.get(i)), "label '%s' of row %d is not one of the classes %s", actual.get(i), i,
                classes);
        }
        return task == Task.BINARY ? positive : "";
    }

    static int argmax(double[] row) {
        int best = 0;
        for (int k = 1; k < row.length; k++) {
            if (row[k] > row[best]) {
                best = k;
            }
        }
        return best;
    }

    private static double parse(String label, int row) {
        double value;
        try {
            value = Double.parseDouble(label.strip());
        } catch (NumberFormatException e) {
            throw KeelException.badRequest("label '" + label + "' of row " + row + " is not a number; a regression label is a decimal string");
        }
        KeelException.requireArgument(Double.isFinite(value), "label '%s' of row %d is not finite; expected a decimal number", label, row);
        return value;
    }

    /** The task the scores are for. */
    public Task task() {
        return task;
    }

    /** The number of rows. */
    public int rows() {
        return actual.size();
    }

    /** The true label of each row (a decimal string for regression). */
    public List<String> actual() {
        return actual;
    }

    /** The label the model predicts for each row (the first most probable class); empty for regression. */
    public List<String> predicted() {
        return predicted;
    }

    /** The probability column order; empty for regression. */
    public List<String> classes() {
        return classes;
    }

    /** The positive class of a binary task; empty otherwise. */
    public String positive() {
        return positive;
    }

    /** A copy of one row's scores: C probabilities, or one prediction. */
    public double[] scores(int row) {
        return scores[row].clone();
    }

    double score(int row, int column) {
        return scores[row][column];
    }

    boolean truth(int row) {
        return truth[row];
    }

    double positiveProbability(int row) {
        return positiveProbability[row];
    }

    double actualValue(int row) {
        return actualValues[row];
    }

    double predictedValue(int row) {
        return predictedValues[row];
    }
}
