package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's faulty model, run in real ONNX Runtime: the same answers below the bound, a run-time failure at or above it. */
class FaultyModelTest {
    private static final Path FOREST = Path.of("..", "build", "fixtures", "models", "credit_rf.onnx");

    private static float[][] run(OrtSession session, float[] row) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OnnxTensor input = OnnxTensor.createTensor(environment, new float[][] {row});
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            return (float[][]) result.get(1).getValue();
        }
    }

    @Test
    void failsOnlyForRowsAtOrAboveTheBound() throws Exception {
        byte[] original = Files.readAllBytes(FOREST);
        byte[] faulty = FaultyModel.failingAtOrAbove(original, 4, 48);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        float[] young = new float[63];
        young[4] = 35;
        float[] old = young.clone();
        old[4] = 67;
        try (OrtSession plain = environment.createSession(original); OrtSession wrapped = environment.createSession(faulty)) {
            assertThat(run(wrapped, young)).isDeepEqualTo(run(plain, young));
            assertThatThrownBy(() -> run(wrapped, old)).isInstanceOf(OrtException.class).hasMessageContaining("out of");
            assertThat(run(plain, old)).isNotNull();
        }
    }

    @Test
    void keelsRuntimeCallsItAModelFailure_notRefusedInputs() throws Exception {
        byte[] faulty = FaultyModel.failingAtOrAbove(Files.readAllBytes(FOREST), 4, 48);
        float[] old = new float[63];
        old[4] = 67;
        try (dev.keel.spi.LoadedModel model = new dev.keel.runtime.onnx.OnnxModelRuntime().load(faulty, dev.keel.spi.RuntimeOptions.defaults())) {
            assertThatThrownBy(() -> model.predict(Map.of(model.signature().inputs().getFirst().name(),
                    new dev.keel.spi.Tensor(dev.keel.spi.DataType.FP32, new long[] {1, 63}, old))))
                    .isInstanceOfSatisfying(dev.keel.spi.ModelException.class, e -> assertThat(e.badInput()).isFalse());
        }
    }
}
