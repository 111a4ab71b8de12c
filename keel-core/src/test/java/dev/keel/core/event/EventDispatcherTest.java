package dev.keel.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.event.ArtifactRejected;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.PredictionRejected;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private EventDispatcher dispatcher = new EventDispatcher(meters, 4, Duration.ofSeconds(5));

    @AfterEach
    void close() {
        dispatcher.close();
    }

    private static PredictionRejected rejected(int index) {
        return new PredictionRejected("churn", "request " + index, Instant.EPOCH.plusSeconds(index));
    }

    /** A sink that keeps what it is given, optionally only one kind, optionally on the publisher's thread. */
    private static final class TestingSink implements EventSink {
        private final List<KeelEvent> events = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final String name;
        private final Class<? extends KeelEvent> kind;
        private final boolean onPublisherThread;

        TestingSink(String name, Class<? extends KeelEvent> kind, boolean onPublisherThread) {
            this.name = name;
            this.kind = kind;
            this.onPublisherThread = onPublisherThread;
        }

        @Override
        public void accept(KeelEvent event) {
            threads.add(Thread.currentThread());
            events.add(event);
        }

        @Override
        public boolean wants(Class<? extends KeelEvent> candidate) {
            return kind.isAssignableFrom(candidate);
        }

        @Override
        public boolean onPublisherThread() {
            return onPublisherThread;
        }

        @Override
        public String name() {
            return name;
        }
    }

    @Test
    void publish_deliversToEachSinkInPublishingOrder() {
        dispatcher = new EventDispatcher(meters, 100, Duration.ofSeconds(5));
        TestingSink first = new TestingSink("first", KeelEvent.class, false);
        TestingSink second = new TestingSink("second", KeelEvent.class, false);
        dispatcher.subscribe(first);
        dispatcher.subscribe(second);

        List<PredictionRejected> published = java.util.stream.IntStream.range(0, 50).mapToObj(EventDispatcherTest::rejected).toList();
        published.forEach(dispatcher::publish);

        assertThat(dispatcher.awaitDelivered(WAIT)).isTrue();
        assertThat(first.events).containsExactlyElementsOf(published);
        assertThat(second.events).containsExactlyElementsOf(published);
        assertThat(first.threads).doesNotContain(Thread.currentThread());
        assertThat(meters.counter("keel.events.published", "kind", "PredictionRejected").count()).isEqualTo(50);
        assertThat(meters.counter("keel.events.delivered", "sink", "first").count()).isEqualTo(50);
    }

    @Test
    void publish_givesASinkOnlyTheKindsItWants() {
        TestingSink artifacts = new TestingSink("artifacts", ArtifactRejected.class, false);
        dispatcher.subscribe(artifacts);
        ArtifactRejected artifact = new ArtifactRejected("ab12", "churn:3", "its bytes hash to cd34", Instant.EPOCH);

        dispatcher.publish(rejected(1));
        dispatcher.publish(artifact);

        assertThat(dispatcher.awaitDelivered(WAIT)).isTrue();
        assertThat(artifacts.events).containsExactly(artifact);
    }

    @Test
    void publish_dropsAndCountsForTheSinkWhoseQueueIsFull_withoutBlockingOrStarvingOthers() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<KeelEvent> slowGot = new CopyOnWriteArrayList<>();
        EventSink slow = new EventSink() {
            @Override
            public void accept(KeelEvent event) {
                slowGot.add(event);
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public String name() {
                return "slow";
            }
        };
        TestingSink fast = new TestingSink("fast", KeelEvent.class, false);
        dispatcher.subscribe(slow);
        dispatcher.subscribe(fast);

        dispatcher.publish(rejected(0));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int index = 1; index <= 7; index++) {
            dispatcher.publish(rejected(index));
            // the fast sink keeps up: its queue of 4 never fills
            while (fast.events.size() < index + 1) {
                Thread.onSpinWait();
            }
        }

        assertThat(meters.counter("keel.events.dropped", "sink", "slow").count()).isEqualTo(3);
        assertThat(meters.counter("keel.events.dropped", "sink", "fast").count()).isZero();
        assertThat(meters.get("keel.events.queue.depth").tag("sink", "slow").gauge().value()).isEqualTo(4);
        assertThat(dispatcher.dropped()).isEqualTo(3);
        release.countDown();
        assertThat(dispatcher.awaitDelivered(WAIT)).isTrue();
        assertThat(slowGot).containsExactly(rejected(0), rejected(1), rejected(2), rejected(3), rejected(4));
        assertThat(fast.events).hasSize(8);
    }

    @Test
    void aFailingSink_isCountedAndDoesNotStopItselfOrOthers() {
        List<KeelEvent> afterFailure = new CopyOnWriteArrayList<>();
        dispatcher.subscribe(new EventSink() {
            @Override
            public void accept(KeelEvent event) {
                if (event.equals(rejected(0))) {
                    throw new IllegalStateException("broken sink");
                }
                afterFailure.add(event);
            }

            @Override
            public String name() {
                return "broken";
            }
        });
        TestingSink healthy = new TestingSink("healthy", KeelEvent.class, false);
        dispatcher.subscribe(healthy);

        dispatcher.publish(rejected(0));
        dispatcher.publish(rejected(1));

        assertThat(dispatcher.awaitDelivered(WAIT)).isTrue();
        assertThat(afterFailure).containsExactly(rejected(1));
        assertThat(healthy.events).containsExactly(rejected(0), rejected(1));
        assertThat(meters.counter("keel.events.failed", "sink", "broken").count()).isEqualTo(1);
    }

    @Test
    void aSinkOnThePublishersThread_seesTheEventBeforePublishReturns_andItsExceptionReachesThePublisher() {
        TestingSink inline = new TestingSink("inline", KeelEvent.class, true);
        dispatcher.subscribe(inline);

        dispatcher.publish(rejected(1));

        assertThat(inline.events).containsExactly(rejected(1));
        assertThat(inline.threads).containsExactly(Thread.currentThread());

        dispatcher.subscribe(new EventSink() {
            @Override
            public void accept(KeelEvent event) {
                throw new IllegalStateException("log is full");
            }

            @Override
            public boolean onPublisherThread() {
                return true;
            }
        });
        assertThatThrownBy(() -> dispatcher.publish(rejected(2))).hasMessage("log is full");
    }

    @Test
    void whenASinkOnThePublishersThreadFails_noOtherSinkHearsOfTheEvent() {
        TestingSink queued = new TestingSink("queued", KeelEvent.class, false);
        dispatcher.subscribe(queued);
        dispatcher.subscribe(new EventSink() {
            @Override
            public void accept(KeelEvent event) {
                throw new IllegalStateException("log is full");
            }

            @Override
            public boolean onPublisherThread() {
                return true;
            }
        });

        assertThatThrownBy(() -> dispatcher.publish(rejected(1))).hasMessage("log is full");

        assertThat(dispatcher.awaitDelivered(WAIT)).isTrue();
        assertThat(queued.events).isEmpty();
    }

    @Test
    void unsubscribe_deliversWhatIsQueuedThenGivesTheSinkNothingMore() {
        TestingSink inline = new TestingSink("inline", KeelEvent.class, true);
        TestingSink queued = new TestingSink("queued", KeelEvent.class, false);
        dispatcher.subscribe(inline);
        dispatcher.subscribe(queued);
        dispatcher.publish(rejected(1));

        dispatcher.unsubscribe(inline);
        dispatcher.unsubscribe(queued);
        dispatcher.publish(rejected(2));

        assertThat(inline.events).containsExactly(rejected(1));
        assertThat(queued.events).containsExactly(rejected(1));
    }

    @Test
    void close_deliversWhatIsQueued_andLaterEventsAreDropped() {
        dispatcher = new EventDispatcher(meters, 1_000, Duration.ofSeconds(10));
        TestingSink sink = new TestingSink("sink", KeelEvent.class, false);
        dispatcher.subscribe(sink);
        for (int index = 0; index < 500; index++) {
            dispatcher.publish(rejected(index));
        }

        dispatcher.close();

        assertThat(sink.events).hasSize(500);
        dispatcher.publish(rejected(500));
        assertThat(meters.counter("keel.events.dropped", "sink", "sink").count()).isEqualTo(1);
        assertThatThrownBy(() -> dispatcher.subscribe(new TestingSink("late", KeelEvent.class, false)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("late");
    }
}
