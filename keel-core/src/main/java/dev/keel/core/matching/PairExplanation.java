package dev.keel.core.matching;

import java.util.List;
import java.util.Objects;

/**
 * Why a pair scored as it did: the prior, each comparison's level and the weight it added, and the total.
 *
 * @param priorWeight log2(λ / (1 - λ))
 * @param terms one per comparison, in the model's order
 * @param matchWeight the prior weight plus every term's weight
 * @param probability 2^w / (1 + 2^w)
 */
public record PairExplanation(double priorWeight, List<Term> terms, double matchWeight, double probability) {

    public PairExplanation {
        terms = List.copyOf(terms);
    }

    /**
     * One comparison's part.
     *
     * @param comparison the comparison's name
     * @param level the level index (0 is null)
     * @param label the level's label
     * @param m the m probability used (1 for the null level)
     * @param u the u probability used: the level's, or the agreed value's frequency when term-frequency adjusted
     * @param weight log2(m / u)
     * @param termFrequencyAdjusted whether u is the agreed value's frequency
     */
    public record Term(String comparison, int level, String label, double m, double u, double weight, boolean termFrequencyAdjusted) {
        public Term {
            Objects.requireNonNull(comparison, "comparison");
            Objects.requireNonNull(label, "label");
        }
    }
}
