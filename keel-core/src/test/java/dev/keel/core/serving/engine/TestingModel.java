package dev.keel.core.serving.engine;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A model computing {@code y = 2 * x0 + x1} per row of {@code x [N, 2]}, with a shared {@code y:labels} output. It records
 * the rows of every call, refuses rows holding NaN, and can hold its next call until released.
 */
final class TestingModel implements LoadedModel {
    private final ModelSignature signature;
    private final List<Integer> callRows = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Gate> gate = new AtomicReference<>();

    private volatile Thread lastThread;

    /** The thread that ran the latest call. */
    Thread lastThread() {
        return lastThread;
    }

    private TestingModel(long leadingDimension) {
        this.signature = new ModelSignature(
                List.of(new TensorSpec("x", DataType.FP32, leadingDimension, 2)),
                List.of(new TensorSpec("y", DataType.FP32, leadingDimension),
                        new TensorSpec("y:labels", DataType.BYTES, List.of(-1L), "labels")));
    }

    /** A model whose rows may be batched. */
    static TestingModel batchable() {
        return new TestingModel(-1);
    }

    /** A model whose input has a fixed leading dimension of one, so it is never batched. */
    static TestingModel fixedSingleRow() {
        return new TestingModel(1);
    }

    static Map<String, Tensor> rows(float... pairs) {
        return Map.of("x", new Tensor(DataType.FP32, new long[] {pairs.length / 2, 2}, pairs.clone()));
    }

    /** What this model answers for these pairs, computed here rather than by {@link #predict}. */
    static float[] expected(float... pairs) {
        float[] y = new float[pairs.length / 2];
        for (int i = 0; i < y.length; i++) {
            y[i] = 2 * pairs[2 * i] + pairs[2 * i + 1];
        }
        return y;
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    /** Holds the next call until {@link Gate#release()}. */
    Gate holdNextCall() {
        Gate next = new Gate();
        gate.set(next);
        return next;
    }

    /** Rows of every call so far, in order. */
    List<Integer> callRows() {
        synchronized (callRows) {
            return List.copyOf(callRows);
        }
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        lastThread = Thread.currentThread();
        Gate held = gate.getAndSet(null);
        if (held != null) {
            held.entered.countDown();
            try {
                held.released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelException("interrupted", false, e);
            }
        }
        float[] x = (float[]) inputs.get("x").data();
        int rows = x.length / 2;
        callRows.add(rows);
        for (float value : x) {
            if (Float.isNaN(value)) {
                throw new ModelException("input 'x' holds NaN", true);
            }
        }
        return Map.of(
                "y", new Tensor(DataType.FP32, new long[] {rows}, expected(x)),
                "y:labels", new Tensor(DataType.BYTES, new long[] {2}, new String[] {"low", "high"}));
    }

    @Override
    public void close() {
    }

    /** Holds one call of the model. */
    static final class Gate {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void awaitEntered() throws InterruptedException {
            entered.await();
        }

        void release() {
            released.countDown();
        }
    }
}
