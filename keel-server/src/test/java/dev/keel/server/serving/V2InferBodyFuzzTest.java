package dev.keel.server.serving;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.serving.InputLimits;
import dev.keel.core.testing.ParsedOrRefused;

/**
 * Fuzzes the body of an Open Inference Protocol v2 {@code infer} call: the fast reader of the common shape ({@link V2Body}),
 * then the JSON tree for anything else; tensors, or a 4xx refusal, never another exception.
 */
class V2InferBodyFuzzTest {
    private static final InputLimits LIMITS = new InputLimits(1_000, 10_000);

    @FuzzTest(maxDuration = "20s")
    void infer(byte[] input) throws Exception {
        ParsedOrRefused.check(() -> V2Routes.readInfer(input, LIMITS));
    }
}
