package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.spi.DataType;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Calls scored on a session's kept buffers answer as calls on fresh tensors do, whatever shapes come and go. */
class SessionBuffersTest {
    private final OnnxModelRuntime runtime = new OnnxModelRuntime();

    @Test
    void callsOfChangingBatchSizesAnswerLikeScikitLearn_andEarlierAnswersStayUntouched() {
        List<Fixtures.CreditRow> reference = Fixtures.creditReference();
        try (OnnxLoadedModel model = (OnnxLoadedModel) runtime.load(Fixtures.model("credit_rf.onnx"), RuntimeOptions.defaults())) {
            Map<String, Tensor> first = model.predict(Map.of("features", features(reference, 0, 3)));
            float[] firstProbabilities = ((float[]) first.get("probabilities").data()).clone();
            int offset = 0;
            // more batch sizes than a session keeps slots for, twice over, so slots are evicted and made again
            for (int round = 0; round < 2; round++) {
                for (int rows = 1; rows <= SessionBuffers.MAX_SLOTS + 4; rows++) {
                    int start = offset % (reference.size() - rows);
                    Map<String, Tensor> outputs = model.predict(Map.of("features", features(reference, start, rows)));
                    assertThat(outputs).containsOnlyKeys("label", "probabilities");
                    assertThat(outputs.get("label").shape()).containsExactly(rows);
                    assertThat(outputs.get("probabilities").shape()).containsExactly(rows, 2);
                    for (int row = 0; row < rows; row++) {
                        Fixtures.CreditRow expected = reference.get(start + row);
                        assertThat(((long[]) outputs.get("label").data())[row]).isEqualTo(expected.label());
                        float[] probabilities = (float[]) outputs.get("probabilities").data();
                        assertThat((double) probabilities[2 * row]).isCloseTo(expected.probabilityGood(), within(1e-5));
                        assertThat((double) probabilities[2 * row + 1]).isCloseTo(expected.probabilityBad(), within(1e-5));
                    }
                    offset += 7;
                }
            }
            assertThat((float[]) first.get("probabilities").data()).containsExactly(firstProbabilities);
            assertThat(model.pinsOutputs()).isTrue();
        }
    }

    @Test
    void anOutputWhoseSizeIsNotTheBatchIsRefusedOnce_thenAllocatedPerCall() {
        try (OnnxLoadedModel model = (OnnxLoadedModel) runtime.load(Fixtures.model("flatten.onnx"), RuntimeOptions.defaults())) {
            for (int rows = 1; rows <= 3; rows++) {
                float[] values = new float[rows * 3];
                for (int i = 0; i < values.length; i++) {
                    values[i] = i + 0.5f;
                }
                Map<String, Tensor> outputs = model.predict(Map.of("x", new Tensor(DataType.FP32, new long[] {rows, 3}, values)));

                assertThat(outputs.get("flat")).isEqualTo(new Tensor(DataType.FP32, new long[] {rows * 3}, values));
                float[] doubled = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    doubled[i] = values[i] * 2;
                }
                assertThat(outputs.get("doubled")).isEqualTo(new Tensor(DataType.FP32, new long[] {rows, 3}, doubled));
                assertThat(model.pinsOutputs()).as("after %d rows", rows).isFalse();
            }
        }
    }

    @Test
    void rankZeroInputsAndOutputsAreKeptToo() {
        try (OnnxLoadedModel model = (OnnxLoadedModel) runtime.load(Fixtures.model("scalar.onnx"), RuntimeOptions.defaults())) {
            for (int k = 0; k < 5; k++) {
                Map<String, Tensor> outputs = model.predict(Map.of(
                        "x", new Tensor(DataType.FP32, new long[0], new float[] {k + 0.25f}),
                        "k", new Tensor(DataType.INT64, new long[0], new long[] {k})));

                assertThat(outputs.get("y")).isEqualTo(new Tensor(DataType.FP32, new long[0], new float[] {2 * (k + 0.25f)}));
                assertThat(outputs.get("next")).isEqualTo(new Tensor(DataType.INT64, new long[0], new long[] {k + 1}));
            }
            assertThat(model.pinsOutputs()).isTrue();
        }
    }

    private static Tensor features(List<Fixtures.CreditRow> reference, int start, int rows) {
        int width = reference.getFirst().features().length;
        float[] values = new float[rows * width];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(reference.get(start + row).features(), 0, values, row * width, width);
        }
        return new Tensor(DataType.FP32, new long[] {rows, width}, values);
    }
}
