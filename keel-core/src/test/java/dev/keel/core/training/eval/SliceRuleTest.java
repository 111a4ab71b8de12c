package dev.keel.core.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SliceRuleTest {
    /** 40 north, 100 south and 10 east rows; actual value = row number. */
    private static final List<String> REGION = regions();

    private static List<String> regions() {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            values.add(i < 40 ? "north" : i < 140 ? "south" : "east");
        }
        return values;
    }

    /** An evaluation whose error is {@code north} on north rows and {@code elsewhere} on the others. */
    private static Evaluation regression(double north, double elsewhere) {
        double[] actual = new double[REGION.size()];
        double[] predicted = new double[REGION.size()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = i;
            predicted[i] = i + (REGION.get(i).equals("north") ? north : elsewhere);
        }
        return Evaluation.of(GateFixtures.regression(actual, predicted), Map.of("region", REGION), 0.01, 0.02, 1000);
    }

    private static ComparisonGate gate(SliceRule rule) {
        return new ComparisonGate(List.of(), 0, List.of(rule), OptionalDouble.empty(), OptionalLong.empty(), Optional.empty());
    }

    @Test
    void evaluation_holdsTheMetricsOfEachSliceValue() {
        Evaluation evaluation = regression(3, 0.5);

        assertThat(evaluation.slices().get("region").keySet()).containsExactly("east", "north", "south");
        assertThat(evaluation.slices().get("region").get("north")).containsEntry("rows", 40.0).containsEntry("rmse", 3.0)
            .containsEntry("mae", 3.0);
        assertThat(evaluation.slices().get("region").get("south")).containsEntry("rows", 100.0).containsEntry("rmse", 0.5);
    }

    @Test
    void aRegressionOnOneSlice_isCaughtAlthoughTheOthersImprove() {
        GateVerdict verdict = gate(new SliceRule("region", "rmse", 0.5, 30)).judge(regression(3, 0.5), Optional.of(regression(1, 1)));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.checks()).extracting(Check::name).containsExactly("holdout rows", "same holdout", "slice region=north rmse",
            "slice region=south rmse");
        assertThat(verdict.summary()).isEqualTo("slice region=north (40 rows): rmse 3.000 vs champion 1.000, worse by 2.000 > tolerance 0.5");
        Check south = verdict.checks().get(3);
        assertThat(south.status()).isEqualTo(Check.Status.PASSED);
        assertThat(south.sentence()).isEqualTo("slice region=south (100 rows): rmse 0.500 vs champion 1.000, not worse");
        assertThat(verdict.checks().get(2).numbers()).containsEntry("challenger", 3.0).containsEntry("champion", 1.0)
            .containsEntry("rows", 40.0).containsEntry("tolerance", 0.5);
    }

    @Test
    void aDropWithinTheTolerance_passes() {
        GateVerdict verdict = gate(new SliceRule("region", "rmse", 0.5, 30)).judge(regression(1.4, 1), Optional.of(regression(1, 1)));

        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.checks().get(2).sentence()).isEqualTo("slice region=north (40 rows): rmse 1.400 vs champion 1.000, worse by 0.400 <= "
            + "tolerance 0.5");
    }

    @Test
    void slicesBelowMinRows_areNotJudged() {
        GateVerdict verdict = gate(new SliceRule("region", "mae", 0.0, 200)).judge(regression(3, 3), Optional.of(regression(1, 1)));

        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.checks().get(2).status()).isEqualTo(Check.Status.SKIPPED);
        assertThat(verdict.checks().get(2).sentence()).isEqualTo("slice rule on region (mae) skipped: no value of region has at least 200 rows");
    }

    @Test
    void higherIsBetterMetrics_failWhenTheyFall() {
        List<String> actual = GateFixtures.alternating(100);
        List<String> half = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            half.add(i < 50 ? "a" : "b");
        }
        double[] champion = GateFixtures.separating(100, 1000);
        double[] challenger = champion.clone();
        for (int i = 0; i < 10; i++) {
            challenger[i] = 1 - challenger[i];
        }
        Evaluation challengerEvaluation = Evaluation.of(GateFixtures.binary(actual, challenger), Map.of("half", half), 0, 0, 1);
        Evaluation championEvaluation = Evaluation.of(GateFixtures.binary(actual, champion), Map.of("half", half), 0, 0, 1);

        GateVerdict verdict = gate(new SliceRule("half", "accuracy", 0.05, 10)).judge(challengerEvaluation, Optional.of(championEvaluation));

        assertThat(verdict.summary()).isEqualTo("slice half=a (50 rows): accuracy 0.840 vs champion 0.960, worse by 0.120 > tolerance 0.05");
        assertThat(verdict.checks().get(3).sentence()).isEqualTo("slice half=b (50 rows): accuracy 1.000 vs champion 1.000, not worse");
    }

    @Test
    void aMetricUndefinedOnASlice_isSkippedForThatSlice() {
        List<String> actual = GateFixtures.alternating(100);
        List<String> parity = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            parity.add(i % 2 == 0 ? "even" : "odd");
        }
        double[] scores = GateFixtures.separating(100, 5);
        Evaluation evaluation = Evaluation.of(GateFixtures.binary(actual, scores), Map.of("parity", parity), 0, 0, 1);

        GateVerdict verdict = gate(new SliceRule("parity", "auc", 0.0, 10)).judge(evaluation, Optional.of(evaluation));

        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.checks().get(2).status()).isEqualTo(Check.Status.SKIPPED);
        assertThat(verdict.checks().get(2).sentence())
            .isEqualTo("slice parity=even (50 rows): auc is undefined for the challenger (a class is absent from the slice)");
    }

    @Test
    void anUnknownSliceColumn_failsNamingTheColumnsThereAre() {
        GateVerdict verdict = gate(new SliceRule("country", "rmse", 0.5, 30)).judge(regression(1, 1), Optional.of(regression(1, 1)));

        assertThat(verdict.summary()).isEqualTo("the holdout has no slice column 'country'; it has region");
    }

    @Test
    void constructor_refusesAnUnknownMetricAndBadBounds() {
        assertThatThrownBy(() -> new SliceRule("region", "speed", 0.1, 10)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("'speed' is not a quality metric; expected one of accuracy");
        assertThatThrownBy(() -> new SliceRule("region", "auc", -0.1, 10))
            .hasMessage("slice rule on 'region': tolerance must be a finite number >= 0; got -0.1");
        assertThatThrownBy(() -> new SliceRule("region", "auc", 0.1, 0)).hasMessage("slice rule on 'region': minRows must be >= 1; got 0");
    }
}
