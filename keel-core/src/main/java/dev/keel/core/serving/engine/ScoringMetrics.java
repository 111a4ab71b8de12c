package dev.keel.core.serving.engine;

/** Receives what a {@link ScoringPool} measures; the server binds it to its meter registry. Methods must be cheap. */
public interface ScoringMetrics {
    /** A request left the queue after waiting this long. */
    default void queueWait(String modelKey, long nanos) {
    }

    /** One call to the model scored this many requests holding this many rows. */
    default void batch(String modelKey, int requests, int rows, long nanos) {
    }

    /** A request was refused because the queue was full. */
    default void rejected(String modelKey) {
    }

    /** A request passed its timeout before it was answered. */
    default void timedOut(String modelKey) {
    }

    /** Metrics that go nowhere. */
    static ScoringMetrics none() {
        return new ScoringMetrics() {
        };
    }
}
