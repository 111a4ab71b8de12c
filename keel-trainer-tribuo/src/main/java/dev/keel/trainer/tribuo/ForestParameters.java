package dev.keel.trainer.tribuo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The validated parameters of one random-forest run.
 *
 * @param minChildWeight the least number of training rows (each of weight 1) a split may leave on either side
 * @param featureFraction the fraction of the features each split chooses from; 1 grows bagged trees that consider every feature
 * @param positiveLabel the label whose held-out AUC is reported; empty means the last label in sorted order
 */
record ForestParameters(int trees, int maxDepth, double minChildWeight, double featureFraction, long seed, Optional<String> positiveLabel) {
    static final String TREES = "trees";
    static final String MAX_DEPTH = "max-depth";
    static final String MIN_CHILD_WEIGHT = "min-child-weight";
    static final String FEATURE_FRACTION = "feature-fraction";
    static final String SEED = "seed";
    static final String POSITIVE_LABEL = "positive-label";
    static final Set<String> KEYS = Set.of(TREES, MAX_DEPTH, MIN_CHILD_WEIGHT, FEATURE_FRACTION, SEED, POSITIVE_LABEL);

    static final int DEFAULT_TREES = 100;
    static final int MAX_TREES = 10_000;
    static final int DEFAULT_MAX_DEPTH = 12;
    static final int MAX_MAX_DEPTH = 64;
    static final double DEFAULT_MIN_CHILD_WEIGHT = 5.0;
    static final double MAX_MIN_CHILD_WEIGHT = 1_000_000.0;
    static final double DEFAULT_FEATURE_FRACTION = 0.5;

    ForestParameters {
        if (positiveLabel == null) {
            throw new NullPointerException("positiveLabel");
        }
    }

    /** Reads the parameter map; absent keys take their defaults, the seed defaults to the data's seed. */
    static ForestParameters parse(Map<String, String> parameters, long defaultSeed) {
        Parameters.requireKnownKeys(parameters, KEYS);
        int trees = Parameters.integer(parameters, TREES, DEFAULT_TREES, 1, MAX_TREES);
        int maxDepth = Parameters.integer(parameters, MAX_DEPTH, DEFAULT_MAX_DEPTH, 1, MAX_MAX_DEPTH);
        double minChildWeight = Parameters.number(parameters, MIN_CHILD_WEIGHT, DEFAULT_MIN_CHILD_WEIGHT,
                weight -> weight > 0 && weight <= MAX_MIN_CHILD_WEIGHT, "(0, " + MAX_MIN_CHILD_WEIGHT + "]");
        double featureFraction = Parameters.number(parameters, FEATURE_FRACTION, DEFAULT_FEATURE_FRACTION,
                fraction -> fraction > 0 && fraction <= 1, "(0, 1]");
        long seed = Parameters.seed(parameters, SEED, defaultSeed);
        Optional<String> positiveLabel = Optional.ofNullable(parameters.get(POSITIVE_LABEL));
        if (positiveLabel.isPresent() && positiveLabel.get().isBlank()) {
            throw new IllegalArgumentException("parameter '" + POSITIVE_LABEL + "' must name one of the labels, got a blank value");
        }
        return new ForestParameters(trees, maxDepth, minChildWeight, featureFraction, seed, positiveLabel);
    }

    /** The parameters as used, with the positive label resolved, for the trained model's record. */
    Map<String, String> describe(String resolvedPositiveLabel) {
        Map<String, String> used = new LinkedHashMap<>();
        used.put(TREES, Integer.toString(trees));
        used.put(MAX_DEPTH, Integer.toString(maxDepth));
        used.put(MIN_CHILD_WEIGHT, Double.toString(minChildWeight));
        used.put(FEATURE_FRACTION, Double.toString(featureFraction));
        used.put(SEED, Long.toString(seed));
        used.put(POSITIVE_LABEL, resolvedPositiveLabel);
        return used;
    }
}
