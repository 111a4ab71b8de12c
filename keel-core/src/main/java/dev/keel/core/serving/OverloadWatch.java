package dev.keel.core.serving;

import dev.keel.spi.event.EndpointOverloaded;
import dev.keel.spi.event.EventSink;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests each endpoint refused as overloaded in a window that opens with the first refusal, and publishes one
 * {@link EndpointOverloaded} per window and endpoint once the count passes the limit. A refusal costs a map lookup, a
 * clock read and an adder increment.
 */
final class OverloadWatch {
    private final long windowMillis;
    private final Duration window;
    private final long limit;
    private final EventSink events;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final AtomicLong startMillis;
        final LongAdder refused = new LongAdder();
        final AtomicBoolean published = new AtomicBoolean();

        Window(long startMillis) {
            this.startMillis = new AtomicLong(startMillis);
        }
    }

    OverloadWatch(OverloadSettings settings, EventSink events, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        this.window = settings.window();
        this.windowMillis = Math.max(1, settings.window().toMillis());
        this.limit = settings.limit();
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Counts one refusal of the endpoint (or directly called model). */
    void refused(String endpoint, String model) {
        long now = clock.millis();
        Window current = windows.computeIfAbsent(endpoint, ignored -> new Window(now));
        long start = current.startMillis.get();
        if (now - start >= windowMillis && current.startMillis.compareAndSet(start, now)) {
            current.refused.reset();
            current.published.set(false);
        }
        current.refused.increment();
        if (!current.published.get()) {
            long refused = current.refused.sum();
            if (refused > limit && current.published.compareAndSet(false, true)) {
                events.accept(new EndpointOverloaded(endpoint, model, refused, limit, window, clock.instant()));
            }
        }
    }
}
