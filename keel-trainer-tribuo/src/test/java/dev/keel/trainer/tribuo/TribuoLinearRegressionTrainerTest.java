package dev.keel.trainer.tribuo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.keel.spi.Trainer;
import dev.keel.spi.Trainer.TrainedModel;
import dev.keel.spi.Trainer.TrainingData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class TribuoLinearRegressionTrainerTest {
    private static final long SEED = 42L;
    private static final double TEST_FRACTION = 0.3;
    /** In-sample R² of ordinary least squares on all 442 diabetes rows: scikit-learn 1.2.1 {@code LinearRegression().fit(X, y).score(X, y)}. */
    private static final double LEAST_SQUARES_R2 = 0.5177484222203499;

    private final TribuoLinearRegressionTrainer trainer = new TribuoLinearRegressionTrainer();

    @Test
    void serviceLoader_findsTrainerByAlgorithm() {
        List<String> algorithms = ServiceLoader.load(Trainer.class).stream().map(provider -> provider.get().algorithm()).toList();

        assertThat(algorithms).contains("linear-regression", "random-forest", "logistic-regression");
    }

    @Test
    void train_onDiabetes_reportsHeldOutErrors() {
        TrainedModel model = trainer.train(FixtureData.diabetes(TEST_FRACTION, SEED), Map.of());

        System.out.printf("diabetes linear regression, seed %d, test fraction %.1f: %s%n", SEED, TEST_FRACTION, model.metrics());
        assertThat(model.format()).isEqualTo("onnx");
        assertThat(model.labels()).isEmpty();
        assertThat(model.metrics()).containsOnlyKeys("mae", "rmse", "r2");
        assertThat(model.metrics().get("r2")).isGreaterThan(0.4);
        assertThat(model.metrics().get("mae")).isLessThan(model.metrics().get("rmse"));
        assertThat(model.parameters()).containsEntry("epochs", "50").containsEntry("learning-rate", "0.1")
                .containsEntry("minibatch-size", "1").containsEntry("seed", "42");
    }

    @Test
    void train_onAllDiabetesRows_comesCloseToLeastSquares() throws OrtException {
        TrainingData data = FixtureData.diabetes(0.0, SEED);

        TrainedModel model = trainer.train(data, Map.of());

        float[][] predictions = TestingOnnx.score(model.artifact(), "prediction", TestingOnnx.floatRows(data));
        double[] actual = new double[predictions.length];
        double[] predicted = new double[predictions.length];
        for (int row = 0; row < predictions.length; row++) {
            actual[row] = Double.parseDouble(data.labels().get(row));
            predicted[row] = predictions[row][0];
        }
        double r2 = HeldOutMetrics.regression(actual, predicted).get("r2");
        System.out.printf("diabetes linear regression on all rows: in-sample R² %.6f, least squares %.6f%n", r2, LEAST_SQUARES_R2);
        assertThat(model.metrics()).isEmpty();
        assertThat(r2).isLessThanOrEqualTo(LEAST_SQUARES_R2 + 1e-6).isGreaterThan(LEAST_SQUARES_R2 - 0.01);
    }

    @Test
    void exportedOnnx_declaresOneFeatureInputAndOnePredictionOutput() throws OrtException {
        TrainedModel model = trainer.train(FixtureData.diabetes(TEST_FRACTION, SEED), Map.of("epochs", "1"));

        try (OrtSession session = TestingOnnx.session(model.artifact())) {
            assertThat(session.getInputNames()).containsExactly("features");
            assertThat(session.getOutputNames()).containsExactly("prediction");
            TensorInfo input = TestingOnnx.tensorInfo(session.getInputInfo().get("features"));
            TensorInfo output = TestingOnnx.tensorInfo(session.getOutputInfo().get("prediction"));
            assertThat(input.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(input.getShape()).containsExactly(-1L, 10L);
            assertThat(output.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(output.getShape()).containsExactly(-1L, 1L);
        }
    }

    @Test
    void exportedOnnx_givesTribuoPredictions_onEveryDiabetesRow() throws OrtException {
        TrainingData data = FixtureData.diabetes(TEST_FRACTION, SEED);
        TribuoLinearRegressionTrainer.Fit fit = trainer.fit(data, Map.of());
        String[] names = data.featureNames().toArray(String[]::new);

        float[][] actual = TestingOnnx.score(fit.onnx(), "prediction", TestingOnnx.floatRows(data));

        assertThat(actual).hasNumberOfRows(data.features().size());
        double largest = 0;
        for (int row = 0; row < actual.length; row++) {
            double expected = fit.predict(names, TestingOnnx.widen(TestingOnnx.toFloats(data.features().get(row))));
            assertThat(actual[row]).hasSize(1);
            assertThat((double) actual[row][0]).as("row %d", row).isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
            largest = Math.max(largest, Math.abs(actual[row][0] - expected) / Math.max(1, Math.abs(expected)));
        }
        System.out.printf("diabetes linear regression, ONNX vs Tribuo on all %d rows: largest relative difference %.2e%n", actual.length,
                largest);
    }

    @Test
    void split_holdsOutTheTestFractionOfTheRows() {
        Split split = Split.random(442, TEST_FRACTION, SEED);

        assertThat(split.test()).hasSize(133);
        assertThat(split.train()).hasSize(309).doesNotContainAnyElementsOf(split.test());
        assertThat(Split.random(442, TEST_FRACTION, SEED)).isEqualTo(split);
        assertThat(Split.random(442, TEST_FRACTION, SEED + 1).test()).isNotEqualTo(split.test());
    }

    @Test
    void train_isDeterministicForASeed() {
        TrainingData data = FixtureData.diabetes(TEST_FRACTION, SEED);

        TrainedModel first = trainer.train(data, Map.of("epochs", "3"));
        TrainedModel second = new TribuoLinearRegressionTrainer().train(data, Map.of("epochs", "3"));
        TrainedModel otherSeed = trainer.train(data, Map.of("epochs", "3", "seed", "7"));

        assertThat(second.artifact()).isEqualTo(first.artifact());
        assertThat(second.metrics()).isEqualTo(first.metrics());
        assertThat(otherSeed.artifact()).isNotEqualTo(first.artifact());
    }

    @Test
    void badParameters_failNamingParameterValueAndRange() {
        TrainingData data = FixtureData.diabetes(TEST_FRACTION, SEED);

        assertThatThrownBy(() -> trainer.train(data, Map.of("epochs", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'epochs' must be an integer in [1, 10000], got '0'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("learning-rate", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'learning-rate' must be a number in (0, 100.0], got '0'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("minibatch-size", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'minibatch-size' must be an integer in [1, 65536], got '-1'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("positive-label", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown parameter 'positive-label'; allowed: [epochs, learning-rate, minibatch-size, seed]");
    }

    @Test
    void badRows_failNamingTheRow() {
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(new double[] {i});
        }
        TrainingData data = new TrainingData(List.of("x"), rows, List.of("1.5", "2", "high", "4"), 0.0, SEED);
        TrainingData infinite = new TrainingData(List.of("x"), rows, List.of("1.5", "2", "3", "Infinity"), 0.0, SEED);

        assertThatThrownBy(() -> trainer.train(data, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 2 has label 'high', expected a finite decimal number such as 151 or -0.25");
        assertThatThrownBy(() -> trainer.train(infinite, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("row 3 has label 'Infinity'");
        TrainingData huge = new TrainingData(List.of("x"), List.of(new double[] {1}, new double[] {1e300}), List.of("1", "2"), 0.0, SEED);
        assertThatThrownBy(() -> trainer.train(huge, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("row 1 feature 'x' is 1.0E300, outside the float32 range");
    }

    @Test
    void train_withConstantFeature_predictsTheLine() throws OrtException {
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(new double[] {5.0, i});
            labels.add(Double.toString(3 + 2.0 * i));
        }
        TrainingData data = new TrainingData(List.of("constant", "x"), rows, labels, 0.25, SEED);

        TrainedModel model = trainer.train(data, Map.of("epochs", "200"));

        float[][] predictions = TestingOnnx.score(model.artifact(), "prediction", new float[][] {{5f, 0f}, {5f, 20f}});
        assertThat((double) predictions[0][0]).isCloseTo(3.0, within(0.5));
        assertThat((double) predictions[1][0]).isCloseTo(43.0, within(0.5));
        assertThat(model.metrics().get("r2")).isGreaterThan(0.99);
    }
}
