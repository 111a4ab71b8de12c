package dev.keel.spi.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a probabilistic dedupe or match-merge step did: the comparisons each blocking rule generated (counted before any pair
 * was compared), the trained model, the links and clusters, and the evaluation when the spec asked for one.
 *
 * @param records records the step read (all inputs)
 * @param candidatePairs pairs compared (each once, under the first rule that generated it)
 * @param links pairs kept as links after the threshold, the mode and bridge breaking
 * @param clusters clusters, singletons included (the number of golden records)
 */
public record LinkageReport(String step, long records, List<RuleCount> rules, long candidatePairs, long links, long clusters,
                            Model model, Optional<Evaluation> evaluation) {
    public LinkageReport {
        Objects.requireNonNull(step, "step");
        rules = List.copyOf(rules);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(evaluation, "evaluation");
    }

    /**
     * The pairs one blocking rule generated.
     *
     * @param generated pairs the rule's keys put together
     * @param compared of them, pairs no earlier rule generated
     */
    public record RuleCount(String rule, long generated, long compared) {
        public RuleCount {
            Objects.requireNonNull(rule, "rule");
        }
    }

    /**
     * The trained model.
     *
     * @param lambda the prior probability that a candidate pair matches
     * @param training how m was found: {@code em} or {@code labelled-pairs}
     * @param converged whether EM stopped because no parameter moved by more than its tolerance
     */
    public record Model(double lambda, List<ComparisonParameters> comparisons, String training, int iterations, boolean converged,
                        long uPairs) {
        public Model {
            comparisons = List.copyOf(comparisons);
            Objects.requireNonNull(training, "training");
        }
    }

    /** m and u of each level of one comparison, null level excluded, else level last. */
    public record ComparisonParameters(String comparison, List<LevelParameters> levels) {
        public ComparisonParameters {
            Objects.requireNonNull(comparison, "comparison");
            levels = List.copyOf(levels);
        }
    }

    /** m, u and the match weight log2(m / u) of one level. */
    public record LevelParameters(String label, double m, double u, double weight) {
        public LevelParameters {
            Objects.requireNonNull(label, "label");
        }
    }

    /**
     * Pairwise and B-cubed precision, recall and F1 of the clusters against the truth, and the precision/recall curve of the
     * labelled pairs when there were any.
     *
     * @param against {@code truth-column} or {@code labelled-pairs}
     */
    public record Evaluation(String against, double pairwisePrecision, double pairwiseRecall, double pairwiseF1,
                             double bcubedPrecision, double bcubedRecall, double bcubedF1, long truePairs, long predictedPairs,
                             List<CurvePoint> curve) {
        public Evaluation {
            Objects.requireNonNull(against, "against");
            curve = List.copyOf(curve);
        }
    }

    /** Precision and recall when pairs with a probability at least {@code threshold} count as matches. */
    public record CurvePoint(double threshold, double precision, double recall) {
    }
}
