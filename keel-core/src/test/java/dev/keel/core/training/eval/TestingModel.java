package dev.keel.core.training.eval;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A hand-written model: a declared signature and a function from one input batch (rows of floats) to its outputs. */
final class TestingModel implements LoadedModel {
    private final ModelSignature signature;
    private final Function<float[][], Map<String, Tensor>> scorer;
    private final List<Integer> batchRows = new ArrayList<>();

    TestingModel(ModelSignature signature, Function<float[][], Map<String, Tensor>> scorer) {
        this.signature = signature;
        this.scorer = scorer;
    }

    /** A binary classifier over {@code width} features whose P(second class) is the logistic of the first feature. */
    static TestingModel logistic(int width) {
        return new TestingModel(new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, width)),
            List.of(new TensorSpec("label", DataType.INT64, -1), new TensorSpec("probabilities", DataType.FP32, -1, 2))),
            TestingModel::logisticOutputs);
    }

    /** P(second class) = logistic(first feature), in float as a runtime would compute it. */
    static Map<String, Tensor> logisticOutputs(float[][] rows) {
        float[] probabilities = new float[rows.length * 2];
        for (int i = 0; i < rows.length; i++) {
            float p = (float) (1 / (1 + Math.exp(-rows[i][0])));
            probabilities[2 * i] = 1 - p;
            probabilities[2 * i + 1] = p;
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        outputs.put("label", new Tensor(DataType.INT64, new long[] {rows.length}, new long[rows.length]));
        outputs.put("probabilities", new Tensor(DataType.FP32, new long[] {rows.length, 2}, probabilities));
        return outputs;
    }

    /** A model with one FP32 input [N, features] and one output, computed from the batch's rows. */
    static TestingModel returning(int features, TensorSpec outputSpec, Function<float[][], Tensor> output) {
        return new TestingModel(new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, -1, features)), List.of(outputSpec)),
            rows -> Map.of(outputSpec.name(), output.apply(rows)));
    }

    /** The row count of each batch scored so far, warm-up included. */
    List<Integer> batchRows() {
        return batchRows;
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        Tensor input = inputs.values().iterator().next();
        int rows = (int) input.dimension(0);
        int width = (int) input.dimension(1);
        float[][] batch = new float[rows][width];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                batch[i][j] = (float) input.doubleAt(i * width + j);
            }
        }
        batchRows.add(rows);
        return scorer.apply(batch);
    }

    @Override
    public void close() {
    }
}
