package dev.keel.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import ai.onnxruntime.OrtSession;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** An ONNX model with a fixed set of sessions; each call borrows one, so calls on different threads never share a session. */
final class OnnxLoadedModel implements LoadedModel {
    private final OrtEnvironment environment;
    private final List<OrtSession> sessions;
    private final BlockingQueue<OrtSession> idle;
    private final ModelSignature signature;
    private final Map<String, List<String>> dimensionNames;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    OnnxLoadedModel(OrtEnvironment environment, List<OrtSession> sessions, ModelSignature signature,
            Map<String, List<String>> dimensionNames) {
        this.environment = environment;
        this.sessions = List.copyOf(sessions);
        this.idle = new ArrayBlockingQueue<>(sessions.size(), false, sessions);
        this.signature = signature;
        this.dimensionNames = Map.copyOf(dimensionNames);
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    /** The number of sessions this model keeps. */
    int sessionCount() {
        return sessions.size();
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feed = OnnxTensors.feed(environment, signature, dimensionNames, inputs);
        try {
            lifecycle.readLock().lock();
            try {
                if (closed) {
                    throw new ModelException("model is closed and cannot score", false);
                }
                OrtSession session = borrow();
                try {
                    return run(session, feed);
                } finally {
                    idle.add(session);
                }
            } finally {
                lifecycle.readLock().unlock();
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private OrtSession borrow() {
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted while waiting for a free session", false, e);
        }
    }

    private Map<String, Tensor> run(OrtSession session, Map<String, OnnxTensor> feed) {
        try (OrtSession.Result result = session.run(feed)) {
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> entry : result) {
                OnnxTensors.read(entry.getKey(), entry.getValue(), outputs);
            }
            return outputs;
        } catch (OrtException e) {
            String message = OnnxModelRuntime.firstLine(e.getMessage());
            throw new ModelException("ONNX Runtime failed to score: " + message, e.getCode() == OrtErrorCode.ORT_INVALID_ARGUMENT, e);
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            List<Exception> failures = new ArrayList<>();
            for (OrtSession session : sessions) {
                try {
                    session.close();
                } catch (OrtException | RuntimeException e) {
                    failures.add(e);
                }
            }
            if (!failures.isEmpty()) {
                ModelException failure = new ModelException("could not close " + failures.size() + " ONNX sessions", false);
                failures.forEach(failure::addSuppressed);
                throw failure;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        List<String> inputs = signature.inputs().stream().map(TensorSpec::name).toList();
        return "OnnxLoadedModel[inputs=" + inputs + ", sessions=" + sessions.size() + "]";
    }
}
