package dev.keel.core.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchesTest {
    private static final ModelSignature SIGNATURE = new ModelSignature(
            List.of(new TensorSpec("image", DataType.UINT8, -1, 2, 2), new TensorSpec("name", DataType.BYTES, -1)),
            List.of(new TensorSpec("score", DataType.FP64, -1, 1)));

    @Test
    void joinAndSplit_keepRowsOfMultiDimensionalAndStringInputsInOrder() {
        Map<String, Tensor> first = Map.of(
                "image", new Tensor(DataType.UINT8, new long[] {1, 2, 2}, new byte[] {1, 2, 3, 4}),
                "name", new Tensor(DataType.BYTES, new long[] {1}, new String[] {"a"}));
        Map<String, Tensor> second = Map.of(
                "image", new Tensor(DataType.UINT8, new long[] {2, 2, 2}, new byte[] {5, 6, 7, 8, 9, 10, 11, 12}),
                "name", new Tensor(DataType.BYTES, new long[] {2}, new String[] {"b", "c"}));

        Map<String, Tensor> joined = Batches.join(List.of(first, second), 3);

        assertThat(joined.get("image")).isEqualTo(new Tensor(DataType.UINT8, new long[] {3, 2, 2},
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
        assertThat(joined.get("name")).isEqualTo(new Tensor(DataType.BYTES, new long[] {3}, new String[] {"a", "b", "c"}));
        assertThat(first.get("image").shape()).containsExactly(1, 2, 2);

        var parts = Batches.split(SIGNATURE, Map.of("score", new Tensor(DataType.FP64, new long[] {3, 1}, new double[] {0.1, 0.2, 0.3})),
                new int[] {1, 2}).orElseThrow();
        assertThat(parts.get(0).get("score")).isEqualTo(new Tensor(DataType.FP64, new long[] {1, 1}, new double[] {0.1}));
        assertThat(parts.get(1).get("score")).isEqualTo(new Tensor(DataType.FP64, new long[] {2, 1}, new double[] {0.2, 0.3}));
    }

    @Test
    void split_refusesOutputsWithoutOneRowPerInputRow() {
        var parts = Batches.split(SIGNATURE, Map.of("score", new Tensor(DataType.FP64, new long[] {1, 1}, new double[] {0.5})),
                new int[] {1, 2});

        assertThat(parts).isEmpty();
    }

    @Test
    void key_groupsRequestsByModelAndTrailingShapeOnly() {
        LoadedModel model = TestingModel.batchable();
        var one = Batches.key(model, TestingModel.rows(1, 2)).orElseThrow();
        var three = Batches.key(model, TestingModel.rows(1, 2, 3, 4, 5, 6)).orElseThrow();
        var other = Batches.key(TestingModel.batchable(), TestingModel.rows(1, 2)).orElseThrow();

        assertThat(one.rows()).isEqualTo(1);
        assertThat(three.rows()).isEqualTo(3);
        assertThat(one.key()).isEqualTo(three.key()).isNotEqualTo(other.key());
        assertThat(Batches.key(TestingModel.fixedSingleRow(), TestingModel.rows(1, 2))).isEmpty();
        assertThat(Batches.key(model, Map.of())).isEmpty();
    }
}
