package dev.keel.trainer.tribuo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
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

class TribuoLogisticRegressionTrainerTest {
    private static final long SEED = 42L;
    private static final double TEST_FRACTION = 0.3;

    private final TribuoLogisticRegressionTrainer trainer = new TribuoLogisticRegressionTrainer();

    @Test
    void serviceLoader_findsTrainerByAlgorithm() {
        List<String> algorithms = ServiceLoader.load(Trainer.class).stream().map(provider -> provider.get().algorithm()).toList();

        assertThat(algorithms).contains("logistic-regression");
    }

    @Test
    void train_onCreditG_reachesSensibleHeldOutMetrics() {
        TrainedModel model = trainer.train(CreditData.load(TEST_FRACTION, SEED), Map.of());

        System.out.printf("credit-g logistic regression, seed %d, test fraction %.1f: %s%n", SEED, TEST_FRACTION, model.metrics());
        assertThat(model.format()).isEqualTo("onnx");
        assertThat(model.labels()).containsExactlyInAnyOrder("good", "bad");
        assertThat(model.metrics()).containsOnlyKeys("auc", "accuracy", "log_loss");
        assertThat(model.metrics().get("auc")).isGreaterThan(0.65);
        assertThat(model.metrics().get("accuracy")).isGreaterThan(0.70);
        assertThat(model.metrics().get("log_loss")).isLessThan(Math.log(2));
        assertThat(model.parameters()).containsEntry("epochs", "10").containsEntry("learning-rate", "1.0")
                .containsEntry("minibatch-size", "1").containsEntry("seed", "42").containsEntry("positive-label", "good");
    }

    @Test
    void split_holdsOutTheTestFractionOfEachLabel() {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);

        Split split = Split.stratified(data.labels(), data.testFraction(), data.seed());

