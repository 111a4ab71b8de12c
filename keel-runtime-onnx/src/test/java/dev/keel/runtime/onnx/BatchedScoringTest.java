package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.serving.engine.ScoringConfig;
import dev.keel.core.serving.engine.ScoringMetrics;
import dev.keel.core.serving.engine.ScoringPool;
import dev.keel.core.serving.engine.ScoringRequest;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The scoring engine in front of the real forest: batched answers are the unbatched ones, bit for bit. */
class BatchedScoringTest {
    private final OnnxModelRuntime runtime = new OnnxModelRuntime();

    @Test
    void batchedAnswersEqualUnbatchedOnesForTheZipMapForest() throws Exception {
        List<Fixtures.CreditRow> rows = Fixtures.creditReference();
        List<int[]> batches = Collections.synchronizedList(new ArrayList<>());
        ScoringMetrics metrics = new ScoringMetrics() {
            @Override
            public void batch(String modelKey, int requests, int rowCount, long nanos) {
                batches.add(new int[] {requests, rowCount});
            }
        };
        try (LoadedModel forest = runtime.load(Fixtures.model("credit_rf_zipmap.onnx"), RuntimeOptions.defaults());
                ScoringPool pool = ScoringPool.start(new ScoringConfig(1, 1024, true, 32, Duration.ZERO), metrics)) {
            HeldModel held = new HeldModel(forest);
            List<Map<String, Tensor>> inputs = new ArrayList<>();
            for (int i = 0; i < rows.size(); i += 1 + i % 2) {
                inputs.add(Map.of("features", CreditForestTest.batch(rows.subList(i, Math.min(rows.size(), i + 1 + i % 2)))));
            }
            List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
            answers.add(pool.submit(new ScoringRequest("credit:1", held, inputs.getFirst())));
            held.entered.await();
            for (Map<String, Tensor> input : inputs.subList(1, inputs.size())) {
                answers.add(pool.submit(new ScoringRequest("credit:1", held, input)));
            }
            held.release.countDown();

            for (int i = 0; i < inputs.size(); i++) {
                assertThat(answers.get(i).join()).as("request %d", i).isEqualTo(forest.predict(inputs.get(i)));
            }
            assertThat(batches).anySatisfy(batch -> assertThat(batch[0]).isGreaterThan(10))
                    .allSatisfy(batch -> assertThat(batch[1]).isLessThanOrEqualTo(32));
        }
    }

    /** Holds the first call so that the rest queue up behind it. */
    private static final class HeldModel implements LoadedModel {
        private final LoadedModel delegate;
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        HeldModel(LoadedModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public ModelSignature signature() {
            return delegate.signature();
        }

        @Override
        public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.predict(inputs);
        }

        @Override
        public void close() {
        }
    }
}
