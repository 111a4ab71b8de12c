package dev.keel.core.training.eval;

import static dev.keel.core.training.eval.GateFixtures.alternating;
import static dev.keel.core.training.eval.GateFixtures.binary;
import static dev.keel.core.training.eval.GateFixtures.evaluation;
import static dev.keel.core.training.eval.GateFixtures.separating;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {
    private static final int ROWS = 400;

    private static Evaluation model(int period) {
        return evaluation(binary(alternating(ROWS), separating(ROWS, period)));
    }

    private static Check bootstrap(BootstrapRule rule, Evaluation challenger, Evaluation champion) {
        GateVerdict verdict = new ComparisonGate(List.of(), 0, List.of(), OptionalDouble.empty(), OptionalLong.empty(), Optional.of(rule))
            .judge(challenger, Optional.of(champion));
        return verdict.checks().getLast();
    }

    @Test
    void aClearlyBetterChallenger_passes() {
        Check check = bootstrap(new BootstrapRule("auc", 1000, 0.95, 7, 0.0), model(50), model(3));

        assertThat(check.status()).isEqualTo(Check.Status.PASSED);
        assertThat(check.numbers().get("lower")).isGreaterThan(0.1);
        assertThat(check.numbers()).containsEntry("resamples", 1000.0).containsEntry("dropped", 0.0);
        assertThat(check.sentence()).startsWith("paired bootstrap of auc (1000 resamples, seed 7): challenger better by ")
            .contains(", 95 % interval [").contains(" >= 0.000 required");
    }

    @Test
    void anEqualChallenger_hasALowerBoundOfExactlyZero_soPassesAMinimumOfZeroButNotMore() {
        Check zero = bootstrap(new BootstrapRule("auc", 500, 0.95, 7, 0.0), model(5), model(5));
        Check more = bootstrap(new BootstrapRule("auc", 500, 0.95, 7, 0.01), model(5), model(5));

        assertThat(zero.status()).isEqualTo(Check.Status.PASSED);
        assertThat(zero.numbers()).containsEntry("lower", 0.0).containsEntry("upper", 0.0).containsEntry("observed", 0.0);
        assertThat(more.status()).isEqualTo(Check.Status.FAILED);
        assertThat(more.sentence()).endsWith("lower bound 0.000 < 0.010 required");
    }

    @Test
    void aSlightlyWorseChallenger_fails() {
        Check check = bootstrap(new BootstrapRule("auc", 1000, 0.95, 7, 0.0), model(8), model(10));

        assertThat(check.status()).isEqualTo(Check.Status.FAILED);
        assertThat(check.numbers().get("observed")).isNegative();
        assertThat(check.numbers().get("lower")).isNegative();
    }

    @Test
    void lowerIsBetterMetrics_areOrientedSoThatPositiveIsBetter() {
        Check better = bootstrap(new BootstrapRule("logloss", 500, 0.9, 1, 0.0), model(50), model(3));
        Check worse = bootstrap(new BootstrapRule("logloss", 500, 0.9, 1, 0.0), model(3), model(50));

        assertThat(better.numbers().get("observed")).isPositive();
        assertThat(better.status()).isEqualTo(Check.Status.PASSED);
        assertThat(better.sentence()).contains("90 % interval");
        assertThat(worse.status()).isEqualTo(Check.Status.FAILED);
    }

    @Test
    void theSameSeed_givesTheSameInterval_andAnotherSeedAnother() {
        BootstrapRule rule = new BootstrapRule("f1", 300, 0.95, 42, 0.0);

        Check first = bootstrap(rule, model(6), model(5));
        Check again = bootstrap(rule, model(6), model(5));
        Check other = bootstrap(new BootstrapRule("f1", 300, 0.95, 43, 0.0), model(6), model(5));

        assertThat(again).isEqualTo(first);
        assertThat(other.numbers().get("lower")).isNotEqualTo(first.numbers().get("lower"));
    }

    @Test
    void modelsScoredOnDifferentRows_fail() {
        Evaluation other = evaluation(binary(alternating(ROWS - 2), separating(ROWS - 2, 5)));

        Check check = bootstrap(new BootstrapRule("auc", 200, 0.95, 7, 0.0), model(5), other);

        assertThat(check.status()).isEqualTo(Check.Status.FAILED);
        assertThat(check.sentence()).isEqualTo("paired bootstrap of auc needs both models scored on the same holdout rows; the challenger has "
            + "400 rows and the champion 398");
    }

    @Test
    void aMetricTheTaskLacks_fails() {
        Check check = bootstrap(new BootstrapRule("rmse", 200, 0.95, 7, 0.0), model(5), model(5));

        assertThat(check.sentence()).isEqualTo("paired bootstrap: a BINARY evaluation has no metric 'rmse'; it has accuracy, precision, recall, "
            + "f1, auc, logloss");
    }

    @Test
    void rule_refusesTooManyResamplesAndABadConfidence() {
        assertThatThrownBy(() -> new BootstrapRule("auc", 20_000, 0.95, 1, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("bootstrap resamples must be between 100 and 10000; got 20000");
        assertThatThrownBy(() -> new BootstrapRule("auc", 1000, 95, 1, 0))
            .hasMessage("bootstrap confidence must be between 0 and 1 (exclusive), for example 0.95; got 95.0");
        assertThatThrownBy(() -> new BootstrapRule("latency", 1000, 0.95, 1, 0)).hasMessageStartingWith("'latency' is not a quality metric");
    }

    @Test
    void percentiles_interpolateLinearlyAsNumpyDoes() {
        double[] sorted = {1, 2, 3, 4};

        assertThat(Percentiles.linear(sorted, 0.025)).isEqualTo(1.075);
        assertThat(Percentiles.linear(sorted, 0.5)).isEqualTo(2.5);
        assertThat(Percentiles.linear(sorted, 1.0)).isEqualTo(4.0);
    }
}
