package dev.keel.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Model artifacts for tests. */
public final class TestModels {
    /** Class-path location of the committed credit-g logistic regression (see models/README.md in the test resources). */
    public static final String CREDIT_G_ONNX = "models/credit-g-lr.onnx";
    /** The SHA-256 of {@link #CREDIT_G_ONNX}. */
    public static final String CREDIT_G_ONNX_SHA256 = "04eb644fa102131bbe548bd30721fc92e006e4412e8ccc17810c06d602c19f99";

    private TestModels() {
    }

    /** The bytes of a real ONNX model: logistic regression on German credit, FP32 input {@code input} of shape [-1, 11]. */
    public static byte[] creditGOnnx() {
        try (InputStream in = TestModels.class.getClassLoader().getResourceAsStream(CREDIT_G_ONNX)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + CREDIT_G_ONNX);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
