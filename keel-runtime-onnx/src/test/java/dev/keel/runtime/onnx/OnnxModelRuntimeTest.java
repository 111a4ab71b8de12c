package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class OnnxModelRuntimeTest {
    private final OnnxModelRuntime runtime = new OnnxModelRuntime();

    @Test
    void serviceLoader_findsTheOnnxRuntime() {
        List<String> formats = ServiceLoader.load(ModelRuntime.class).stream().map(provider -> provider.get().format()).toList();

        assertThat(formats).containsExactly("onnx");
    }

    @Test
    void inspect_rejectsGarbageAsBadInput() {
        byte[] garbage = "this is a CSV file, not a model\n1,2,3\n".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> runtime.inspect(garbage))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isTrue())
                .hasMessageStartingWith("artifact is not an ONNX model ONNX Runtime can load (38 bytes)");
    }

    @Test
    void inspect_rejectsAnEmptyArtifactAsBadInput() {
        assertThatThrownBy(() -> runtime.inspect(new byte[0]))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isTrue())
                .hasMessageContaining("it is empty");
    }

    @Test
    void load_rejectsATruncatedModelAsBadInput() {
        byte[] model = Fixtures.model("multi_input.onnx");
        byte[] truncated = java.util.Arrays.copyOf(model, model.length / 2);

        assertThatThrownBy(() -> runtime.load(truncated, RuntimeOptions.defaults()))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isTrue());
    }

    @Test
    void predict_acceptsScalarInputs() {
        byte[] artifact = Fixtures.model("scalar.onnx");
        assertThat(runtime.inspect(artifact).inputs())
                .containsExactly(new TensorSpec("x", DataType.FP32), new TensorSpec("k", DataType.INT64));

        try (LoadedModel model = runtime.load(artifact, RuntimeOptions.defaults())) {
            Map<String, Tensor> outputs = model.predict(Map.of(
                    "x", new Tensor(DataType.FP32, new long[0], new float[] {1.25f}),
                    "k", new Tensor(DataType.INT64, new long[0], new long[] {41})));

            assertThat(outputs.get("y")).isEqualTo(new Tensor(DataType.FP32, new long[0], new float[] {2.5f}));
            assertThat(outputs.get("next")).isEqualTo(new Tensor(DataType.INT64, new long[0], new long[] {42}));
        }
    }

    @Test
    void predict_feedsSeveralInputsOfDifferentTypes() {
        try (LoadedModel model = runtime.load(Fixtures.model("multi_input.onnx"), RuntimeOptions.defaults())) {
            Map<String, Tensor> outputs = model.predict(multiInputs(2));

            assertThat(outputs).containsOnlyKeys("sum", "dot", "scaled", "tag_out");
            assertThat(outputs.get("sum")).isEqualTo(new Tensor(DataType.FP32, new long[] {2, 3}, new float[] {5, 7, 9, 2, 2, 1}));
            assertThat(outputs.get("dot")).isEqualTo(new Tensor(DataType.FP32, new long[] {2}, new float[] {32, 1.75f}));
            assertThat(outputs.get("scaled")).isEqualTo(new Tensor(DataType.FP32, new long[] {2}, new float[] {96, -1.75f}));
            assertThat(outputs.get("tag_out")).isEqualTo(new Tensor(DataType.BYTES, new long[] {2}, new String[] {"first", "second"}));
        }
    }

    @Test
    void predict_namesAnInputOfTheWrongType() {
        Map<String, Tensor> inputs = new HashMap<>(multiInputs(2));
        inputs.put("count", new Tensor(DataType.INT64, new long[] {2}, new long[] {3, -1}));

        assertBadInput(inputs, "input 'count' must be INT32, got INT64");
    }

    @Test
    void predict_namesAnInputOfTheWrongShape() {
        Map<String, Tensor> inputs = new HashMap<>(multiInputs(2));
        inputs.put("a", new Tensor(DataType.FP32, new long[] {3, 2}, new float[6]));

        assertBadInput(inputs, "input 'a' must have shape [-1, 3] (-1 is any size), got [3, 2]");
    }

    @Test
    void predict_namesAnInputOfTheWrongRank() {
        Map<String, Tensor> inputs = new HashMap<>(multiInputs(2));
        inputs.put("tag", new Tensor(DataType.BYTES, new long[] {1, 2}, new String[] {"x", "y"}));

        assertBadInput(inputs, "input 'tag' must have shape [-1] (-1 is any size), got [1, 2]");
    }

    @Test
    void predict_namesAMissingInput() {
        Map<String, Tensor> inputs = new HashMap<>(multiInputs(2));
        inputs.remove("b");

        assertBadInput(inputs, "input 'b' is missing; the model needs [a, b, count, tag]");
    }

    @Test
    void predict_namesAnUnknownInput() {
        Map<String, Tensor> inputs = new HashMap<>(multiInputs(2));
        inputs.put("c", new Tensor(DataType.FP32, new long[] {2, 3}, new float[6]));

        assertBadInput(inputs, "model has no input 'c'; its inputs are [a, b, count, tag]");
    }

    @Test
    void predict_blamesTheCallerWhenBatchSizesOfInputsDisagree() {
        Map<String, Tensor> inputs = new HashMap<>(multiInputs(2));
        inputs.put("count", new Tensor(DataType.INT32, new long[] {3}, new int[] {1, 2, 3}));

        assertBadInput(inputs, "input 'count' has 3 in dimension 0 ('N') but input 'a' has 2 there; inputs that share a"
                + " dimension name must agree on its size");
    }

    @Test
    void predict_givesTheSameAnswersFromManyThreadsAsFromOne() throws Exception {
        List<Fixtures.CreditRow> rows = Fixtures.creditReference();
        try (LoadedModel model = runtime.load(Fixtures.model("credit_rf.onnx"), RuntimeOptions.defaults().withSessions(3));
                ExecutorService threads = Executors.newFixedThreadPool(6)) {
            List<Future<float[]>> answers = new ArrayList<>();
            for (Fixtures.CreditRow row : rows) {
                answers.add(threads.submit(() -> (float[]) model.predict(
                        Map.of("features", CreditForestTest.batch(List.of(row)))).get("probabilities").data()));
            }
            for (int i = 0; i < rows.size(); i++) {
                assertThat(answers.get(i).get()[1]).as("row %d", i).isCloseTo((float) rows.get(i).probabilityBad(), within(1e-5f));
            }
        }
    }

    @Test
    void load_keepsTheRequestedNumberOfSessions() {
        try (LoadedModel model = runtime.load(Fixtures.model("scalar.onnx"), RuntimeOptions.defaults().withSessions(4))) {
            assertThat(((OnnxLoadedModel) model).sessionCount()).isEqualTo(4);
        }
    }

    @Test
    void predict_refusesAfterClose() {
        LoadedModel model = runtime.load(Fixtures.model("multi_input.onnx"), RuntimeOptions.defaults());
        model.close();
        model.close();

        assertThatThrownBy(() -> model.predict(multiInputs(1)))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isFalse())
                .hasMessage("model is closed and cannot score");
    }

    private void assertBadInput(Map<String, Tensor> inputs, String message) {
        assertThatThrownBy(() -> predictOnce(inputs))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isTrue())
                .hasMessage(message);
    }

    private void predictOnce(Map<String, Tensor> inputs) {
        try (LoadedModel model = runtime.load(Fixtures.model("multi_input.onnx"), RuntimeOptions.defaults())) {
            model.predict(inputs);
        }
    }

    private static Map<String, Tensor> multiInputs(int rows) {
        float[] a = {1, 2, 3, 0.5f, 0.5f, 0.5f};
        float[] b = {4, 5, 6, 1.5f, 1.5f, 0.5f};
        return Map.of(
                "a", new Tensor(DataType.FP32, new long[] {rows, 3}, java.util.Arrays.copyOf(a, rows * 3)),
                "b", new Tensor(DataType.FP32, new long[] {rows, 3}, java.util.Arrays.copyOf(b, rows * 3)),
                "count", new Tensor(DataType.INT32, new long[] {rows}, java.util.Arrays.copyOf(new int[] {3, -1}, rows)),
                "tag", new Tensor(DataType.BYTES, new long[] {rows}, java.util.Arrays.copyOf(new String[] {"first", "second"}, rows)));
    }
}
