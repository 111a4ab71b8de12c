package dev.keel.server.serving;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.serving.InputLimits;
import dev.keel.core.testing.ParsedOrRefused;

/**
 * Fuzzes the body of {@code POST /v1/endpoints/{name}/predict}: records ({@code instances}) or columns, read under small limits
 * so that the 413 path is reached too; records, or a 4xx refusal, never another exception.
 */
class PredictBodyFuzzTest {
    private static final InputLimits LIMITS = new InputLimits(1_000, 10_000);

    @FuzzTest(maxDuration = "20s")
    void predict(byte[] input) throws Exception {
        ParsedOrRefused.check(() -> EndpointRoutes.predictInput(Bodies.read(input, LIMITS), LIMITS));
    }
}
