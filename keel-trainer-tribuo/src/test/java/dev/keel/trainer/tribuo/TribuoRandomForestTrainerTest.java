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
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

class TribuoRandomForestTrainerTest {
    private static final long SEED = 42L;
    private static final double TEST_FRACTION = 0.3;
    private static final double PROBABILITY_TOLERANCE = 1e-5;

    private final TribuoRandomForestTrainer trainer = new TribuoRandomForestTrainer();

    @Test
    void serviceLoader_findsTrainerByAlgorithm() {
        List<String> algorithms = ServiceLoader.load(Trainer.class).stream().map(provider -> provider.get().algorithm()).toList();

        assertThat(algorithms).contains("random-forest", "logistic-regression");
    }

    @Test
    void train_onCreditG_isBetterThanChanceOnTheHeldOutRows() {
        TrainedModel model = trainer.train(CreditData.load(TEST_FRACTION, SEED), Map.of());

        System.out.printf("credit-g random forest, seed %d, test fraction %.1f: %s%n", SEED, TEST_FRACTION, model.metrics());
        assertThat(model.format()).isEqualTo("onnx");
        assertThat(model.labels()).containsExactlyInAnyOrder("good", "bad");
        assertThat(model.metrics()).containsOnlyKeys("auc", "accuracy", "log_loss");
        assertThat(model.metrics().get("auc")).isGreaterThan(0.7);
        assertThat(model.metrics().get("accuracy")).isGreaterThan(0.7);
        assertThat(model.metrics().get("log_loss")).isLessThan(Math.log(2));
        assertThat(model.parameters()).containsEntry("trees", "100").containsEntry("max-depth", "12")
                .containsEntry("min-child-weight", "5.0").containsEntry("feature-fraction", "0.5").containsEntry("seed", "42")
                .containsEntry("positive-label", "good");
    }

    @Test
    void exportedOnnx_declaresOneFeatureInputAndOneProbabilityOutput() throws OrtException {
        TrainedModel model = trainer.train(CreditData.load(TEST_FRACTION, SEED), Map.of("trees", "5"));

        try (OrtSession session = TestingOnnx.session(model.artifact())) {
            assertThat(session.getInputNames()).containsExactly("features");
            assertThat(session.getOutputNames()).containsExactly("probabilities");
            TensorInfo input = TestingOnnx.tensorInfo(session.getInputInfo().get("features"));
            TensorInfo output = TestingOnnx.tensorInfo(session.getOutputInfo().get("probabilities"));
            assertThat(input.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(input.getShape()).containsExactly(-1L, CreditData.FEATURES.size());
            assertThat(output.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(output.getShape()).containsExactly(-1L, 2L);
        }
    }

    @Test
    void exportedOnnx_givesTribuoProbabilities_onEveryCreditGRow() throws OrtException {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);
        assertThat(data.featureNames()).as("unsorted names exercise the column mapping").isNotEqualTo(
                data.featureNames().stream().sorted().toList());

        assertParity("credit-g", data, trainer.fit(data, Map.of()));
    }

    @Test
    void exportedOnnx_givesTribuoProbabilities_onEveryWineRow_threeClasses() throws OrtException {
        TrainingData data = FixtureData.wine(TEST_FRACTION, SEED);

        TribuoRandomForestTrainer.Fit fit = trainer.fit(data, Map.of());

        assertThat(fit.labels()).containsExactlyInAnyOrder("class_0", "class_1", "class_2");
        assertThat(fit.metrics().get("accuracy")).isGreaterThan(0.9);
        assertParity("wine", data, fit);
    }

    @Test
    void exportedOnnx_givesTribuoProbabilities_forBaggedTreesOverAllFeatures() throws OrtException {
        TrainingData data = FixtureData.wine(TEST_FRACTION, SEED);

        assertParity("wine, feature-fraction 1", data, trainer.fit(data, Map.of("feature-fraction", "1", "trees", "20", "max-depth", "4")));
    }

    @Test
    void exportedOnnx_separatesAdjacentFloats_asTribuoDoes() throws OrtException {
        float low = Math.nextUp(1.0f);
        float high = Math.nextUp(low);
        assertThat((float) ((low + (double) high) / 2)).as("the double split between them rounds up to the higher float").isEqualTo(high);
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(new double[] {i % 2 == 0 ? low : high});
            labels.add(i % 2 == 0 ? "low" : "high");
        }
        TrainingData data = new TrainingData(List.of("x"), rows, labels, 0.0, SEED);

        TrainedModel model = trainer.train(data, Map.of("trees", "3", "feature-fraction", "1", "min-child-weight", "1"));

        float[][] probabilities = TestingOnnx.score(model.artifact(), "probabilities", new float[][] {{low}, {high}});
        int lowColumn = model.labels().indexOf("low");
        assertThat(probabilities[0][lowColumn]).isEqualTo(1.0f);
        assertThat(probabilities[1][lowColumn]).isEqualTo(0.0f);
    }

