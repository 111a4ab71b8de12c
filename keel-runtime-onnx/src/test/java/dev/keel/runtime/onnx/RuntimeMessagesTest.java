package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeMessagesTest {
    @Test
    void firstLine_keepsWhatTheCallerCanActOn() {
        assertThat(OnnxModelRuntime.firstLine("Got invalid dimensions for input: x for the following indices\n index: 1 Got: 4"))
                .isEqualTo("Got invalid dimensions for input: x for the following indices");
        assertThat(OnnxModelRuntime.firstLine("Status Message: /src/onnxruntime/core/session/inference_session.cc:1203"
                + " onnxruntime::InferenceSession::Initialize() graph_ != nullptr was false. Model is empty"))
                .isEqualTo("Status Message: Model is empty");
    }

    private final OnnxModelRuntime runtime = new OnnxModelRuntime();

    @Test
    void aFailureInsideOnnxRuntime_isReportedWithoutItsSourceFilesOrFunctionSignatures() {
        try (LoadedModel model = runtime.load(Fixtures.model("reshape_fails.onnx"), RuntimeOptions.defaults())) {
            assertThatThrownBy(() -> model.predict(Map.of("x", new Tensor(DataType.FP32, new long[] {1, 3}, new float[] {1, 2, 3}))))
                    .isInstanceOfSatisfying(ModelException.class, e -> {
                        assertThat(e.getCause().getMessage()).as("the fixture must make ONNX Runtime name its sources")
                                .contains("reshape_helper.h");
                        assertThat(e.getMessage()).doesNotContain("/onnxruntime_src").doesNotContain(".h:").doesNotContain("::")
                                .doesNotContain("was false")
                                .contains("Reshape node", "The input tensor cannot be reshaped to the requested shape",
                                        "Input shape:{1,3}, requested shape:{2,2}");
                    });
        }
    }
}
