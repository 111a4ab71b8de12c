package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Estimation of a {@link MatchModel}'s u, m and λ, as Splink does it. */
public final class MatchTraining {

    private MatchTraining() {
    }

    /**
     * Expectation–maximisation settings.
     *
     * @param maximumIterations the most iterations run
     * @param tolerance stop when no m, u or λ moves by more than this in one iteration
     * @param fixU keep u as given (Splink's default, u having come from random pairs) or re-estimate it too
     * @param minimumProbability the floor under every estimated m and u, so that no weight is infinite
     */
    public record EmOptions(int maximumIterations, double tolerance, boolean fixU, double minimumProbability) {
        public EmOptions {
            requireArgument(maximumIterations >= 1, "EM needs at least one iteration (got %s)", maximumIterations);
            requireArgument(tolerance > 0, "an EM tolerance must be > 0 (got %s)", tolerance);
            requireArgument(minimumProbability > 0 && minimumProbability < 1, "a probability floor must be in (0, 1) (got %s)", minimumProbability);
        }

        /** 25 iterations, tolerance 0.0001, u fixed, floor 1e-9: Splink's defaults where it has them. */
        public static EmOptions defaults() {
            return new EmOptions(25, 0.0001, true, 1e-9);
        }
    }

    /**
     * What EM produced.
     *
     * @param model the model with the estimated m (and u when not fixed) and λ
     * @param iterations the iterations run
     * @param converged whether the last iteration moved every parameter by at most the tolerance
     */
    public record EmResult(MatchModel model, int iterations, boolean converged) {
    }

    /**
     * Estimates u from {@code pairs} record pairs drawn uniformly at random (two distinct records, with replacement
     * between draws) with a seeded generator. For comparison k, {@code u_kl = n_kl / n_k} where n_k is the number of
     * sampled pairs not at the null level; a level never seen gets half a pair, {@code 1 / (2 n_k)}. A comparison
     * null in every sampled pair keeps its u.
     */
    public static MatchModel estimateU(MatchModel model, List<? extends Map<String, ?>> records, int pairs, long seed) {
        requireArgument(records.size() >= 2, "estimating u needs at least two records (got %d)", records.size());
        requireArgument(pairs >= 1, "estimating u needs at least one pair (got %d)", pairs);
        List<Comparison> comparisons = model.comparisons();
        long[][] counts = new long[comparisons.size()][];
        for (int k = 0; k < counts.length; k++) {
            counts[k] = new long[comparisons.get(k).levelCount()];
        }
        Random random = new Random(seed);
        int n = records.size();
        for (int p = 0; p < pairs; p++) {
            int i = random.nextInt(n);
            int j = random.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            int[] levels = model.levels(records.get(i), records.get(j));
            for (int k = 0; k < levels.length; k++) {
                counts[k][levels[k]]++;
            }
        }
        double[][] u = model.u();
        for (int k = 0; k < counts.length; k++) {
            long nonNull = Arrays.stream(counts[k]).sum() - counts[k][Comparison.NULL_LEVEL];
            if (nonNull == 0) {
                continue;
            }
            for (int l = 1; l < counts[k].length; l++) {
                u[k][l] = counts[k][l] == 0 ? 0.5 / nonNull : (double) counts[k][l] / nonNull;
            }
        }
        return model.withU(u);
    }

    /**
     * Estimates m and λ (and u unless fixed) by expectation–maximisation over the level vectors of candidate pairs, no
     * labels needed. E step: each pair's match probability under the current parameters. M step: λ is the mean
     * probability; {@code m_kl} is the probability-weighted share of pairs at level l among those not null on k (u the
     * same with 1 - probability). Identical vectors are grouped first, so the cost per iteration is the number of
     * distinct vectors. Deterministic: the same vectors and starting model give the same result.
     */
    public static EmResult expectationMaximisation(MatchModel start, Iterable<int[]> vectors, EmOptions options) {
        List<Comparison> comparisons = start.comparisons();
        Map<Pattern, long[]> grouped = new LinkedHashMap<>();
        long total = 0;
        for (int[] vector : vectors) {
            requireArgument(vector.length == comparisons.size(), "a level vector needs %d entries (got %d)", comparisons.size(), vector.length);
            for (int k = 0; k < vector.length; k++) {
                int levels = comparisons.get(k).levelCount();
                requireArgument(vector[k] >= 0 && vector[k] < levels, "comparison '%s' has levels 0..%d (got %d)", comparisons.get(k).name(),
                        levels - 1, vector[k]);
            }
            grouped.computeIfAbsent(new Pattern(vector.clone()), key -> new long[1])[0]++;
            total++;
        }
        requireArgument(total > 0, "EM needs at least one candidate pair");
        int[][] patterns = new int[grouped.size()][];
        long[] counts = new long[grouped.size()];
        int index = 0;
        for (Map.Entry<Pattern, long[]> entry : grouped.entrySet()) {
            patterns[index] = entry.getKey().levels();
            counts[index++] = entry.getValue()[0];
        }
        return expectationMaximisation(start, patterns, counts, options);
    }

