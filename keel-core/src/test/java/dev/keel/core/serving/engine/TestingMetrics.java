package dev.keel.core.serving.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Metrics kept in memory for assertions. */
final class TestingMetrics implements ScoringMetrics {
    final List<Long> queueWaits = Collections.synchronizedList(new ArrayList<>());
    final List<int[]> batches = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger rejected = new AtomicInteger();
    final AtomicInteger timedOut = new AtomicInteger();

    @Override
    public void queueWait(String modelKey, long nanos) {
        queueWaits.add(nanos);
    }

    @Override
    public void batch(String modelKey, int requests, int rows, long nanos) {
        batches.add(new int[] {requests, rows});
    }

    @Override
    public void rejected(String modelKey) {
        rejected.incrementAndGet();
    }

    @Override
    public void timedOut(String modelKey) {
        timedOut.incrementAndGet();
    }
}
