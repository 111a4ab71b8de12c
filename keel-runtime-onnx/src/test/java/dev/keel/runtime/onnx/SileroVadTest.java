package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Silero VAD v5: a real third-party model with a scalar int64 input and a recurrent state. */
class SileroVadTest {
    private static final String FILE = "silero_vad_v5.onnx";
    private static final int CHUNK = 512;
    private final OnnxModelRuntime runtime = new OnnxModelRuntime();

    @BeforeEach
    void requireModel() {
        Fixtures.require(FILE, "run build/fixtures/models/make_models.py (needs npm) to fetch it");
    }

    @Test
    void inspect_readsThreeInputsIncludingAScalar() {
        ModelSignature signature = runtime.inspect(Fixtures.model(FILE));

        assertThat(signature.inputs()).containsExactlyInAnyOrder(
                new TensorSpec("input", DataType.FP32, -1, -1),
                new TensorSpec("state", DataType.FP32, 2, -1, 128),
                new TensorSpec("sr", DataType.INT64));
        assertThat(signature.outputs()).extracting(TensorSpec::name).containsExactlyInAnyOrder("output", "stateN");
    }

    @Test
    void predict_scoresSpeechHigherThanSilenceAndCarriesState() {
        try (LoadedModel model = runtime.load(Fixtures.model(FILE), RuntimeOptions.defaults())) {
            Tensor state = new Tensor(DataType.FP32, new long[] {2, 1, 128}, new float[256]);
            Map<String, Tensor> silence = model.predict(inputs(new float[CHUNK], state));
            Tensor stateAfterSilence = silence.get("stateN");
            float silent = ((float[]) silence.get("output").data())[0];

            float voiced = 0;
            Tensor carried = state;
            for (int chunk = 0; chunk < 8; chunk++) {
                Map<String, Tensor> outputs = model.predict(inputs(vowel(chunk), carried));
                carried = outputs.get("stateN");
                voiced = ((float[]) outputs.get("output").data())[0];
            }

            assertThat(silence.get("output").shape()).containsExactly(1, 1);
            assertThat(stateAfterSilence.shape()).containsExactly(2, 1, 128);
            assertThat(silent).isBetween(0f, 0.1f);
            assertThat(voiced).isGreaterThan(silent);
            assertThat(carried).isNotEqualTo(stateAfterSilence);
        }
    }

    private static Map<String, Tensor> inputs(float[] samples, Tensor state) {
        return Map.of(
                "input", new Tensor(DataType.FP32, new long[] {1, CHUNK}, samples),
                "state", state,
                "sr", new Tensor(DataType.INT64, new long[0], new long[] {16_000}));
    }

    /** A crude voiced sound: a 140 Hz glottal pulse train shaped by formant-like harmonics, at 16 kHz. */
    private static float[] vowel(int chunk) {
        float[] samples = new float[CHUNK];
        for (int i = 0; i < CHUNK; i++) {
            double t = (chunk * CHUNK + i) / 16_000.0;
            double value = 0;
            for (int harmonic = 1; harmonic <= 25; harmonic++) {
                double frequency = 140.0 * harmonic;
                double formants = Math.exp(-Math.pow((frequency - 700) / 200, 2)) + 0.6 * Math.exp(-Math.pow((frequency - 1200) / 250, 2))
                        + 0.3 * Math.exp(-Math.pow((frequency - 2600) / 300, 2)) + 0.05;
                value += formants * Math.sin(2 * Math.PI * frequency * t) / harmonic;
            }
            samples[i] = (float) (0.3 * value);
        }
        return samples;
    }
}
