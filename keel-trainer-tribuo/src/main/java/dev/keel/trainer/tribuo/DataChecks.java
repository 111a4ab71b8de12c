package dev.keel.trainer.tribuo;

import dev.keel.spi.Trainer.TrainingData;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The checks every trainer here makes on its rows before training, with messages that name the row and the feature. */
final class DataChecks {
    private DataChecks() {
    }

    /** Distinct, non-blank feature names and, in every row, one finite value per name. */
    static void requireFiniteFeatures(TrainingData data) {
        List<String> featureNames = data.featureNames();
        if (featureNames.isEmpty()) {
            throw new IllegalArgumentException("featureNames must name at least one feature, got none");
        }
        Set<String> seen = new HashSet<>();
        for (String name : featureNames) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("featureNames must not contain a blank name, got " + featureNames);
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("featureNames must be distinct, got '" + name + "' twice");
            }
        }
        for (int row = 0; row < data.features().size(); row++) {
            double[] values = data.features().get(row);
            if (values.length != featureNames.size()) {
                throw new IllegalArgumentException("row " + row + " has " + values.length + " values, expected " + featureNames.size());
            }
            for (int column = 0; column < values.length; column++) {
                if (!Double.isFinite(values[column])) {
                    throw new IllegalArgumentException("row " + row + " feature '" + featureNames.get(column) + "' is " + values[column]
                            + ", expected a finite number");
                }
            }
        }
    }

    /** Every value within float32's range, for the trainers whose exported model reads float32 and whose training rounds to it. */
    static void requireFloat32Range(TrainingData data) {
        for (int row = 0; row < data.features().size(); row++) {
            double[] values = data.features().get(row);
            for (int column = 0; column < values.length; column++) {
                if (Math.abs(values[column]) > Float.MAX_VALUE) {
                    throw new IllegalArgumentException("row " + row + " feature '" + data.featureNames().get(column) + "' is " + values[column]
                            + ", outside the float32 range [-" + Float.MAX_VALUE + ", " + Float.MAX_VALUE + "] that the exported model reads");
                }
            }
        }
    }

    /** Non-blank class names, at least two distinct ones. */
    static void requireClassLabels(TrainingData data) {
        for (int row = 0; row < data.labels().size(); row++) {
            String label = data.labels().get(row);
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("row " + row + " has a blank label, expected a class name");
            }
        }
        Set<String> labels = new HashSet<>(data.labels());
        if (labels.size() < 2) {
            throw new IllegalArgumentException("labels must hold at least 2 distinct classes, got " + labels);
        }
    }

    /** Each label read as a finite decimal number; at least two rows. */
    static double[] requireNumericLabels(TrainingData data) {
        List<String> labels = data.labels();
        if (labels.size() < 2) {
            throw new IllegalArgumentException("regression needs at least 2 rows, got " + labels.size());
        }
        double[] targets = new double[labels.size()];
        for (int row = 0; row < labels.size(); row++) {
            String label = labels.get(row);
            double value;
            try {
                value = label == null ? Double.NaN : Double.parseDouble(label.strip());
            } catch (NumberFormatException e) {
                value = Double.NaN;
            }
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("row " + row + " has label '" + label + "', expected a finite decimal number such as 151 or -0.25");
            }
            targets[row] = value;
        }
        return targets;
    }

    /**
     * The order of the model's probability columns: the caller's {@code classes} when it gives them (every training label must
     * be among them, and each must have training rows, or the model could not produce its column), else the trainer's own.
     */
    static List<String> outputOrder(TrainingData data, List<String> trainerOrder) {
        if (data.classes().isEmpty()) {
            return List.copyOf(trainerOrder);
        }
        for (String label : trainerOrder) {
            if (!data.classes().contains(label)) {
                throw new IllegalArgumentException("label '" + label + "' is not one of the classes " + data.classes());
            }
        }
        for (String wanted : data.classes()) {
            if (!trainerOrder.contains(wanted)) {
                throw new IllegalArgumentException("class '" + wanted + "' has no training rows, so the model cannot give it a probability");
            }
        }
        return data.classes();
    }
}