    /**
     * EM as {@link #expectationMaximisation(MatchModel, Iterable, EmOptions)} over level vectors already grouped:
     * {@code patterns[i]} occurs {@code counts[i]} times among the candidate pairs.
     */
    public static EmResult expectationMaximisation(MatchModel start, int[][] patterns, long[] counts, EmOptions options) {
        List<Comparison> comparisons = start.comparisons();
        requireArgument(patterns.length == counts.length, "%d level vectors but %d counts", patterns.length, counts.length);
        long total = 0;
        for (int p = 0; p < patterns.length; p++) {
            requireArgument(patterns[p].length == comparisons.size(), "a level vector needs %d entries (got %d)", comparisons.size(),
                    patterns[p].length);
            for (int k = 0; k < patterns[p].length; k++) {
                int levels = comparisons.get(k).levelCount();
                requireArgument(patterns[p][k] >= 0 && patterns[p][k] < levels, "comparison '%s' has levels 0..%d (got %d)",
                        comparisons.get(k).name(), levels - 1, patterns[p][k]);
            }
            requireArgument(counts[p] >= 1, "a level vector's count must be >= 1 (got %d)", counts[p]);
            total += counts[p];
        }
        requireArgument(total > 0, "EM needs at least one candidate pair");

        double lambda = start.lambda();
        double[][] m = start.m();
        double[][] u = start.u();
        double floor = options.minimumProbability();
        for (int iteration = 1; iteration <= options.maximumIterations(); iteration++) {
            double[][] matchSums = zeros(m);
            double[][] nonMatchSums = zeros(m);
            double matchTotal = 0;
            for (int p = 0; p < patterns.length; p++) {
                double logOdds = Math.log(lambda / (1 - lambda));
                for (int k = 0; k < patterns[p].length; k++) {
                    logOdds += Math.log(m[k][patterns[p][k]] / u[k][patterns[p][k]]);
                }
                double probability = 1.0 / (1.0 + Math.exp(-logOdds));
                double matches = probability * counts[p];
                double nonMatches = (1 - probability) * counts[p];
                matchTotal += matches;
                for (int k = 0; k < patterns[p].length; k++) {
                    matchSums[k][patterns[p][k]] += matches;
                    nonMatchSums[k][patterns[p][k]] += nonMatches;
                }
            }
            double change = 0;
            double newLambda = Math.min(1 - floor, Math.max(floor, matchTotal / total));
            change = Math.max(change, Math.abs(newLambda - lambda));
            lambda = newLambda;
            change = Math.max(change, maximise(m, matchSums, floor));
            if (!options.fixU()) {
                change = Math.max(change, maximise(u, nonMatchSums, floor));
            }
            if (change <= options.tolerance()) {
                return new EmResult(start.withLambda(lambda).withM(m).withU(u), iteration, true);
            }
        }
        return new EmResult(start.withLambda(lambda).withM(m).withU(u), options.maximumIterations(), false);
    }

    /**
     * Estimates m from labelled pairs: {@code m_kl} is the share of true matches at level l among those not null on k,
     * a level never seen among them getting half a pair. λ and u are kept.
     */
    public static MatchModel mFromLabelledPairs(MatchModel model, List<int[]> vectors, boolean[] isMatch) {
        requireArgument(vectors.size() == isMatch.length, "%d level vectors but %d labels", vectors.size(), isMatch.length);
        double[][] sums = zeros(model.m());
        for (int p = 0; p < isMatch.length; p++) {
            if (isMatch[p]) {
                int[] vector = vectors.get(p);
                requireArgument(vector.length == sums.length, "a level vector needs %d entries (got %d)", sums.length, vector.length);
                for (int k = 0; k < vector.length; k++) {
                    sums[k][vector[k]]++;
                }
            }
        }
        double[][] m = model.m();
        for (int k = 0; k < sums.length; k++) {
            double nonNull = Arrays.stream(sums[k]).sum() - sums[k][Comparison.NULL_LEVEL];
            requireArgument(nonNull > 0, "no labelled match has a value on both sides for comparison '%s'", model.comparisons().get(k).name());
            for (int l = 1; l < sums[k].length; l++) {
                m[k][l] = sums[k][l] == 0 ? 0.5 / nonNull : sums[k][l] / nonNull;
            }
        }
        return model.withM(m);
    }

    private static double maximise(double[][] probabilities, double[][] sums, double floor) {
        double change = 0;
        for (int k = 0; k < sums.length; k++) {
            double nonNull = Arrays.stream(sums[k]).sum() - sums[k][Comparison.NULL_LEVEL];
            if (nonNull <= 0) {
                continue;
            }
            for (int l = 1; l < sums[k].length; l++) {
                double estimate = Math.min(1, Math.max(floor, sums[k][l] / nonNull));
                change = Math.max(change, Math.abs(estimate - probabilities[k][l]));
                probabilities[k][l] = estimate;
            }
        }
        return change;
    }

    private static double[][] zeros(double[][] shape) {
        double[][] zeros = new double[shape.length][];
        for (int k = 0; k < shape.length; k++) {
            zeros[k] = new double[shape[k].length];
        }
        return zeros;
    }

    /** A level vector as a map key. */
    private record Pattern(int[] levels) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Pattern pattern && Arrays.equals(levels, pattern.levels);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(levels);
        }

        @Override
        public String toString() {
            return Arrays.toString(levels);
        }
    }
}
