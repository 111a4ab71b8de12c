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
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX model with a fixed set of sessions; each call borrows one, so calls on different threads never share a session.
 * Each session keeps native buffers for the input shapes it saw lately ({@link SessionBuffers}), so a common call copies
 * its values in and out instead of allocating tensors.
 */
final class OnnxLoadedModel implements LoadedModel {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxLoadedModel.class);

    private final OrtEnvironment environment;
    private final List<Pooled> sessions;
    private final BlockingQueue<Pooled> idle;
    private final ModelSignature signature;
    private final List<TensorSpec> outputs;
    private final Map<String, List<String>> dimensionNames;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean pinOutputs = true;
    private boolean closed;

    private record Pooled(OrtSession session, SessionBuffers buffers) {
    }

    OnnxLoadedModel(OrtEnvironment environment, List<OrtSession> sessions, ModelSignature signature,
            Map<String, List<String>> dimensionNames, Map<String, List<String>> outputDimensionNames) {
        this.environment = environment;
        this.signature = signature;
        this.dimensionNames = Map.copyOf(dimensionNames);
        this.outputs = signature.outputs().stream().filter(spec -> !spec.kind().equals(Signatures.LABELS_KIND)).toList();
        this.sessions = sessions.stream()
                .map(session -> new Pooled(session, new SessionBuffers(environment, signature, this.dimensionNames, outputDimensionNames)))
                .toList();
        this.idle = new ArrayBlockingQueue<>(sessions.size(), false, this.sessions);
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    /** The number of sessions this model keeps. */
    int sessionCount() {
        return sessions.size();
    }

    /** Whether calls still let ONNX Runtime write outputs into kept buffers (false after it refused one). */
    boolean pinsOutputs() {
        return pinOutputs;
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        OnnxTensors.check(signature, dimensionNames, inputs);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new ModelException("model is closed and cannot score", false);
            }
            Pooled pooled = borrow();
            try {
                boolean pinning = pinOutputs;
                Optional<SessionBuffers.Slot> slot = pooled.buffers().slot(inputs, pinning);
                if (slot.isEmpty()) {
                    return runFresh(pooled.session(), inputs);
                }
                try {
                    return run(pooled.session(), slot.get());
                } catch (ModelException refused) {
                    if (slot.get().pinned().isEmpty()) {
                        throw refused;
                    }
                    Map<String, Tensor> answer = runFresh(pooled.session(), inputs);
                    pinOutputs = false;
                    pooled.buffers().clear();
                    LOG.info("ONNX Runtime refused outputs of the shapes derived from the inputs ({}); this model's outputs are "
                            + "allocated per call from now on", refused.getMessage());
                    return answer;
                }
            } finally {
                idle.add(pooled);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Pooled borrow() {
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted while waiting for a free session", false, e);
        }
    }

    /** Runs on tensors created for this call alone. */
    private Map<String, Tensor> runFresh(OrtSession session, Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feed = OnnxTensors.feed(environment, signature, inputs);
        try (OrtSession.Result result = session.run(feed)) {
            Map<String, Tensor> answer = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> entry : result) {
                OnnxTensors.read(entry.getKey(), entry.getValue(), answer);
            }
            return answer;
        } catch (OrtException e) {
            throw failure(e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** Runs on a session's kept buffers, which already hold the inputs. */
    private Map<String, Tensor> run(OrtSession session, SessionBuffers.Slot slot) {
        try (OrtSession.Result result = session.run(slot.feed(), slot.requested(), slot.pinned())) {
            Map<String, Tensor> answer = new LinkedHashMap<>();
            for (TensorSpec output : outputs) {
                if (slot.pinned().containsKey(output.name())) {
                    answer.put(output.name(), slot.output(output.name(), output.type()));
                } else {
                    OnnxTensors.read(output.name(), result.get(output.name()).orElseThrow(), answer);
                }
            }
            return answer;
        } catch (OrtException e) {
            throw failure(e);
        }
    }

    /**
     * ORT_INVALID_ARGUMENT is the caller's fault when ONNX Runtime refused the inputs themselves (a dimension, rank or type
     * the graph does not take). Raised while running a node ("Non-zero status code returned while running Gather node"),
     * it is the graph failing on inputs it accepted: the model's fault, which the endpoint's fallback and incidents handle.
     */
    private static ModelException failure(OrtException e) {
        String message = OnnxModelRuntime.firstLine(e.getMessage());
        boolean refusedInputs = e.getCode() == OrtErrorCode.ORT_INVALID_ARGUMENT && !message.contains("while running");
        return new ModelException("ONNX Runtime failed to score: " + message, refusedInputs, e);
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
            for (Pooled pooled : sessions) {
                try {
                    pooled.buffers().close();
                    pooled.session().close();
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
