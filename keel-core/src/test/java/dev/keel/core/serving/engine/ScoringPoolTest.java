package dev.keel.core.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.ModelException;
import dev.keel.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScoringPoolTest {
    private static final Duration NO_DELAY = Duration.ZERO;
    private final TestingMetrics metrics = new TestingMetrics();
    private final List<ScoringPool> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(ScoringPool::close);
    }

    private ScoringPool pool(int workers, int capacity, boolean batching, int maxRows, Duration maxDelay) {
        ScoringPool pool = ScoringPool.start(new ScoringConfig(workers, capacity, batching, maxRows, maxDelay), metrics);
        pools.add(pool);
        return pool;
    }

    private static ScoringRequest request(TestingModel model, float... pairs) {
        return new ScoringRequest("m:1", model, TestingModel.rows(pairs));
    }

    private static float[] y(CompletableFuture<Map<String, Tensor>> answer) {
        return (float[]) answer.join().get("y").data();
    }

    @Test
    void inline_fastModelScoresOnTheCallersThreadOnceItsCostIsKnownAndOnlyWhenNothingIsQueued() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = ScoringPool.start(new ScoringConfig(1, 100, true, 32, NO_DELAY, true), metrics);
        pools.add(pool);

        assertThat(y(pool.submit(request(model, 1, 2)))).isEqualTo(TestingModel.expected(1, 2));
        assertThat(model.lastThread()).as("the first call measures the model on a scoring thread").isNotEqualTo(Thread.currentThread());

        assertThat(y(pool.submit(request(model, 3, 4)))).isEqualTo(TestingModel.expected(3, 4));
        assertThat(model.lastThread()).as("a known-fast model on an idle pool scores inline").isEqualTo(Thread.currentThread());

        TestingModel.Gate gate = model.holdNextCall();
        CompletableFuture<Map<String, Tensor>> held = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> pool.submit(request(model, 5, 6)).join(), java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        gate.awaitEntered();
        CompletableFuture<Map<String, Tensor>> queuedBehind = pool.submit(request(model, 7, 8));
        gate.release();
        assertThat(y(held)).isEqualTo(TestingModel.expected(5, 6));
        assertThat(y(queuedBehind)).isEqualTo(TestingModel.expected(7, 8));
    }

    @Test
    void batching_coalescesQueuedRequestsAndAnswersAsIfUnbatched() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        CompletableFuture<Map<String, Tensor>> blocker = pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        List<float[]> inputs = new ArrayList<>();
        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            float[] pairs = new float[2 * (1 + i % 3)];
            for (int j = 0; j < pairs.length; j++) {
                pairs[j] = i * 10 + j;
            }
            inputs.add(pairs);
            answers.add(pool.submit(request(model, pairs)));
        }
        gate.release();

        assertThat(y(blocker)).containsExactly(0f);
        for (int i = 0; i < inputs.size(); i++) {
            Map<String, Tensor> answer = answers.get(i).join();
            assertThat((float[]) answer.get("y").data()).as("request %d", i).containsExactly(TestingModel.expected(inputs.get(i)));
            assertThat(answer.get("y").shape()).containsExactly(inputs.get(i).length / 2);
            assertThat((String[]) answer.get("y:labels").data()).containsExactly("low", "high");
        }
        assertThat(model.callRows()).containsExactly(1, 19);
        assertThat(metrics.batches).extracting(batch -> batch[0]).containsExactly(1, 10);
    }

    @Test
    void batching_neverExceedsMaxBatchRows() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 8, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(pool.submit(request(model, i, 1, i, 2, i, 3)));
        }
        gate.release();
        answers.forEach(CompletableFuture::join);

        assertThat(model.callRows()).containsExactly(1, 6, 6, 6);
    }

    @Test
    void batchPolicy_capsRowsBelowThePoolsLimit() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        BatchPolicy policy = new BatchPolicy(true, 4, java.util.Optional.empty());
        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(pool.submit(new ScoringRequest("m", model, TestingModel.rows(i, 1, i, 2), policy)));
        }
        gate.release();
        answers.forEach(CompletableFuture::join);

        assertThat(model.callRows()).containsExactly(1, 4, 4, 4);
    }

    @Test
    void batchPolicyOff_scoresThatRequestAloneInABatchingPool() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(pool.submit(new ScoringRequest("m", model, TestingModel.rows(i, i), BatchPolicy.off())));
        }
        gate.release();
        answers.forEach(CompletableFuture::join);

        assertThat(model.callRows()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void batchingOff_scoresEachRequestAlone() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, false, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(pool.submit(request(model, i, i)));
        }
        gate.release();

        for (int i = 0; i < 5; i++) {
            assertThat(y(answers.get(i))).containsExactly(3f * i);
        }
        assertThat(model.callRows()).containsExactly(1, 1, 1, 1, 1, 1);
    }

    @Test
    void batching_leavesModelsWithAFixedLeadingDimensionAlone() throws Exception {
        TestingModel model = TestingModel.fixedSingleRow();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(pool.submit(request(model, 1, i)));
        }
        gate.release();
        answers.forEach(CompletableFuture::join);

        assertThat(model.callRows()).containsExactly(1, 1, 1, 1, 1);
    }

    @Test
    void batching_neverMixesModels() throws Exception {
        TestingModel first = TestingModel.batchable();
        TestingModel second = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = first.holdNextCall();
        pool.submit(request(first, 0, 0));
        gate.awaitEntered();

        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(pool.submit(request(i % 2 == 0 ? first : second, i, 0)));
        }
        gate.release();
        for (int i = 0; i < 6; i++) {
            assertThat(y(answers.get(i))).containsExactly(2f * i);
        }

        assertThat(first.callRows()).containsExactly(1, 3);
        assertThat(second.callRows()).containsExactly(3);
    }

    @Test
    void batching_scoresAloneAgainWhenOneRequestFailsSoOnlyThatOneFails() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        CompletableFuture<Map<String, Tensor>> good = pool.submit(request(model, 1, 2));
        CompletableFuture<Map<String, Tensor>> bad = pool.submit(request(model, Float.NaN, 2));
        CompletableFuture<Map<String, Tensor>> alsoGood = pool.submit(request(model, 3, 4));
        gate.release();

        assertThat(y(good)).containsExactly(4f);
        assertThat(y(alsoGood)).containsExactly(10f);
        assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isTrue());
        assertThat(model.callRows()).containsExactly(1, 3, 1, 1, 1);
    }

    @Test
    void maxDelay_holdsABatchOpenUntilItIsFull() {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 8, Duration.ofSeconds(1));
        List<CompletableFuture<Map<String, Tensor>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(pool.submit(request(model, i, 0, i, 1)));
        }
        answers.forEach(CompletableFuture::join);

        assertThat(model.callRows()).containsExactly(8);
    }

    @Test
    void submit_rejectsAtOnceWhenTheQueueIsFullWithARetryHint() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 2, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        pool.submit(request(model, 0, 0));
        gate.awaitEntered();
        pool.submit(request(model, 1, 1));
        pool.submit(request(model, 2, 2));

        assertThatThrownBy(() -> pool.submit(request(model, 3, 3)))
                .isInstanceOfSatisfying(ScoringOverloadedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
                    assertThat(e.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
                    assertThat(e.extensions()).containsEntry("retryAfterSeconds", e.retryAfter().toSeconds());
                })
                .hasMessageContaining("all 2 places in the scoring queue are taken");
        assertThat(metrics.rejected).hasValue(1);
        gate.release();
    }

    @Test
    void submit_failsWithATimeoutAndNeverScoresTheExpiredRequest() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(1, 100, true, 32, NO_DELAY);
        TestingModel.Gate gate = model.holdNextCall();
        CompletableFuture<Map<String, Tensor>> blocker = pool.submit(request(model, 0, 0));
        gate.awaitEntered();

        CompletableFuture<Map<String, Tensor>> late = pool.submit(request(model, 5, 5), Duration.ofMillis(20));
        assertThatThrownBy(late::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ScoringTimeoutException.class).hasMessage("model 'm:1' did not answer within 20 ms");
        assertThat(pool.queued()).isZero();
        gate.release();
        blocker.join();
        CompletableFuture<Map<String, Tensor>> after = pool.submit(request(model, 1, 1), Duration.ofMinutes(1));

        assertThat(y(after)).containsExactly(3f);
        assertThat(model.callRows()).containsExactly(1, 1);
        assertThat(metrics.timedOut).hasValue(1);
    }

    @Test
    void score_returnsTheAnswerOrRaisesTheModelsFailure() {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(2, 100, true, 32, NO_DELAY);

        assertThat((float[]) pool.score(request(model, 1, 1, 2, 2), Duration.ofMinutes(1)).get("y").data()).containsExactly(3f, 6f);
        assertThatThrownBy(() -> pool.score(request(model, Float.NaN, 1), Duration.ofMinutes(1)))
                .isInstanceOf(ModelException.class).hasMessage("input 'x' holds NaN");
    }

    @Test
    void metrics_recordQueueWaitOfEveryRequest() {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = pool(2, 100, true, 32, NO_DELAY);
        for (int i = 0; i < 5; i++) {
            pool.score(request(model, i, i), Duration.ofMinutes(1));
        }

        assertThat(metrics.queueWaits).hasSize(5).allSatisfy(nanos -> assertThat(nanos).isNotNegative());
        assertThat(metrics.batches).hasSize(5).allSatisfy(batch -> assertThat(batch).containsExactly(1, 1));
    }

    @Test
    void close_failsQueuedRequestsAndRefusesNewOnes() throws Exception {
        TestingModel model = TestingModel.batchable();
        ScoringPool pool = ScoringPool.start(new ScoringConfig(1, 100, true, 32, NO_DELAY), metrics);
        TestingModel.Gate gate = model.holdNextCall();
        CompletableFuture<Map<String, Tensor>> running = pool.submit(request(model, 1, 0));
        gate.awaitEntered();
        CompletableFuture<Map<String, Tensor>> queued = pool.submit(request(model, 2, 0));

        Thread closer = Thread.ofPlatform().start(pool::close);
        assertThatThrownBy(queued::get).cause().isInstanceOf(KeelException.class).hasMessageContaining("shut down");
        gate.release();
        closer.join();

        assertThat(y(running)).containsExactly(2f);
        assertThatThrownBy(() -> pool.submit(request(model, 3, 0)))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void config_namesTheInvalidKey() {
        assertThatThrownBy(() -> new ScoringConfig(0, 10, true, 32, NO_DELAY))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessage("serving.workers must be between 1 and 1024, got 0");
        assertThatThrownBy(() -> new ScoringConfig(1, 10, true, 32, Duration.ofMillis(-1)))
                .hasMessage("serving.max-delay must be between 0 and 1s, got PT-0.001S");
    }
}
