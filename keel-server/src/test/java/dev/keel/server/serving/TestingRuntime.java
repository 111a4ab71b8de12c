package dev.keel.server.serving;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runtime (format {@code testing}) whose models take the credit forest's input ({@code features} FP32 [N, 63]) and answer
 * as their artifact text says: {@code fail} (a runtime error), {@code fail-unless-zeros} (answers rows of zeros, such as a
 * promotion's smoke row, and fails on any other: a model that breaks on real traffic only), {@code sleep:MILLIS} (answer
 * late), {@code constant:P} (probabilities [1 - P, P]) or {@code fail-labelled} (declares a label and probabilities, and fails).
 */
public final class TestingRuntime implements ModelRuntime {
    static final AtomicInteger OPEN = new AtomicInteger();
    private static final ModelSignature SIGNATURE = new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, 63)),
            List.of(new TensorSpec("probabilities", DataType.FP32, -1, 2)));
    /** The signature of {@code fail-labelled}: a classifier's label and probabilities, like the credit forest's. */
    private static final ModelSignature LABELLED = new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, 63)),
            List.of(new TensorSpec("label", DataType.INT64, -1), new TensorSpec("probabilities", DataType.FP32, -1, 2)));

    @Override
    public String format() {
        return "testing";
    }

    @Override
    public ModelSignature inspect(byte[] artifact) {
        return signature(behaviour(artifact));
    }

    private static ModelSignature signature(String behaviour) {
        return behaviour.equals("fail-labelled") ? LABELLED : SIGNATURE;
    }

    @Override
    public LoadedModel load(byte[] artifact, RuntimeOptions options) {
        String behaviour = behaviour(artifact);
        OPEN.incrementAndGet();
        return new LoadedModel() {
            @Override
            public ModelSignature signature() {
                return TestingRuntime.signature(behaviour);
            }

            @Override
            public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                int rows = (int) inputs.get("features").shape()[0];
                if (behaviour.equals("fail") || behaviour.equals("fail-labelled")) {
                    throw new ModelException("testing model fails on purpose", false);
                }
                float p = 0.5f;
                if (behaviour.equals("fail-unless-zeros")) {
                    for (float value : (float[]) inputs.get("features").data()) {
                        if (value != 0) {
                            throw new ModelException("testing model fails on purpose on rows other than zeros", false);
                        }
                    }
                }
                if (behaviour.startsWith("sleep:")) {
                    try {
                        Thread.sleep(Long.parseLong(behaviour.substring(6)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (behaviour.startsWith("constant:")) {
                    p = Float.parseFloat(behaviour.substring("constant:".length()));
                }
                float[] data = new float[rows * 2];
                for (int row = 0; row < rows; row++) {
                    data[2 * row] = 1 - p;
                    data[2 * row + 1] = p;
                }
                return Map.of("probabilities", new Tensor(DataType.FP32, new long[] {rows, 2}, data));
            }

            @Override
            public void close() {
                OPEN.decrementAndGet();
            }
        };
    }

    private static String behaviour(byte[] artifact) {
        String text = new String(artifact, StandardCharsets.UTF_8).strip();
        if (!List.of("fail", "fail-unless-zeros", "fail-labelled").contains(text) && !text.matches("sleep:\\d+") && !text.matches("constant:[0-9.]+")) {
            throw new ModelException("not a testing model: '" + text + "'", true);
        }
        return text;
    }
}
