package dev.keel.core.serving;

/**
 * Receives every answered prediction, after the answer has gone out, on a separate thread: the hook of the prediction log
 * and monitoring. Events that arrive faster than listeners take them are dropped and counted, never queued without bound.
 */
@FunctionalInterface
public interface PredictionListener {
    void onPrediction(PredictionEvent event);
}
