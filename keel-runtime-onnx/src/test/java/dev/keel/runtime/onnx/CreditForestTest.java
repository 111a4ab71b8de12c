package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CreditForestTest {
    private static final double TOLERANCE = 1e-5;
    private final OnnxModelRuntime runtime = new OnnxModelRuntime();
    private final List<Fixtures.CreditRow> reference = Fixtures.creditReference();

    @Test
    void inspect_readsFeaturesLabelAndProbabilities() {
        var signature = runtime.inspect(Fixtures.model("credit_rf.onnx"));

        assertThat(signature.inputs()).containsExactly(new TensorSpec("features", DataType.FP32, -1, 63));
        assertThat(signature.outputs()).containsExactly(
                new TensorSpec("label", DataType.INT64, -1), new TensorSpec("probabilities", DataType.FP32, -1, 2));
    }

    @Test
    void predict_matchesScikitLearnOnEveryHeldOutRowInOneBatch() {
        try (LoadedModel model = runtime.load(Fixtures.model("credit_rf.onnx"), RuntimeOptions.defaults())) {
            Map<String, Tensor> outputs = model.predict(Map.of("features", batch(reference)));

            Tensor probabilities = outputs.get("probabilities");
            Tensor labels = outputs.get("label");
            assertThat(probabilities.shape()).containsExactly(reference.size(), 2);
            for (int row = 0; row < reference.size(); row++) {
                Fixtures.CreditRow expected = reference.get(row);
                assertThat(probabilities.doubleAt(2 * row)).as("P(good) of row %d", row)
                        .isCloseTo(expected.probabilityGood(), within(TOLERANCE));
                assertThat(probabilities.doubleAt(2 * row + 1)).as("P(bad) of row %d", row)
                        .isCloseTo(expected.probabilityBad(), within(TOLERANCE));
                assertThat(((long[]) labels.data())[row]).as("label of row %d", row).isEqualTo(expected.label());
            }
        }
    }

    @Test
    void predict_matchesScikitLearnRowByRow() {
        try (LoadedModel model = runtime.load(Fixtures.model("credit_rf.onnx"), RuntimeOptions.defaults())) {
            for (Fixtures.CreditRow expected : reference.subList(0, 40)) {
                Tensor probabilities = model.predict(Map.of("features", batch(List.of(expected)))).get("probabilities");

                assertThat(probabilities.doubleAt(1)).isCloseTo(expected.probabilityBad(), within(TOLERANCE));
            }
        }
    }

    @Test
    void zipMap_returnsProbabilityMatrixAndClassLabels() {
        byte[] artifact = Fixtures.model("credit_rf_zipmap.onnx");
        var signature = runtime.inspect(artifact);
        assertThat(signature.output("probabilities").orElseThrow().kind()).isEqualTo("sequence<map<int64,float>>");
        assertThat(signature.output("probabilities:labels").orElseThrow().kind()).isEqualTo("labels");

        try (LoadedModel model = runtime.load(artifact, RuntimeOptions.defaults())) {
            Map<String, Tensor> outputs = model.predict(Map.of("features", batch(reference.subList(0, 25))));

            assertThat(outputs.get("probabilities:labels")).isEqualTo(new Tensor(DataType.INT64, new long[] {2}, new long[] {0, 1}));
            Tensor probabilities = outputs.get("probabilities");
            assertThat(probabilities.type()).isEqualTo(DataType.FP32);
            assertThat(probabilities.shape()).containsExactly(25, 2);
            for (int row = 0; row < 25; row++) {
                assertThat(probabilities.doubleAt(2 * row + 1)).isCloseTo(reference.get(row).probabilityBad(), within(TOLERANCE));
            }
        }
    }

    static Tensor batch(List<Fixtures.CreditRow> rows) {
        int width = rows.getFirst().features().length;
        float[] data = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).features(), 0, data, i * width, width);
        }
        return new Tensor(DataType.FP32, new long[] {rows.size(), width}, data);
    }
}
