package dev.keel.core.training.external;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The cheap check that a model file is shaped like a serialized ONNX {@code ModelProto}. */
class OnnxShapeCheckTest {
    private static final Path FIXTURES = Path.of("..", "build", "fixtures", "models").toAbsolutePath().normalize();

    @Test
    void onnxProblem_minimalModel_isNone() {
        assertThat(RunOutputs.onnxProblem(TestingScripts.MINIMAL_ONNX)).isNull();
    }

    @Test
    void onnxProblem_realModels_areNone() throws Exception {
        Path model = FIXTURES.resolve("credit_rf.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(model), "build/fixtures/models/credit_rf.onnx is absent");
        assertThat(RunOutputs.onnxProblem(Files.readAllBytes(model))).isNull();
        assertThat(RunOutputs.onnxProblem(Files.readAllBytes(FIXTURES.resolve("scalar.onnx")))).isNull();
    }

    @Test
    void onnxProblem_negativeVarintValue_isAccepted() {
        byte[] model = {0x08, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            0x01, 0x3a, 0x00};
        assertThat(RunOutputs.onnxProblem(model)).isNull();
    }

    @Test
    void onnxProblem_unfitBytes_saySo() {
        assertThat(RunOutputs.onnxProblem("root:x:0:0:root:/root:/bin/bash\n".getBytes(StandardCharsets.US_ASCII))).isNotNull();
        assertThat(RunOutputs.onnxProblem("PK\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1))).isNotNull();
        assertThat(RunOutputs.onnxProblem(new byte[] {0x3a, 0x00})).isEqualTo("it has no ir_version");
        assertThat(RunOutputs.onnxProblem(new byte[] {0x08, 0x08})).isEqualTo("it has no graph");
        assertThat(RunOutputs.onnxProblem(new byte[] {0x08, 0x08, 0x3a, 0x05, 0x00})).contains("claims more bytes");
        assertThat(RunOutputs.onnxProblem(new byte[] {0x08, (byte) 0x88})).contains("cut off");
        assertThat(RunOutputs.onnxProblem(new byte[] {0x0b, 0x08, 0x08, 0x3a, 0x00})).contains("wire type 3");
        assertThat(RunOutputs.onnxProblem(new byte[] {0x08, 0x08, 0x3a, 0x00, 0x09, 0x01})).contains("cut off");
        assertThat(RunOutputs.onnxProblem(new byte[] {0x00, 0x08, 0x3a, 0x00})).contains("field number 0");
    }
}
