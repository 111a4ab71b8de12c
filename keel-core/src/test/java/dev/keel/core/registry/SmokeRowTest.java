package dev.keel.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.ArtifactRef;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmokeRowTest {
    private static ModelVersion version(List<TensorSpec> inputs, List<FeatureSpec> features) {
        return new ModelVersion("credit", 1, "default", "onnx", new ArtifactRef("0".repeat(64), 1),
                new ModelSignature(inputs, List.of(new TensorSpec("y", DataType.FP32, -1))), features, Map.of(), Map.of(), Lineage.none(), "",
                Instant.EPOCH, "tester");
    }

    private static FeatureSpec number(String name, Double min, Double max) {
        return new FeatureSpec(name, "number", Optional.ofNullable(min), Optional.ofNullable(max), List.of(), false, Optional.empty());
    }

    @Test
    void columnsInput_takesOneRowWithEachFeatureAtZeroMovedIntoItsRange() {
        ModelVersion version = version(List.of(new TensorSpec("features", DataType.FP32, -1, 3)),
                List.of(number("age", 18.0, 99.0), number("balance", null, -5.0), number("rate", -1.0, 1.0)));

        Map<String, Tensor> row = SmokeRow.of(version);

        assertThat(row.get("features")).isEqualTo(new Tensor(DataType.FP32, new long[] {1, 3}, new float[] {18, -5, 0}));
    }

    @Test
    void namedInputs_ofSeveralTypesAndScalars() {
        ModelVersion version = version(List.of(new TensorSpec("count", DataType.INT32, -1), new TensorSpec("tag", DataType.BYTES, -1),
                new TensorSpec("k", DataType.INT64), new TensorSpec("state", DataType.FP32, 2, -1, 4)),
                List.of(new FeatureSpec("tag", "string", Optional.empty(), Optional.empty(), List.of("a", "b"), false, Optional.empty()),
                        number("count", 2.5, null)));

        Map<String, Tensor> row = SmokeRow.of(version);

        assertThat(row.get("count")).isEqualTo(new Tensor(DataType.INT32, new long[] {1}, new int[] {3}));
        assertThat(row.get("tag")).isEqualTo(new Tensor(DataType.BYTES, new long[] {1}, new String[] {"a"}));
        assertThat(row.get("k")).isEqualTo(new Tensor(DataType.INT64, new long[0], new long[] {0}));
        assertThat(row.get("state").shape()).containsExactly(2, 1, 4);
    }
}
