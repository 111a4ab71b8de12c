package dev.keel.core.serving;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.testing.ParsedOrRefused;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.TensorSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes the step after a predict body is read: its records encoded into a version's input tensors, for a model with one
 * column-per-feature input (features with bounds, allowed values and types) and for one with named inputs of several
 * datatypes and ranks; tensors, or INVALID_INPUT naming the field and row, never another exception.
 */
class InputLayoutFuzzTest {
    private static final InputLayout COLUMNS = new InputLayout(version(
            new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, 4)), List.of(new TensorSpec("label", DataType.INT64, -1))),
            List.of(new FeatureSpec("age", "integer", Optional.of(18.0), Optional.of(120.0), List.of(), false, Optional.empty()),
                    FeatureSpec.number("amount"),
                    new FeatureSpec("purpose", "string", Optional.empty(), Optional.empty(), List.of("car", "tv"), false, Optional.empty()),
                    new FeatureSpec("employed", "boolean", Optional.empty(), Optional.empty(), List.of(), false, Optional.empty()))));
    private static final InputLayout NAMED = new InputLayout(version(new ModelSignature(List.of(
            new TensorSpec("age", DataType.INT64, -1, 1), new TensorSpec("name", DataType.BYTES, -1, 1), new TensorSpec("image", DataType.FP32, -1, 2, 2),
            new TensorSpec("flag", DataType.BOOL, -1), new TensorSpec("small", DataType.UINT8, -1, 1)),
            List.of(new TensorSpec("label", DataType.INT64, -1))), List.of()));

    private static ModelVersion version(ModelSignature signature, List<FeatureSpec> features) {
        return new ModelVersion("fuzz", 1, "default", "onnx", new ArtifactRef("0".repeat(64), 1), signature, features, Map.of(), Map.of(),
                Lineage.none(), "", Instant.EPOCH, "tester");
    }

    @FuzzTest(maxDuration = "20s")
    void encode(byte[] input) throws Exception {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(input);
        } catch (java.io.IOException e) {
            // not JSON (or bytes Jackson takes for UTF-32 that is not): the server refuses such a body before any layout sees it,
            // which PredictBodyFuzzTest checks
            return;
        }
        if (tree == null || !tree.isArray()) {
            return;
        }
        List<JsonNode> records = new ArrayList<>();
        tree.forEach(records::add);
        for (InputLayout layout : List.of(COLUMNS, NAMED)) {
            ParsedOrRefused.check(() -> layout.encode(records, false));
            ParsedOrRefused.check(() -> layout.encode(records, true));
        }
    }
}
