package dev.keel.spi;

import java.util.List;
import java.util.Map;

/** A plug-in that trains a model inside the JVM and exports it as an artifact; found with {@link java.util.ServiceLoader}. */
public interface Trainer {
    /** The algorithm name, for example {@code logistic-regression}. */
    String algorithm();

    /** Trains on the given rows and returns the exported model with its held-out metrics. */
    TrainedModel train(TrainingData data, Map<String, String> parameters);

    /**
     * Rows to learn from: numeric features by name and a string label per row.
     *
     * @param featureNames the column order of {@code features}
     * @param classes the order the model's probability columns must follow (every label occurs in it); empty to let the
     *                trainer choose, and for regression
     */
    record TrainingData(List<String> featureNames, List<double[]> features, List<String> labels, double testFraction, long seed,
                        List<String> classes) {
        public TrainingData {
            classes = List.copyOf(classes);
            featureNames = List.copyOf(featureNames);
            features = List.copyOf(features);
            labels = List.copyOf(labels);
            if (features.size() != labels.size()) {
                throw new IllegalArgumentException(features.size() + " feature rows but " + labels.size() + " labels");
            }
            if (testFraction < 0 || testFraction >= 1) {
                throw new IllegalArgumentException("test-fraction must be in [0, 1), got " + testFraction);
            }
        }

        /** Rows whose probability column order the trainer chooses. */
        public TrainingData(List<String> featureNames, List<double[]> features, List<String> labels, double testFraction, long seed) {
            this(featureNames, features, labels, testFraction, seed, List.of());
        }
    }

    /**
     * A trained model.
     *
     * @param artifact the model in {@code format}
     * @param labels the class labels in the order of the model's probability output
     * @param metrics held-out metrics such as {@code auc} and {@code accuracy}
     */
    record TrainedModel(String format, byte[] artifact, List<String> labels, Map<String, Double> metrics,
                        Map<String, String> parameters) {
        public TrainedModel {
            labels = List.copyOf(labels);
            metrics = Map.copyOf(metrics);
            parameters = Map.copyOf(parameters);
        }
    }
}
