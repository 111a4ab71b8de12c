package dev.keel.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.testing.TestingClock;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.ShadowDisagreed;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ShadowWatchTest {
    private final TestingClock clock = new TestingClock();
    private final List<KeelEvent> published = new CopyOnWriteArrayList<>();
    private final ShadowWatch watch = new ShadowWatch(new ShadowSettings(10, 0.2, 0.05), published::add, clock);

    private static Map<String, Tensor> answer(long label, float probability) {
        return Map.of("label", new Tensor(DataType.INT64, new long[] {1}, new long[] {label}),
                "probabilities", new Tensor(DataType.FP32, new long[] {1, 2}, new float[] {1 - probability, probability}));
    }

    private void compare(Map<String, Tensor> main, Optional<Map<String, Tensor>> shadow, int times) {
        for (int i = 0; i < times; i++) {
            watch.compared("churn", "churn", 3, 4, main, shadow);
        }
    }

    @Test
    void agreement_isTheSameLabelAndProbabilitiesWithinTheTolerance() {
        assertThat(ShadowWatch.agree(answer(1, 0.70f), answer(1, 0.74f), 0.05)).isTrue();
        assertThat(ShadowWatch.agree(answer(1, 0.70f), answer(1, 0.80f), 0.05)).as("probabilities 0.1 apart").isFalse();
        assertThat(ShadowWatch.agree(answer(1, 0.70f), answer(0, 0.70f), 0.05)).as("another label").isFalse();
        assertThat(ShadowWatch.agree(answer(1, 0.70f), Map.of("label", answer(1, 0.7f).get("label")), 0.05)).as("an output missing")
                .isFalse();
        assertThat(ShadowWatch.agree(answer(1, Float.NaN), answer(1, Float.NaN), 0.05)).as("NaN agrees with nothing").isFalse();
    }

    @Test
    void disagreementsUpToTheLimit_publishNothing() {
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 2);
        compare(answer(1, 0.7f), Optional.of(answer(1, 0.7f)), 30);
        assertThat(published).isEmpty();
    }

    @Test
    void aShareOverTheLimit_publishesOnceTheWindowIsFull_thenAtMostOncePerWindowOfComparisons() {
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 9);
        assertThat(published).as("nine comparisons do not fill the window of ten").isEmpty();

        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 1);
        assertThat(published).singleElement().isInstanceOfSatisfying(ShadowDisagreed.class, event -> {
            assertThat(event.endpoint()).isEqualTo("churn");
            assertThat(event.mainVersion()).isEqualTo(3);
            assertThat(event.shadowVersion()).isEqualTo(4);
            assertThat(event.disagreements()).isEqualTo(10);
            assertThat(event.comparisons()).isEqualTo(10);
            assertThat(event.limit()).isEqualTo(0.2);
        });

        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 9);
        assertThat(published).hasSize(1);
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 1);
        assertThat(published).hasSize(2);
    }

    @Test
    void aShadowThatFails_disagrees() {
        compare(answer(1, 0.7f), Optional.empty(), 10);
        assertThat(published).singleElement().isInstanceOf(ShadowDisagreed.class);
    }

    @Test
    void oldComparisonsLeaveTheWindow() {
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 2);
        compare(answer(1, 0.7f), Optional.of(answer(1, 0.7f)), 10);
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 2);
        assertThat(published).as("the first two disagreements left the window: 2 of the last 10").isEmpty();
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 1);
        assertThat(published).as("3 of the last 10 disagree").hasSize(1);
    }

    @Test
    void aNewShadowVersion_startsANewWindow() {
        compare(answer(1, 0.7f), Optional.of(answer(0, 0.3f)), 9);
        watch.compared("churn", "churn", 3, 5, answer(1, 0.7f), Optional.of(answer(0, 0.3f)));
        assertThat(published).isEmpty();
    }
}
