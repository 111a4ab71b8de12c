package dev.keel.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.testing.TestingModelRuntime;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PromotionCheckLimitTest {
    private final CountDownLatch release = new CountDownLatch(1);

    /** Loads like the testing runtime; scoring blocks until the test releases it, as a hung native call would. */
    private final class TestingHangingRuntime implements ModelRuntime {
        private final TestingModelRuntime testing = new TestingModelRuntime();

        @Override
        public String format() {
            return "onnx";
        }

        @Override
        public ModelSignature inspect(byte[] artifact) {
            return testing.inspect(artifact);
        }

        @Override
        public LoadedModel load(byte[] artifact, RuntimeOptions options) {
            LoadedModel model = testing.load(artifact, options);
            return new LoadedModel() {
                @Override
                public ModelSignature signature() {
                    return model.signature();
                }

                @Override
                public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return model.predict(inputs);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void aVersionThatDoesNotAnswerWithinTheLimit_isAProblemAndTheCheckDoesNotWaitForIt() {
        PromotionCheck check = new PromotionCheck(new ModelRuntimes(List.of(new TestingHangingRuntime())), Duration.ofMillis(50));
        ModelVersion version = new ModelVersion("churn", 1, "default", "onnx", new ArtifactRef("0".repeat(64), 1), TestingModelRuntime.SIGNATURE,
                List.of(), Map.of(), Map.of(), Lineage.none(), "", Instant.EPOCH, "tester");

        try {
            assertThat(check.problem(version, ignored -> TestingModelRuntime.artifact("hangs"))).hasValueSatisfying(problem ->
                    assertThat(problem).contains("within 50 ms"));
        } finally {
            release.countDown();
        }
    }
}
