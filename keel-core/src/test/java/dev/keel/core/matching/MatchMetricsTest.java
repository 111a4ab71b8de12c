package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.matching.MatchMetrics.CurvePoint;
import dev.keel.core.matching.MatchMetrics.LabelledScore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatchMetricsTest {

    @Test
    void evaluate_matchesTheHandWorkedExample() {
        // truth {1,2,3} {4,5} {6}; predicted {1,2} {3,4,5} {6}
        Map<Long, Long> truth = Map.of(1L, 1L, 2L, 1L, 3L, 1L, 4L, 4L, 5L, 4L, 6L, 6L);
        Map<Long, Long> predicted = Map.of(1L, 1L, 2L, 1L, 3L, 3L, 4L, 3L, 5L, 3L, 6L, 6L);

        MatchMetrics metrics = MatchMetrics.evaluate(predicted, truth);

        // pairwise: predicted (1,2) (3,4) (3,5) (4,5); true (1,2) (1,3) (2,3) (4,5); both (1,2) (4,5): P = R = 2/4
        assertThat(metrics.pairwisePrecision()).isEqualTo(0.5);
        assertThat(metrics.pairwiseRecall()).isEqualTo(0.5);
        assertThat(metrics.pairwiseF1()).isEqualTo(0.5);
        // B-cubed precision |C∩T| / |C|: r1 2/2, r2 2/2, r3 1/3, r4 2/3, r5 2/3, r6 1/1 -> (1+1+1/3+2/3+2/3+1) / 6 = 14/18
        // B-cubed recall |C∩T| / |T|:    r1 2/3, r2 2/3, r3 1/3, r4 2/2, r5 2/2, r6 1/1 -> (2/3+2/3+1/3+1+1+1) / 6 = 14/18
        assertThat(metrics.bcubedPrecision()).isCloseTo(14.0 / 18, within(1e-12));
        assertThat(metrics.bcubedRecall()).isCloseTo(14.0 / 18, within(1e-12));
        assertThat(metrics.bcubedF1()).isCloseTo(14.0 / 18, within(1e-12));
    }

    @Test
    void evaluate_allSingletonsPredicted_hasPerfectPrecisionAndLowRecall() {
        Map<Long, Long> truth = Map.of(1L, 1L, 2L, 1L, 3L, 3L);
        Map<Long, Long> predicted = Map.of(1L, 1L, 2L, 2L, 3L, 3L);

        MatchMetrics metrics = MatchMetrics.evaluate(predicted, truth);

        // no predicted pair: precision 1 by convention; the one true pair missed: recall 0, F1 0
        assertThat(metrics.pairwisePrecision()).isEqualTo(1.0);
        assertThat(metrics.pairwiseRecall()).isZero();
        assertThat(metrics.pairwiseF1()).isZero();
        // B-cubed recall: r1 1/2, r2 1/2, r3 1 -> 2/3; precision all 1; F1 = 2 * 1 * 2/3 / (5/3) = 0.8
        assertThat(metrics.bcubedPrecision()).isEqualTo(1.0);
        assertThat(metrics.bcubedRecall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(metrics.bcubedF1()).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void precisionRecallCurve_hasOnePointPerDistinctProbability() {
        List<LabelledScore> scores = List.of(new LabelledScore(0.8, false), new LabelledScore(0.9, true), new LabelledScore(0.3, true),
                new LabelledScore(0.8, true), new LabelledScore(0.1, false));

        // three true matches; at 0.9: 1 of 1; at 0.8: 2 of 3; at 0.3: 3 of 4; at 0.1: 3 of 5
        assertThat(MatchMetrics.precisionRecallCurve(scores)).containsExactly(
                new CurvePoint(0.9, 1.0, 1.0 / 3), new CurvePoint(0.8, 2.0 / 3, 2.0 / 3), new CurvePoint(0.3, 0.75, 1.0), new CurvePoint(0.1, 0.6, 1.0));
    }
}
