package dev.keel.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultResponseTest {
    private static final ModelVersion CLASSIFIER = version(new TensorSpec("label", DataType.INT64, -1),
            new TensorSpec("probabilities", DataType.FP32, -1, 2));

    private static ModelVersion version(TensorSpec... outputs) {
        return new ModelVersion("credit", 3, "default", "onnx", new ArtifactRef("0".repeat(64), 1),
                new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, 63)), List.of(outputs)), List.of(), Map.of(),
                Map.of(), Lineage.none(), "", Instant.EPOCH, "tester");
    }

    @Test
    void outputs_takeTheNamesDatatypesAndShapesOfTheSignature() {
        Map<String, Tensor> outputs = DefaultResponse.outputs(Map.of("label", 1, "probabilities", List.of(0.25, 0.75)), CLASSIFIER, 2)
                .orElseThrow();

        assertThat(outputs).containsOnlyKeys("label", "probabilities");
        assertThat(outputs.get("label")).isEqualTo(new Tensor(DataType.INT64, new long[] {2}, new long[] {1, 1}));
        assertThat(outputs.get("probabilities")).isEqualTo(new Tensor(DataType.FP32, new long[] {2, 2}, new float[] {0.25f, 0.75f, 0.25f, 0.75f}));
    }

    @Test
    void problems_nameAMissingOutputAWrongTypeAWrongLengthAndAnUnknownOutput() {
        assertThat(DefaultResponse.problems(Map.of("probabilities", List.of(0.5, 0.5)), CLASSIFIER))
                .singleElement().asString().contains("'label'", "INT64", "credit:3");
        assertThat(DefaultResponse.problems(Map.of("label", 0.5, "probabilities", List.of(0.5, 0.5)), CLASSIFIER))
                .singleElement().asString().contains("label", "INT64");
        assertThat(DefaultResponse.problems(Map.of("label", 0, "probabilities", List.of(0.5, 0.3, 0.2)), CLASSIFIER))
                .singleElement().asString().contains("probabilities", "2 value(s), got 3");
        assertThat(DefaultResponse.problems(Map.of("label", 0, "probabilities", List.of(0.5, 0.5), "score", 1), CLASSIFIER))
                .singleElement().asString().contains("score", "not an output");
        assertThat(DefaultResponse.outputs(Map.of("probabilities", List.of(0.5, 0.5)), CLASSIFIER, 1)).isEmpty();
    }

    @Test
    void strings_booleansScalarsAndDynamicWidths() {
        ModelVersion other = version(new TensorSpec("tag", DataType.BYTES, -1), new TensorSpec("flag", DataType.BOOL, -1, 1),
                new TensorSpec("total", DataType.FP64), new TensorSpec("scores", DataType.FP64, -1, -1));

        Map<String, Tensor> outputs = DefaultResponse.outputs(Map.of("tag", "unknown", "flag", false, "total", 0, "scores",
                List.of(1, 2, 3)), other, 2).orElseThrow();

        assertThat(outputs.get("tag")).isEqualTo(new Tensor(DataType.BYTES, new long[] {2}, new String[] {"unknown", "unknown"}));
        assertThat(outputs.get("flag")).isEqualTo(new Tensor(DataType.BOOL, new long[] {2, 1}, new boolean[] {false, false}));
        assertThat(outputs.get("total")).isEqualTo(new Tensor(DataType.FP64, new long[0], new double[] {0}));
        assertThat(outputs.get("scores").shape()).containsExactly(2, 3);
    }

    @Test
    void checkForm_refusesMixedAndEmptyLists() {
        assertThatThrownBy(() -> DefaultResponse.checkForm(Map.of("probabilities", List.of(0.5, "x")))).hasMessageContaining("probabilities");
        assertThatThrownBy(() -> DefaultResponse.checkForm(Map.of("probabilities", List.of()))).hasMessageContaining("empty");
    }
}