    @Test
    void thresholdBelow_isTheLargestFloatNotAboveTheSplit() {
        for (double split : new double[] {0.1, -0.1, 1.5, 14.265, 1e-40, -3.4028235677973366e38, 123456789.123, 0.0}) {
            float threshold = TreeEnsembleExport.thresholdBelow(split);

            assertThat((double) threshold).as("split %s", split).isLessThanOrEqualTo(split);
            assertThat((double) Math.nextUp(threshold)).as("split %s", split).isGreaterThan(split);
        }
    }

    @Test
    void train_isDeterministicForASeed() {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);
        Map<String, String> parameters = Map.of("trees", "10");

        TrainedModel first = trainer.train(data, parameters);
        TrainedModel second = new TribuoRandomForestTrainer().train(data, parameters);
        TrainedModel otherSeed = trainer.train(data, Map.of("trees", "10", "seed", "7"));

        assertThat(second.artifact()).isEqualTo(first.artifact());
        assertThat(second.metrics()).isEqualTo(first.metrics());
        assertThat(otherSeed.artifact()).isNotEqualTo(first.artifact());
    }

    @Test
    void badParameters_failNamingParameterValueAndRange() {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);

        assertThatThrownBy(() -> trainer.train(data, Map.of("trees", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'trees' must be an integer in [1, 10000], got '0'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("max-depth", "deep")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'max-depth' must be an integer in [1, 64], got 'deep'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("min-child-weight", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'min-child-weight' must be a number in (0, 1000000.0], got '0'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("feature-fraction", "1.5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'feature-fraction' must be a number in (0, 1], got '1.5'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("feature-fraction", "NaN")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'feature-fraction' must be a number in (0, 1], got 'NaN'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("seed", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 'seed'").hasMessageContaining("'x'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("positive-label", "maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'positive-label' must be one of [bad, good], got 'maybe'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("epochs", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown parameter 'epochs'; allowed: [feature-fraction, max-depth, min-child-weight, positive-label, seed, trees]");
    }

    @Test
    void badData_failsNamingRowAndFeature() {
        TrainingData withInfinity = new TrainingData(List.of("a"), List.of(new double[] {1}, new double[] {Double.POSITIVE_INFINITY}),
                List.of("x", "y"), 0.0, SEED);
        TrainingData oneClass = new TrainingData(List.of("a"), List.of(new double[] {1}, new double[] {2}), List.of("x", "x"), 0.0, SEED);

        assertThatThrownBy(() -> trainer.train(withInfinity, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("row 1 feature 'a' is Infinity, expected a finite number");
        TrainingData huge = new TrainingData(List.of("a"), List.of(new double[] {1}, new double[] {-1e39}), List.of("x", "y"), 0.0, SEED);
        assertThatThrownBy(() -> trainer.train(huge, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 1 feature 'a' is -1.0E39, outside the float32 range [-3.4028235E38, 3.4028235E38] that the exported model reads");
        assertThatThrownBy(() -> trainer.train(oneClass, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("labels must hold at least 2 distinct classes, got [x]");
    }

    /** Every row scored by ONNX Runtime from float32 input against Tribuo's forest on the same row (which rounds it to float32 too). */
    private static void assertParity(String dataName, TrainingData data, TribuoRandomForestTrainer.Fit fit) throws OrtException {
        String[] names = data.featureNames().toArray(String[]::new);
        float[][] actual = TestingOnnx.score(fit.onnx(), "probabilities", TestingOnnx.floatRows(data));

        assertThat(actual).hasNumberOfRows(data.features().size());
        double largest = 0;
        int classes = fit.labels().size();
        for (int row = 0; row < actual.length; row++) {
            Prediction<Label> prediction = fit.model().predict(
                    TribuoRandomForestTrainer.example(data.labels().get(row), names, data.features().get(row)));
            assertThat(actual[row]).hasSize(classes);
            int onnxBest = 0;
            for (int c = 0; c < classes; c++) {
                double expected = prediction.getOutputScores().get(fit.labels().get(c)).getScore();
                assertThat((double) actual[row][c]).as("%s row %d label %s", dataName, row, fit.labels().get(c))
                        .isCloseTo(expected, within(PROBABILITY_TOLERANCE));
                largest = Math.max(largest, Math.abs(actual[row][c] - expected));
                onnxBest = actual[row][c] > actual[row][onnxBest] ? c : onnxBest;
            }
            double tribuoBest = prediction.getOutputScores().get(prediction.getOutput().getLabel()).getScore();
            double onnxBestAsTribuo = prediction.getOutputScores().get(fit.labels().get(onnxBest)).getScore();
            assertThat(onnxBestAsTribuo).as("%s row %d: ONNX's most likely label is one Tribuo ranks first", dataName, row)
                    .isEqualTo(tribuoBest);
        }
        System.out.printf("%s random forest, ONNX vs Tribuo on all %d rows: largest probability difference %.2e%n", dataName,
                actual.length, largest);
    }
}