        assertThat(split.test()).hasSize(300);
        assertThat(split.train()).hasSize(700).doesNotContainAnyElementsOf(split.test());
        assertThat(split.test().stream().filter(row -> data.labels().get(row).equals("bad")).count()).isEqualTo(90);
        assertThat(Split.stratified(data.labels(), data.testFraction(), data.seed())).isEqualTo(split);
        assertThat(Split.stratified(data.labels(), data.testFraction(), SEED + 1).test()).isNotEqualTo(split.test());
    }

    @Test
    void exportedOnnx_declaresOneFeatureInputAndOneProbabilityOutput() throws OrtException {
        TrainedModel model = trainer.train(CreditData.load(TEST_FRACTION, SEED), Map.of());

        try (OrtSession session = session(model.artifact())) {
            assertThat(session.getInputNames()).containsExactly("features");
            assertThat(session.getOutputNames()).containsExactly("probabilities");
            TensorInfo input = tensorInfo(session.getInputInfo().get("features"));
            TensorInfo output = tensorInfo(session.getOutputInfo().get("probabilities"));
            assertThat(input.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(input.getShape()).containsExactly(-1L, CreditData.FEATURES.size());
            assertThat(output.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(output.getShape()).containsExactly(-1L, 2L);
        }
    }

    @Test
    void exportedOnnx_givesTribuoProbabilities_forRawHeldOutRowsInFeatureNameOrder() throws OrtException {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);
        assertThat(data.featureNames()).as("unsorted names exercise the column reordering").isNotEqualTo(
                data.featureNames().stream().sorted().toList());
        TribuoLogisticRegressionTrainer.Fit fit = trainer.fit(data, Map.of());
        String[] names = data.featureNames().toArray(String[]::new);

        List<Integer> rows = fit.split().test();
        float[][] raw = new float[rows.size()][];
        double[][] expected = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            double[] row = data.features().get(rows.get(i));
            raw[i] = toFloats(row);
            Prediction<Label> prediction = fit.model().predict(
                    TribuoLogisticRegressionTrainer.example(data.labels().get(rows.get(i)), names, fit.scaling().apply(row)));
            expected[i] = new double[fit.labels().size()];
            for (int c = 0; c < fit.labels().size(); c++) {
                expected[i][c] = prediction.getOutputScores().get(fit.labels().get(c)).getScore();
            }
        }

        float[][] actual = score(fit.onnx(), raw);

        assertThat(actual).hasNumberOfRows(rows.size());
        double largest = 0;
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < expected[i].length; c++) {
                assertThat((double) actual[i][c]).as("row %d label %s", rows.get(i), fit.labels().get(c))
                        .isCloseTo(expected[i][c], within(1e-5));
                largest = Math.max(largest, Math.abs(actual[i][c] - expected[i][c]));
            }
        }
        System.out.printf("ONNX vs Tribuo on %d held-out rows: largest probability difference %.2e%n", rows.size(), largest);
    }

    @Test
    void train_isDeterministicForASeed() {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);

        TrainedModel first = trainer.train(data, Map.of("epochs", "3"));
        TrainedModel second = new TribuoLogisticRegressionTrainer().train(data, Map.of("epochs", "3"));
        TrainedModel otherSeed = trainer.train(data, Map.of("epochs", "3", "seed", "7"));

        assertThat(second.artifact()).isEqualTo(first.artifact());
        assertThat(second.metrics()).isEqualTo(first.metrics());
        assertThat(otherSeed.artifact()).isNotEqualTo(first.artifact());
    }

    @Test
    void positiveLabel_choosesTheAucLabel_andBinaryAucIsSymmetric() {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);

        TrainedModel good = trainer.train(data, Map.of());
        TrainedModel bad = trainer.train(data, Map.of("positive-label", "bad"));

        assertThat(bad.parameters()).containsEntry("positive-label", "bad");
        assertThat(bad.metrics().get("auc")).isCloseTo(good.metrics().get("auc"), within(1e-9));
    }

    @Test
    void train_withoutHeldOutRows_reportsNoMetrics() {
        TrainedModel model = trainer.train(CreditData.load(0.0, SEED), Map.of("epochs", "1"));

        assertThat(model.metrics()).isEmpty();
        assertThat(model.artifact()).isNotEmpty();
    }

    @Test
    void train_withConstantFeature_keepsEveryColumn() throws OrtException {
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(new double[] {5.0, i, 0.0});
            labels.add(i < 20 ? "low" : "high");
        }
        TrainingData data = new TrainingData(List.of("constant", "x", "zero"), rows, labels, 0.25, SEED);

        TrainedModel model = trainer.train(data, Map.of());

        float[][] probabilities = score(model.artifact(), new float[][] {{5f, 0f, 0f}, {5f, 39f, 0f}});
        int high = model.labels().indexOf("high");
        assertThat(probabilities[1][high]).isGreaterThan(probabilities[0][high]);
        assertThat(model.metrics().get("auc")).isEqualTo(1.0);
    }

    @Test
    void badParameters_failNamingParameterValueAndRange() {
        TrainingData data = CreditData.load(TEST_FRACTION, SEED);

        assertThatThrownBy(() -> trainer.train(data, Map.of("epochs", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'epochs' must be an integer in [1, 10000], got '0'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("epochs", "ten")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'epochs' must be an integer in [1, 10000], got 'ten'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("learning-rate", "-0.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'learning-rate' must be a number in (0, 100.0], got '-0.5'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("learning-rate", "NaN")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'learning-rate'").hasMessageContaining("'NaN'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("minibatch-size", "100000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'minibatch-size' must be an integer in [1, 65536], got '100000'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("seed", "1.5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 'seed'").hasMessageContaining("'1.5'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("positive-label", "maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'positive-label' must be one of [bad, good], got 'maybe'");
        assertThatThrownBy(() -> trainer.train(data, Map.of("epoch", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown parameter 'epoch'; allowed: [epochs, learning-rate, minibatch-size, positive-label, seed]");
    }

    @Test
    void badData_failsNamingRowAndFeature() {
        List<double[]> rows = List.of(new double[] {1, 2}, new double[] {3, Double.NaN}, new double[] {5, 6});
        TrainingData withNaN = new TrainingData(List.of("a", "b"), rows, List.of("x", "y", "x"), 0.0, SEED);
        TrainingData duplicateNames = new TrainingData(List.of("a", "a"), List.of(new double[] {1, 2}, new double[] {3, 4}),
                List.of("x", "y"), 0.0, SEED);
        TrainingData oneClass = new TrainingData(List.of("a"), List.of(new double[] {1}, new double[] {2}), List.of("x", "x"),
                0.0, SEED);
        TrainingData ragged = new TrainingData(List.of("a", "b"), List.of(new double[] {1, 2}, new double[] {3}),
                List.of("x", "y"), 0.0, SEED);

        assertThatThrownBy(() -> trainer.train(withNaN, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("row 1 feature 'b' is NaN, expected a finite number");
        assertThatThrownBy(() -> trainer.train(duplicateNames, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("featureNames must be distinct, got 'a' twice");
        assertThatThrownBy(() -> trainer.train(oneClass, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("labels must hold at least 2 distinct classes, got [x]");
        assertThatThrownBy(() -> trainer.train(ragged, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("row 1 has 1 values, expected 2");
    }

    private static OrtSession session(byte[] onnx) throws OrtException {
        return OrtEnvironment.getEnvironment().createSession(onnx, new OrtSession.SessionOptions());
    }

    private static float[][] score(byte[] onnx, float[][] rows) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = session(onnx);
             OnnxTensor input = OnnxTensor.createTensor(environment, rows);
             OrtSession.Result result = session.run(Map.of("features", input))) {
            return (float[][]) result.get("probabilities").orElseThrow().getValue();
        }
    }

    private static TensorInfo tensorInfo(NodeInfo node) {
        return (TensorInfo) node.getInfo();
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
