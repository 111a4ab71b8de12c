package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

/**
 * Two records and their match weight.
 *
 * @param left one record's id
 * @param right the other record's id, different from {@code left}
 * @param weight the pair's match weight (log2 of the posterior odds)
 */
public record ScoredPair(long left, long right, double weight) {

    public ScoredPair {
        requireArgument(left != right, "a pair needs two different records (got %d twice)", left);
        requireArgument(!Double.isNaN(weight), "pair (%d, %d) has no weight (NaN)", left, right);
    }

    /** The match probability, 2^w / (1 + 2^w). */
    public double probability() {
        return MatchModel.probability(weight);
    }
}
