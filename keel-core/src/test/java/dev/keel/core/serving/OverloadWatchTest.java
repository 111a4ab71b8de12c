package dev.keel.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.event.EndpointOverloaded;
import dev.keel.spi.event.KeelEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OverloadWatchTest {
    private final TestingClock clock = new TestingClock();
    private final List<KeelEvent> published = new CopyOnWriteArrayList<>();
    private final OverloadWatch watch = new OverloadWatch(new OverloadSettings(Duration.ofMinutes(1), 3), published::add, clock);

    @Test
    void refusalsUpToTheLimit_publishNothing_andOneMorePublishesOnceForTheWindow() {
        IntStream.range(0, 3).forEach(i -> watch.refused("churn", "churn-model"));
        assertThat(published).isEmpty();

        IntStream.range(0, 10).forEach(i -> watch.refused("churn", "churn-model"));

        assertThat(published).singleElement().isInstanceOfSatisfying(EndpointOverloaded.class, event -> {
            assertThat(event.endpoint()).isEqualTo("churn");
            assertThat(event.model()).isEqualTo("churn-model");
            assertThat(event.rejected()).isEqualTo(4);
            assertThat(event.limit()).isEqualTo(3);
            assertThat(event.window()).isEqualTo(Duration.ofMinutes(1));
        });
    }

    @Test
    void aNewWindow_startsCountingAfresh_andMayPublishAgain() {
        IntStream.range(0, 4).forEach(i -> watch.refused("churn", "churn"));
        clock.advance(Duration.ofSeconds(59));
        watch.refused("churn", "churn");
        assertThat(published).hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        IntStream.range(0, 3).forEach(i -> watch.refused("churn", "churn"));
        assertThat(published).as("three in the new window are within the limit").hasSize(1);
        watch.refused("churn", "churn");
        assertThat(published).hasSize(2);
    }

    @Test
    void endpoints_areCountedApart() {
        IntStream.range(0, 3).forEach(i -> watch.refused("a", "m"));
        IntStream.range(0, 3).forEach(i -> watch.refused("b", "m"));
        assertThat(published).isEmpty();
    }

    @Test
    void concurrentRefusals_publishExactlyOnce() throws Exception {
        List<Thread> threads = IntStream.range(0, 8).mapToObj(i -> Thread.ofPlatform().start(() -> {
            for (int j = 0; j < 1_000; j++) {
                watch.refused("hot", "m");
            }
        })).toList();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(published).hasSize(1);
    }

    @Test
    void settings_defaultToFiftyPerMinute_andRefuseAZeroWindow() {
        assertThat(ServingSettings.defaults().overload()).isEqualTo(new OverloadSettings(Duration.ofMinutes(1), 50));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServingSettings.from(ConfigNode.root(java.util.Map.of("overload",
                java.util.Map.of("window", "0s")), java.util.Map.of()))).isInstanceOf(KeelException.class).hasMessageContaining("overload.window");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServingSettings.from(ConfigNode.root(java.util.Map.of("overload",
                java.util.Map.of("limits", "5")), java.util.Map.of()))).isInstanceOf(KeelException.class).hasMessageContaining("limits");
    }
}
