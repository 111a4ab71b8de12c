package dev.keel.core.training.eval;

import static dev.keel.core.training.eval.GateFixtures.withMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ComparisonGateTest {
    private static final Evaluation CHAMPION = withMetrics(Map.of("auc", 0.790, "logloss", 0.400, "f1", 0.700, "accuracy", 0.800));

    private static Check only(GateVerdict verdict, String name) {
        return verdict.checks().stream().filter(check -> check.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void absoluteRule_passesAndStatesTheNumbers() {
        GateVerdict verdict = ComparisonGate.of(100, "auc >= 0.75").judge(withMetrics(Map.of("auc", 0.812)), Optional.empty());

        assertThat(verdict.passed()).isTrue();
        Check check = only(verdict, "auc >= 0.75");
        assertThat(check.status()).isEqualTo(Check.Status.PASSED);
        assertThat(check.sentence()).isEqualTo("auc 0.812 >= 0.75");
        assertThat(check.numbers()).containsEntry("challenger", 0.812).containsEntry("threshold", 0.75);
        assertThat(verdict.summary()).isEqualTo("all 2 checks passed");
    }

    @Test
    void absoluteRule_failsAndTheSummaryIsItsSentence() {
        GateVerdict verdict = ComparisonGate.of(100, "auc >= 0.75").judge(withMetrics(Map.of("auc", 0.7)), Optional.empty());

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary()).isEqualTo("auc 0.700 is not >= 0.75");
    }

    @Test
    void relativeRule_minus_passesWithTheChampionAndTheThresholdInTheSentence() {
        GateVerdict verdict = ComparisonGate.of(100, "auc >= champion.auc - 0.01").judge(withMetrics(Map.of("auc", 0.812)), Optional.of(CHAMPION));

        Check check = only(verdict, "auc >= champion.auc - 0.01");
        assertThat(check.status()).isEqualTo(Check.Status.PASSED);
        assertThat(check.sentence()).isEqualTo("auc 0.812 >= champion.auc 0.790 - 0.01 = 0.780");
        assertThat(check.numbers()).containsEntry("champion", 0.790);
        assertThat(verdict.passed()).isTrue();
    }

    @Test
    void relativeRule_minus_failsBelowTheToleratedDrop() {
        GateVerdict verdict = ComparisonGate.of(100, "auc >= champion.auc - 0.01").judge(withMetrics(Map.of("auc", 0.77)), Optional.of(CHAMPION));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary()).isEqualTo("auc 0.770 is not >= champion.auc 0.790 - 0.01 = 0.780");
    }

    @Test
    void relativeRule_times_onALowerIsBetterMetric() {
        ComparisonGate gate = ComparisonGate.of(100, "logloss <= champion.logloss * 1.02");

        assertThat(gate.judge(withMetrics(Map.of("logloss", 0.405)), Optional.of(CHAMPION)).passed()).isTrue();
        GateVerdict worse = gate.judge(withMetrics(Map.of("logloss", 0.41)), Optional.of(CHAMPION));
        assertThat(worse.passed()).isFalse();
        assertThat(worse.summary()).isEqualTo("logloss 0.410 is not <= champion.logloss 0.400 * 1.02 = 0.408");
    }

    @Test
    void relativeRule_strictlyGreaterThanTheChampion() {
        ComparisonGate gate = ComparisonGate.of(100, "f1 > champion.f1");

        assertThat(gate.judge(withMetrics(Map.of("f1", 0.701)), Optional.of(CHAMPION)).passed()).isTrue();
        GateVerdict equal = gate.judge(withMetrics(Map.of("f1", 0.700)), Optional.of(CHAMPION));
        assertThat(equal.passed()).isFalse();
        assertThat(equal.summary()).isEqualTo("f1 0.700 is not > champion.f1 0.700");
    }

    @Test
    void relativeRule_plus_onRegressionError() {
        Evaluation champion = withMetrics(Map.of("rmse", 50.0));
        ComparisonGate gate = ComparisonGate.of(100, "rmse <= champion.rmse + 0.5");

        assertThat(gate.judge(withMetrics(Map.of("rmse", 50.4)), Optional.of(champion)).passed()).isTrue();
        assertThat(gate.judge(withMetrics(Map.of("rmse", 50.6)), Optional.of(champion)).summary())
            .isEqualTo("rmse 50.600 is not <= champion.rmse 50.000 + 0.5 = 50.500");
    }

    @Test
    void closeNumbers_arePrintedWithEnoughDecimalsToTellThemApart() {
        GateVerdict verdict = ComparisonGate.of(100, "auc >= 0.78").judge(withMetrics(Map.of("auc", 0.77996)), Optional.empty());

        assertThat(verdict.summary()).isEqualTo("auc 0.77996 is not >= 0.78");
    }

    @Test
    void noChampion_skipsRelativeRulesSlicesAndBootstrap_butAppliesAbsoluteRules() {
        ComparisonGate gate = new ComparisonGate(List.of(Rule.parse("auc >= 0.75"), Rule.parse("auc >= champion.auc - 0.01")), 100,
            List.of(new SliceRule("region", "auc", 0.02, 30)), OptionalDouble.empty(), OptionalLong.empty(),
            Optional.of(new BootstrapRule("auc", 500, 0.95, 7, 0.0)));

        GateVerdict verdict = gate.judge(withMetrics(Map.of("auc", 0.8)), Optional.empty());

        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.checks()).extracting(Check::status).containsExactly(Check.Status.PASSED, Check.Status.PASSED,
            Check.Status.SKIPPED, Check.Status.SKIPPED, Check.Status.SKIPPED);
        assertThat(verdict.checks().get(2).sentence()).isEqualTo("rule 'auc >= champion.auc - 0.01' skipped: there is no champion to compare with");
        assertThat(verdict.checks().get(3).sentence()).contains("no champion");
        assertThat(verdict.checks().get(4).sentence()).isEqualTo("paired bootstrap of auc skipped: there is no champion to compare with");
        assertThat(verdict.summary()).isEqualTo("all 2 checks passed (3 skipped)");

        assertThat(gate.judge(withMetrics(Map.of("auc", 0.7)), Optional.empty()).passed()).as("absolute rules still apply").isFalse();
    }

    @Test
    void ruleOnAMetricTheEvaluationLacks_failsNamingItAndTheAvailableOnes() {
        GateVerdict verdict = ComparisonGate.of(100, "rmse <= 3").judge(withMetrics(Map.of("auc", 0.8)), Optional.empty());

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary()).isEqualTo("rule 'rmse <= 3': the challenger's evaluation has no metric 'rmse'; it has rows, auc");
    }

    @Test
    void relativeRuleOnAMetricTheChampionLacks_fails() {
        GateVerdict verdict = ComparisonGate.of(100, "r2 >= champion.r2").judge(withMetrics(Map.of("r2", 0.8)), Optional.of(CHAMPION));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary()).startsWith("rule 'r2 >= champion.r2': the champion's evaluation has no metric 'r2'; it has rows, ");
    }

    @Test
    void holdoutBelowTheMinimumRows_fails() {
        GateVerdict verdict = ComparisonGate.of(500, "auc >= 0.5").judge(withMetrics(Map.of("auc", 0.8)), Optional.empty());

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary()).isEqualTo("the holdout has 200 rows; the gate needs at least 500");
        assertThat(only(verdict, "holdout rows").numbers()).containsEntry("rows", 200.0).containsEntry("min_rows", 500.0);
    }

    @Test
    void aRuleOnRows_printsAnInteger() {
        assertThat(ComparisonGate.of(0, "rows >= 1000").judge(withMetrics(Map.of()), Optional.empty()).summary())
            .isEqualTo("rows 200 is not >= 1000");
    }

    @Test
    void latencyBudget_passesAndFails() {
        ComparisonGate gate = new ComparisonGate(List.of(), 0, List.of(), OptionalDouble.of(5), OptionalLong.empty(), Optional.empty());

        assertThat(gate.judge(withMetrics(Map.of(), 4.2, 1000), Optional.empty()).passed()).isTrue();
        GateVerdict slow = gate.judge(withMetrics(Map.of(), 6.5, 1000), Optional.empty());
        assertThat(slow.passed()).isFalse();
        assertThat(slow.summary()).isEqualTo("latency p99 6.500 ms per row > budget 5 ms");
    }

    @Test
    void sizeBudget_passesAndFails() {
        ComparisonGate gate = new ComparisonGate(List.of(), 0, List.of(), OptionalDouble.empty(), OptionalLong.of(1_000_000), Optional.empty());

        assertThat(gate.judge(withMetrics(Map.of(), 1, 1_000_000), Optional.empty()).passed()).isTrue();
        GateVerdict big = gate.judge(withMetrics(Map.of(), 1, 2_500_000), Optional.empty());
        assertThat(big.passed()).isFalse();
        assertThat(big.summary()).isEqualTo("model size 2500000 bytes > budget 1000000 bytes");
    }

    @Test
    void aChampionEvaluatedOnOtherRows_failsTheGate() {
        Evaluation small = GateFixtures.evaluation(GateFixtures.binary(GateFixtures.alternating(100), GateFixtures.constant(100, 0.5)));

        GateVerdict verdict = ComparisonGate.of(0).judge(withMetrics(Map.of()), Optional.of(small));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.summary()).isEqualTo("the champion was evaluated on 100 rows and the challenger on 200; both must be scored on the same holdout");
    }

    @Test
    void sameHoldout_passesWhenTheRowsAgree() {
        GateVerdict verdict = ComparisonGate.of(0).judge(withMetrics(Map.of()), Optional.of(CHAMPION));

        assertThat(only(verdict, "same holdout").sentence()).isEqualTo("both models were scored on the same 200 holdout rows");
        assertThat(verdict.summary()).isEqualTo("all 2 checks passed");
    }
}
