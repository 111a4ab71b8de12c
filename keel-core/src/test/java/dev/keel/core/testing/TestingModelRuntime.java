package dev.keel.core.testing;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model runtime for tests that do not need a real one: it accepts any artifact that starts with {@link #MARKER} and
 * reports the fixed {@link #SIGNATURE} (one FP32 input {@code input} of shape [-1, 11], like the credit-g model);
 * anything else is refused as a model of the wrong format. Loaded models score every row as probability 0.5.
 */
public final class TestingModelRuntime implements ModelRuntime {
    /** The bytes every artifact this runtime accepts starts with. */
    public static final byte[] MARKER = "KEEL-TESTING-MODEL\n".getBytes(StandardCharsets.US_ASCII);
    /** The signature of every accepted artifact. */
    public static final ModelSignature SIGNATURE = new ModelSignature(
            List.of(new TensorSpec("input", DataType.FP32, -1, 11)),
            List.of(new TensorSpec("probabilities", DataType.FP32, -1, 2)));

    private final String format;

    /** A runtime for the format {@code onnx}. */
    public TestingModelRuntime() {
        this("onnx");
    }

    public TestingModelRuntime(String format) {
        this.format = Objects.requireNonNull(format, "format");
    }

    /** An artifact this runtime accepts; different labels give different bytes (and so different artifacts). */
    public static byte[] artifact(String label) {
        byte[] tail = label.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(MARKER, MARKER.length + tail.length);
        System.arraycopy(tail, 0, bytes, MARKER.length, tail.length);
        return bytes;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public ModelSignature inspect(byte[] artifact) {
        if (artifact.length < MARKER.length || !Arrays.equals(artifact, 0, MARKER.length, MARKER, 0, MARKER.length)) {
            throw new ModelException("not a testing model: the artifact does not start with the testing marker", true);
        }
        return SIGNATURE;
    }

    @Override
    public LoadedModel load(byte[] artifact, RuntimeOptions options) {
        ModelSignature signature = inspect(artifact);
        return new LoadedModel() {
            @Override
            public ModelSignature signature() {
                return signature;
            }

            @Override
            public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                Tensor input = inputs.get("input");
                if (input == null) {
                    throw new ModelException("missing input 'input'", true);
                }
                int rows = (int) input.shape()[0];
                float[] probabilities = new float[rows * 2];
                Arrays.fill(probabilities, 0.5f);
                return Map.of("probabilities", new Tensor(DataType.FP32, new long[] {rows, 2}, probabilities));
            }

            @Override
            public void close() {
            }
        };
    }
}
