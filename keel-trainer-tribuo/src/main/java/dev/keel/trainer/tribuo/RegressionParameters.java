package dev.keel.trainer.tribuo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The validated parameters of one linear-regression run. */
record RegressionParameters(int epochs, double learningRate, int minibatchSize, long seed) {
    static final String EPOCHS = "epochs";
    static final String LEARNING_RATE = "learning-rate";
    static final String MINIBATCH_SIZE = "minibatch-size";
    static final String SEED = "seed";
    static final Set<String> KEYS = Set.of(EPOCHS, LEARNING_RATE, MINIBATCH_SIZE, SEED);

    static final int DEFAULT_EPOCHS = 50;
    static final int MAX_EPOCHS = 10_000;
    static final double DEFAULT_LEARNING_RATE = 0.1;
    static final double MAX_LEARNING_RATE = 100.0;
    static final int DEFAULT_MINIBATCH_SIZE = 1;
    static final int MAX_MINIBATCH_SIZE = 65_536;

    /** Reads the parameter map; absent keys take their defaults, the seed defaults to the data's seed. */
    static RegressionParameters parse(Map<String, String> parameters, long defaultSeed) {
        Parameters.requireKnownKeys(parameters, KEYS);
        int epochs = Parameters.integer(parameters, EPOCHS, DEFAULT_EPOCHS, 1, MAX_EPOCHS);
        int minibatchSize = Parameters.integer(parameters, MINIBATCH_SIZE, DEFAULT_MINIBATCH_SIZE, 1, MAX_MINIBATCH_SIZE);
        double learningRate = Parameters.number(parameters, LEARNING_RATE, DEFAULT_LEARNING_RATE,
                rate -> rate > 0 && rate <= MAX_LEARNING_RATE, "(0, " + MAX_LEARNING_RATE + "]");
        long seed = Parameters.seed(parameters, SEED, defaultSeed);
        return new RegressionParameters(epochs, learningRate, minibatchSize, seed);
    }

    /** The parameters as used, for the trained model's record. */
    Map<String, String> describe() {
        Map<String, String> used = new LinkedHashMap<>();
        used.put(EPOCHS, Integer.toString(epochs));
        used.put(LEARNING_RATE, Double.toString(learningRate));
        used.put(MINIBATCH_SIZE, Integer.toString(minibatchSize));
        used.put(SEED, Long.toString(seed));
        return used;
    }
}
