package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well predicted clusters agree with true ones.
 *
 * <p>Pairwise: over all unordered pairs of records, a pair is predicted when both are in one predicted cluster and
 * true when both are in one true cluster; precision = |predicted ∩ true| / |predicted|, recall = |predicted ∩ true| /
 * |true|. B-cubed: per record r with predicted cluster C(r) and true cluster T(r), precision(r) = |C(r) ∩ T(r)| / |C(r)|
 * and recall(r) = |C(r) ∩ T(r)| / |T(r)|, each averaged over records. F1 is 2PR / (P + R), 0 when P + R = 0. A ratio
 * with nothing to count (no predicted pairs, or no true pairs) is 1.
 *
 * @param pairwisePrecision pairwise precision
 * @param pairwiseRecall pairwise recall
 * @param pairwiseF1 pairwise F1
 * @param bcubedPrecision B-cubed precision
 * @param bcubedRecall B-cubed recall
 * @param bcubedF1 B-cubed F1
 */
public record MatchMetrics(double pairwisePrecision, double pairwiseRecall, double pairwiseF1, double bcubedPrecision, double bcubedRecall,
        double bcubedF1) {

    /**
     * One point of a precision/recall curve.
     *
     * @param threshold pairs with probability at least this are predicted matches
     * @param precision true matches among predicted / predicted
     * @param recall true matches among predicted / all true matches
     */
    public record CurvePoint(double threshold, double precision, double recall) {
    }

    /** A labelled pair's probability and whether it truly matches. */
    public record LabelledScore(double probability, boolean isMatch) {
    }

    /** Compares predicted and true cluster ids, both keyed by record id over the same records. */
    public static MatchMetrics evaluate(Map<Long, Long> predicted, Map<Long, Long> truth) {
        requireArgument(predicted.keySet().equals(truth.keySet()), "predicted clusters cover %d records and true clusters %d; they must cover the same",
                predicted.size(), truth.size());
        requireArgument(!predicted.isEmpty(), "metrics need at least one record");
        Map<Long, Long> predictedSizes = new HashMap<>();
        Map<Long, Long> trueSizes = new HashMap<>();
        Map<List<Long>, Long> overlaps = new HashMap<>();
        for (Map.Entry<Long, Long> entry : predicted.entrySet()) {
            long c = entry.getValue();
            long t = truth.get(entry.getKey());
            predictedSizes.merge(c, 1L, Long::sum);
            trueSizes.merge(t, 1L, Long::sum);
            overlaps.merge(List.of(c, t), 1L, Long::sum);
        }
        double predictedPairs = predictedSizes.values().stream().mapToDouble(MatchMetrics::pairs).sum();
        double truePairs = trueSizes.values().stream().mapToDouble(MatchMetrics::pairs).sum();
        double bothPairs = overlaps.values().stream().mapToDouble(MatchMetrics::pairs).sum();
        double precision = ratio(bothPairs, predictedPairs);
        double recall = ratio(bothPairs, truePairs);

        double bcubedPrecision = 0;
        double bcubedRecall = 0;
        for (Map.Entry<List<Long>, Long> cell : overlaps.entrySet()) {
            double n = cell.getValue();
            // each of the n records in this cell has |C ∩ T| = n
            bcubedPrecision += n * n / predictedSizes.get(cell.getKey().get(0));
            bcubedRecall += n * n / trueSizes.get(cell.getKey().get(1));
        }
        bcubedPrecision /= predicted.size();
        bcubedRecall /= predicted.size();
        return new MatchMetrics(precision, recall, f1(precision, recall), bcubedPrecision, bcubedRecall, f1(bcubedPrecision, bcubedRecall));
    }

    /**
     * Precision and recall of labelled pairs at every distinct probability, highest first: at threshold t, the pairs with
     * probability ≥ t are predicted matches.
     */
    public static List<CurvePoint> precisionRecallCurve(List<LabelledScore> scores) {
        requireArgument(scores.stream().anyMatch(LabelledScore::isMatch), "a precision/recall curve needs at least one true match among %d pairs",
                scores.size());
        LabelledScore[] sorted = scores.toArray(LabelledScore[]::new);
        Arrays.sort(sorted, Comparator.comparingDouble(LabelledScore::probability).reversed());
        long matches = scores.stream().filter(LabelledScore::isMatch).count();
        List<CurvePoint> curve = new ArrayList<>();
        long predicted = 0;
        long correct = 0;
        for (int i = 0; i < sorted.length; i++) {
            predicted++;
            if (sorted[i].isMatch()) {
                correct++;
            }
            boolean lastOfThreshold = i + 1 == sorted.length || sorted[i + 1].probability() != sorted[i].probability();
            if (lastOfThreshold) {
                curve.add(new CurvePoint(sorted[i].probability(), (double) correct / predicted, (double) correct / matches));
            }
        }
        return curve;
    }

    private static double pairs(long n) {
        return n * (n - 1) / 2.0;
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? 1.0 : numerator / denominator;
    }

    private static double f1(double precision, double recall) {
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

}
