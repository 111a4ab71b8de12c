package dev.keel.core.event;

import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands published events to the sinks that want them: on the publisher's thread for sinks that ask for it, else through a
 * bounded queue per sink drained in batches by the sink's own delivery thread. {@link #publish} never waits for an
 * asynchronous sink; an event that finds a sink's queue full is dropped for that sink and counted.
 *
 * <p>Metrics: {@code keel.events.published} (by kind), {@code keel.events.delivered}, {@code keel.events.dropped},
 * {@code keel.events.failed} and the gauge {@code keel.events.queue.depth}, each by sink.
 */
public final class EventDispatcher implements EventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    private static final int BATCH = 1_000;
    private static final long IDLE_MILLIS = 5;

    private final MeterRegistry meters;
    private final int capacity;
    private final Duration grace;
    private final List<EventSink> synchronous = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ClassValue<Counter> published;
    private volatile boolean closed;

    /**
     * @param capacity the queue size of each asynchronous sink
     * @param grace how long {@link #close()} waits for queued events to be delivered
     */
    public EventDispatcher(MeterRegistry meters, int capacity, Duration grace) {
        this.meters = Objects.requireNonNull(meters, "meters");
        if (capacity < 1) {
            throw new IllegalArgumentException("event queue capacity must be at least 1; got " + capacity);
        }
        this.capacity = capacity;
        this.grace = Objects.requireNonNull(grace, "grace");
        this.published = new ClassValue<>() {
            @Override
            protected Counter computeValue(Class<?> kind) {
                return Counter.builder("keel.events.published").tag("kind", kind.getSimpleName()).register(meters);
            }
        };
    }

    /** Starts giving the sink the events it wants; an asynchronous sink gets its queue and delivery thread now. */
    public void subscribe(EventSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (closed) {
            throw new IllegalStateException("the event dispatcher is closed; cannot subscribe " + sink.name());
        }
        if (sink.onPublisherThread()) {
            synchronous.add(sink);
        } else {
            subscriptions.add(new Subscription(sink));
        }
    }

    /** Same as {@link #publish}: the dispatcher is the sink publishers are given. */
    @Override
    public void accept(KeelEvent event) {
        publish(event);
    }

    /**
     * Calls the sinks that run on the publisher's thread, then queues the event for each asynchronous sink that wants it,
     * never blocking on those. An exception of a publisher-thread sink reaches the caller and the event goes no further:
     * a prediction the durable log could not write is not answered, so no other sink hears of it.
     */
    public void publish(KeelEvent event) {
        Class<? extends KeelEvent> kind = event.getClass();
        published.get(kind).increment();
        for (EventSink sink : synchronous) {
            if (sink.wants(kind)) {
                sink.accept(event);
            }
        }
        for (Subscription subscription : subscriptions) {
            if (subscription.sink.wants(kind)) {
                subscription.offer(event);
            }
        }
    }

    /** Stops giving the sink events; an asynchronous sink is first given what is queued for it, within the grace. */
    public void unsubscribe(EventSink sink) {
        synchronous.remove(sink);
        for (Subscription subscription : subscriptions) {
            if (subscription.sink == sink) {
                subscriptions.remove(subscription);
                subscription.stop(System.nanoTime() + grace.toNanos());
            }
        }
    }

    /** Events dropped so far because a sink's queue was full (or the dispatcher closed), over all sinks. */
    public long dropped() {
        long total = 0;
        for (Subscription subscription : subscriptions) {
            total += (long) subscription.dropped.count();
        }
        return total;
    }

    /** Stops taking events, delivers what is queued within the grace, then stops the delivery threads. */
    @Override
    public void close() {
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        for (Subscription subscription : subscriptions) {
            subscription.awaitEnd(deadline);
        }
    }

    /** One asynchronous sink: its queue, its delivery thread and its meters. */
    private final class Subscription {
        private final EventSink sink;
        private final ArrayBlockingQueue<KeelEvent> queue = new ArrayBlockingQueue<>(capacity);
        private final Counter delivered;
        private final Counter dropped;
        private final Counter failed;
        private final Thread thread;
        /** Rounds of the delivery loop completed; written by the delivery thread only. */
        private volatile long rounds;
        private volatile boolean stopped;

        Subscription(EventSink sink) {
            this.sink = sink;
            String name = sink.name();
            this.delivered = Counter.builder("keel.events.delivered").tag("sink", name).register(meters);
            this.dropped = Counter.builder("keel.events.dropped").tag("sink", name).register(meters);
            this.failed = Counter.builder("keel.events.failed").tag("sink", name).register(meters);
            Gauge.builder("keel.events.queue.depth", queue, ArrayBlockingQueue::size).tag("sink", name).register(meters);
            this.thread = Thread.ofPlatform().name("keel-events-" + name).daemon(true).start(this::deliver);
        }

        void offer(KeelEvent event) {
            if (closed || !queue.offer(event)) {
                if (dropped.count() % 1_000 == 0) {
                    LOG.warn("event sink {} is behind; dropped {} events so far", sink.name(), (long) dropped.count() + 1);
                }
                dropped.increment();
            }
        }

        /**
         * Delivers queued events in batches. Sleeping between looks, rather than waiting on the queue, means a publisher
         * never has to wake this thread.
         */
        private void deliver() {
            List<KeelEvent> batch = new ArrayList<>(Math.min(BATCH, capacity));
            while (true) {
                rounds++;
                queue.drainTo(batch, BATCH);
                if (batch.isEmpty()) {
                    if (closed || stopped) {
                        return;
                    }
                    try {
                        Thread.sleep(IDLE_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                for (KeelEvent event : batch) {
                    try {
                        sink.accept(event);
                        delivered.increment();
                    } catch (RuntimeException e) {
                        failed.increment();
                        LOG.warn("event sink {} failed on {}", sink.name(), event.getClass().getSimpleName(), e);
                    }
                }
                batch.clear();
            }
        }

        /** Once the queue has been seen empty, two more rounds mean whatever was drained before has been delivered. */
        boolean awaitDelivered(long deadline) {
            long seen = -1;
            while (thread.isAlive()) {
                if (seen < 0 && queue.isEmpty()) {
                    seen = rounds;
                }
                if (seen >= 0 && rounds >= seen + 2) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return queue.isEmpty();
        }

        void stop(long deadline) {
            stopped = true;
            awaitEnd(deadline);
            meters.remove(meters.get("keel.events.queue.depth").tag("sink", sink.name()).gauge());
        }

        void awaitEnd(long deadline) {
            try {
                long remaining = deadline - System.nanoTime();
                if (remaining > 0) {
                    thread.join(Duration.ofNanos(remaining));
                }
                if (thread.isAlive()) {
                    int left = queue.size();
                    LOG.warn("event sink {} did not take its last {} events within {}", sink.name(), left, grace);
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits (at most the timeout) until every event queued before the call has been handed to its sink; false when the
     * timeout passed first. For tests and for callers that must read what a sink wrote.
     */
    public boolean awaitDelivered(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Subscription subscription : subscriptions) {
            if (!subscription.awaitDelivered(deadline)) {
                return false;
            }
        }
        return true;
    }
}
