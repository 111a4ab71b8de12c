package dev.keel.core.serving;

import dev.keel.spi.Tensor;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.ShadowDisagreed;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps, per endpoint, whether each of the last {@code window} shadow comparisons agreed, and publishes a
 * {@link ShadowDisagreed} when the share of disagreements is above the limit: at most once per window's worth of comparisons,
 * and only over a full window (a handful of early comparisons decides nothing). A new main or shadow version starts a new
 * window.
 */
final class ShadowWatch {
    private final ShadowSettings settings;
    private final EventSink events;
    private final Clock clock;
    private final ConcurrentHashMap<String, Ring> rings = new ConcurrentHashMap<>();

    /** The last comparisons of one endpoint's main and shadow versions. */
    private static final class Ring {
        final int mainVersion;
        final int shadowVersion;
        final boolean[] disagreed;
        int next;
        int filled;
        int disagreements;
        /** Comparisons since the last event; another may go out once a window's worth have been made. */
        long sincePublished;
        boolean published;

        Ring(int mainVersion, int shadowVersion, int window) {
            this.mainVersion = mainVersion;
            this.shadowVersion = shadowVersion;
            this.disagreed = new boolean[window];
        }
    }

    ShadowWatch(ShadowSettings settings, EventSink events, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records one comparison; a shadow that failed ({@code shadowOutputs} empty) disagrees. */
    void compared(String endpoint, String model, int mainVersion, int shadowVersion, Map<String, Tensor> mainOutputs,
                  Optional<Map<String, Tensor>> shadowOutputs) {
        boolean disagreed = shadowOutputs.map(outputs -> !agree(mainOutputs, outputs, settings.tolerance())).orElse(true);
        ShadowDisagreed event = null;
        Ring ring = rings.compute(endpoint, (name, current) -> current == null || current.mainVersion != mainVersion
                || current.shadowVersion != shadowVersion ? new Ring(mainVersion, shadowVersion, settings.window()) : current);
        synchronized (ring) {
            if (ring.filled == ring.disagreed.length && ring.disagreed[ring.next]) {
                ring.disagreements--;
            }
            ring.disagreed[ring.next] = disagreed;
            if (disagreed) {
                ring.disagreements++;
            }
            ring.next = (ring.next + 1) % ring.disagreed.length;
            ring.filled = Math.min(ring.filled + 1, ring.disagreed.length);
            ring.sincePublished++;
            boolean full = ring.filled == ring.disagreed.length;
            boolean mayPublish = !ring.published || ring.sincePublished >= ring.disagreed.length;
            if (full && mayPublish && (double) ring.disagreements / ring.filled > settings.disagreementLimit()) {
                ring.published = true;
                ring.sincePublished = 0;
                event = new ShadowDisagreed(endpoint, model, mainVersion, shadowVersion, ring.disagreements, ring.filled,
                        settings.disagreementLimit(), clock.instant());
            }
        }
        if (event != null) {
            events.accept(event);
        }
    }

    /**
     * True when every output of the main version is in the shadow's answer with the same shape, floating-point outputs
     * (probabilities, scores) within {@code tolerance} element by element and every other output (labels) equal.
     */
    static boolean agree(Map<String, Tensor> main, Map<String, Tensor> shadow, double tolerance) {
        for (Map.Entry<String, Tensor> entry : main.entrySet()) {
            Tensor expected = entry.getValue();
            Tensor actual = shadow.get(entry.getKey());
            if (actual == null || !Arrays.equals(expected.shape(), actual.shape())) {
                return false;
            }
            if (expected.type().isFloating() && actual.type().isFloating()) {
                for (int index = 0; index < expected.size(); index++) {
                    double difference = Math.abs(expected.doubleAt(index) - actual.doubleAt(index));
                    if (!(difference <= tolerance)) {
                        return false;
                    }
                }
            } else if (!TensorValues.flat(expected).equals(TensorValues.flat(actual))) {
                return false;
            }
        }
        return true;
    }
}
