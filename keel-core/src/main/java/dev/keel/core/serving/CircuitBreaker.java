package dev.keel.core.serving;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Takes a version out of rotation while it keeps failing. Closed, it counts outcomes: a run of consecutive failures, or a
 * failure rate over the last calls, opens it. Open, it refuses every call until the cool-down has passed; then it lets one
 * probe through (half-open): the probe's success closes it, its failure opens it for another cool-down.
 *
 * <p>Only model failures (errors and timeouts) count; a refused input or an overload says nothing about the version.
 */
final class CircuitBreaker {
    /** The breaker's state, as published in stats and metrics. */
    enum State {
        CLOSED("closed", 0), OPEN("open", 1), HALF_OPEN("half-open", 2);

        private final String wireName;
        private final int gauge;

        State(String wireName, int gauge) {
            this.wireName = wireName;
            this.gauge = gauge;
        }

        String wireName() {
            return wireName;
        }

        int gauge() {
            return gauge;
        }
    }

    private final BreakerSettings settings;
    private final Clock clock;
    private final boolean[] window;
    private int windowCalls;
    private int windowFailures;
    private int next;
    private int consecutiveFailures;
    /** Written under the lock; read without it on the fast path of a closed breaker. */
    private volatile State state = State.CLOSED;
    private Instant openedAt = Instant.EPOCH;
    private boolean probing;
    private Optional<String> lastFailure = Optional.empty();
    private long opened;

    CircuitBreaker(BreakerSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.window = new boolean[settings.window()];
    }

    /**
     * True when a call may go to the version: always while closed; while open only once the cool-down has passed, and then
     * for one probe at a time. A caller that was let through reports {@link #succeeded}, {@link #failed} or {@link #released}.
     */
    boolean tryAcquire() {
        if (state == State.CLOSED) {
            return true;
        }
        return tryAcquireSlowly();
    }

    private synchronized boolean tryAcquireSlowly() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> {
                if (clock.instant().isBefore(openedAt.plus(settings.coolDown()))) {
                    yield false;
                }
                state = State.HALF_OPEN;
                probing = true;
                yield true;
            }
            case HALF_OPEN -> {
                if (probing) {
                    yield false;
                }
                probing = true;
                yield true;
            }
        };
    }

    synchronized void succeeded() {
        consecutiveFailures = 0;
        if (state == State.HALF_OPEN) {
            state = State.CLOSED;
            probing = false;
            clearWindow();
            return;
        }
        record(false);
    }

    synchronized void failed(String reason) {
        lastFailure = Optional.of(reason);
        consecutiveFailures++;
        if (state == State.HALF_OPEN) {
            open();
            return;
        }
        record(true);
        if (state == State.CLOSED && (consecutiveFailures >= settings.consecutiveFailures()
                || windowCalls >= settings.window() && windowFailures >= settings.failureRate() * windowCalls)) {
            open();
        }
    }

    /** A call that was let through but ended before the model answered or failed (bad input, overload): it does not count. */
    synchronized void released() {
        if (state == State.HALF_OPEN) {
            probing = false;
        }
    }

    synchronized State state() {
        if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(settings.coolDown()))) {
            return State.HALF_OPEN;
        }
        return state;
    }

    /** How long until a probe is let through; zero unless open. */
    synchronized Duration retryAfter() {
        if (state != State.OPEN) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), openedAt.plus(settings.coolDown()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** State, counts and the last failure, for endpoint stats. */
    synchronized Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("state", state().wireName());
        view.put("consecutiveFailures", consecutiveFailures);
        view.put("recentCalls", windowCalls);
        view.put("recentFailures", windowFailures);
        view.put("timesOpened", opened);
        if (state != State.CLOSED) {
            view.put("openedAt", openedAt.toString());
            view.put("retryAfterMillis", retryAfter().toMillis());
        }
        lastFailure.ifPresent(reason -> view.put("lastFailure", reason));
        return view;
    }

    private void open() {
        state = State.OPEN;
        openedAt = clock.instant();
        probing = false;
        opened++;
    }

    private void record(boolean failure) {
        if (windowCalls == window.length) {
            if (window[next]) {
                windowFailures--;
            }
        } else {
            windowCalls++;
        }
        window[next] = failure;
        if (failure) {
            windowFailures++;
        }
        next = (next + 1) % window.length;
    }

    private void clearWindow() {
        windowCalls = 0;
        windowFailures = 0;
        next = 0;
    }
}
