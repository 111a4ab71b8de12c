package dev.keel.core.serving;

/**
 * Receives every answered prediction, after the answer has gone out, on a separate thread (unless it asks for the request's
 * thread, see {@link #onRequestThread()}): the hook of the prediction log
 * and monitoring. Events that arrive faster than listeners take them are dropped and counted, never queued without bound.
 */
@FunctionalInterface
public interface PredictionListener {
    void onPrediction(PredictionEvent event);

    /**
     * True for a listener that must see the prediction before it is answered (the durable prediction log): it is called on
     * the request's thread, the answer waits for it, and an exception it throws fails the request.
     */
    default boolean onRequestThread() {
        return false;
    }
}
