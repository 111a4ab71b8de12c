package dev.keel.trainer.tribuo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The validated parameters of one training run.
 *
 * @param positiveLabel the label whose held-out AUC is reported; empty means the last label in sorted order
 */
record TrainingParameters(int epochs, double learningRate, int minibatchSize, long seed, Optional<String> positiveLabel) {
    static final String EPOCHS = "epochs";
    static final String LEARNING_RATE = "learning-rate";
    static final String MINIBATCH_SIZE = "minibatch-size";
    static final String SEED = "seed";
    static final String POSITIVE_LABEL = "positive-label";
    static final Set<String> KEYS = Set.of(EPOCHS, LEARNING_RATE, MINIBATCH_SIZE, SEED, POSITIVE_LABEL);

    static final int DEFAULT_EPOCHS = 10;
    static final int MAX_EPOCHS = 10_000;
    static final double DEFAULT_LEARNING_RATE = 1.0;
    static final double MAX_LEARNING_RATE = 100.0;
    static final int DEFAULT_MINIBATCH_SIZE = 1;
    static final int MAX_MINIBATCH_SIZE = 65_536;

    TrainingParameters {
        if (positiveLabel == null) {
            throw new NullPointerException("positiveLabel");
        }
    }

    /** Reads the parameter map; absent keys take their defaults, the seed defaults to the data's seed. */
    static TrainingParameters parse(Map<String, String> parameters, long defaultSeed) {
        Parameters.requireKnownKeys(parameters, KEYS);
        int epochs = Parameters.integer(parameters, EPOCHS, DEFAULT_EPOCHS, 1, MAX_EPOCHS);
        int minibatchSize = Parameters.integer(parameters, MINIBATCH_SIZE, DEFAULT_MINIBATCH_SIZE, 1, MAX_MINIBATCH_SIZE);
        double learningRate = Parameters.number(parameters, LEARNING_RATE, DEFAULT_LEARNING_RATE,
                rate -> rate > 0 && rate <= MAX_LEARNING_RATE, "(0, " + MAX_LEARNING_RATE + "]");
        long seed = Parameters.seed(parameters, SEED, defaultSeed);
        Optional<String> positiveLabel = Optional.ofNullable(parameters.get(POSITIVE_LABEL));
        if (positiveLabel.isPresent() && positiveLabel.get().isBlank()) {
            throw new IllegalArgumentException("parameter '" + POSITIVE_LABEL + "' must name one of the labels, got a blank value");
        }
        return new TrainingParameters(epochs, learningRate, minibatchSize, seed, positiveLabel);
    }

    /** The parameters as used, with the positive label resolved, for the trained model's record. */
    Map<String, String> describe(String resolvedPositiveLabel) {
        Map<String, String> used = new LinkedHashMap<>();
        used.put(EPOCHS, Integer.toString(epochs));
        used.put(LEARNING_RATE, Double.toString(learningRate));
        used.put(MINIBATCH_SIZE, Integer.toString(minibatchSize));
        used.put(SEED, Long.toString(seed));
        used.put(POSITIVE_LABEL, resolvedPositiveLabel);
        return used;
    }
}
