package dev.keel.core.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands prediction events to listeners on a thread of its own, through a bounded queue: serving pays one queue insert per
 * answer and never waits for a listener; events that find the queue full are counted and dropped.
 */
final class PredictionEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionEvents.class);

    private final List<PredictionListener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayBlockingQueue<PredictionEvent> events;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread notifier;
    private volatile boolean running = true;

    PredictionEvents(int capacity) {
        this.events = new ArrayBlockingQueue<>(capacity);
        this.notifier = Thread.ofPlatform().name("keel-prediction-listeners").daemon(true).start(this::deliver);
    }

    void addListener(PredictionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Queues the event for the listeners on the notifier thread, and first calls those that must see it before the answer
     * goes out ({@link PredictionListener#onRequestThread()}, the durable prediction log): an exception of theirs fails the
     * request.
     */
    void publish(PredictionEvent event) {
        if (listeners.isEmpty()) {
            return;
        }
        boolean queued = false;
        for (PredictionListener listener : listeners) {
            if (listener.onRequestThread()) {
                listener.onPrediction(event);
            } else if (!queued) {
                queued = true;
                if (!events.offer(event)) {
                    dropped.incrementAndGet();
                }
            }
        }
    }

    /** Events dropped because listeners fell behind. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Hands queued events to the listeners every few milliseconds. Sleeping between looks, rather than waiting on the
     * queue, means a prediction never wakes this thread.
     */
    private void deliver() {
        List<PredictionEvent> batch = new ArrayList<>();
        while (running || !events.isEmpty()) {
            events.drainTo(batch, 1_000);
            if (batch.isEmpty()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            for (PredictionEvent event : batch) {
                for (PredictionListener listener : listeners) {
                    if (listener.onRequestThread()) {
                        continue;
                    }
                    try {
                        listener.onPrediction(event);
                    } catch (RuntimeException e) {
                        LOG.warn("prediction listener {} failed", listener, e);
                    }
                }
            }
            batch.clear();
        }
    }

    /** Delivers what is queued, then stops. */
    @Override
    public void close() {
        running = false;
        try {
            notifier.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
