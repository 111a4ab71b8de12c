package dev.keel.core.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Performance metrics against scikit-learn values committed in build/fixtures/stats/performance_cases.json. */
class PerformanceMetricsMatchSklearnTest {
    private static final JsonNode CASES = Fixtures.read("performance_cases.json");

    @Test
    void classificationMetrics_agreeWithSklearn() {
        int checked = 0;
        for (JsonNode node : CASES.get("classification")) {
            List<String> actual = Fixtures.strings(node.get("actual"));
            List<String> predicted = Fixtures.strings(node.get("predicted"));
            ClassificationMetrics metrics;
            if (node.get("kind").asText().equals("binary")) {
                metrics = ClassificationMetrics.binary(actual, predicted, node.get("positive").asText(),
                    Fixtures.doubles(node.get("probability")));
            } else {
                JsonNode rows = node.get("probabilities");
                double[][] probabilities = new double[rows.size()][];
                for (int i = 0; i < rows.size(); i++) {
                    probabilities[i] = Fixtures.doubles(rows.get(i));
                }
                metrics = ClassificationMetrics.multiclass(actual, predicted, Fixtures.strings(node.get("classes")), probabilities);
            }
            JsonNode expected = node.get("expected");
            String name = node.get("name").asText();
            Fixtures.assertClose(name + " accuracy", metrics.accuracy(), expected.get("accuracy").asDouble());
            Fixtures.assertClose(name + " precision", metrics.precision(), expected.get("precision").asDouble());
            Fixtures.assertClose(name + " recall", metrics.recall(), expected.get("recall").asDouble());
            Fixtures.assertClose(name + " f1", metrics.f1(), expected.get("f1").asDouble());
            Fixtures.assertClose(name + " roc auc", metrics.rocAuc().orElseThrow(), expected.get("roc_auc").asDouble());
            Fixtures.assertClose(name + " log loss", metrics.logLoss().orElseThrow(), expected.get("log_loss").asDouble());
            checked++;
        }
        assertThat(checked).isEqualTo(4);
    }

    @Test
    void regressionMetrics_agreeWithSklearn() {
        JsonNode node = CASES.get("regression").get(0);
        RegressionMetrics metrics = RegressionMetrics.of(Fixtures.doubles(node.get("actual")), Fixtures.doubles(node.get("predicted")));
        JsonNode expected = node.get("expected");
        Fixtures.assertClose("mae", metrics.meanAbsoluteError(), expected.get("mae").asDouble());
        Fixtures.assertClose("rmse", metrics.rootMeanSquaredError(), expected.get("rmse").asDouble());
        Fixtures.assertClose("r2", metrics.r2(), expected.get("r2").asDouble());
    }

    @Test
    void rocAuc_isEmptyWhenOnlyOneClassOccurs() {
        assertThat(ClassificationMetrics.rocAuc(new boolean[] {true, true}, new double[] {0.2, 0.9})).isEmpty();
    }

    @Test
    void rocAuc_countsTiedScoresAsHalf() {
        assertThat(ClassificationMetrics.rocAuc(new boolean[] {true, false}, new double[] {0.5, 0.5}).orElseThrow()).isEqualTo(0.5);
    }

    @Test
    void regression_constantTargetPerfectFit_hasR2OfOne() {
        assertThat(RegressionMetrics.of(new double[] {3, 3}, new double[] {3, 3}).r2()).isEqualTo(1.0);
        assertThat(RegressionMetrics.of(new double[] {3, 3}, new double[] {3, 4}).r2()).isEqualTo(0.0);
    }
}
