package dev.keel.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelRuntime;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Reads and runs ONNX models with ONNX Runtime on the CPU. */
public final class OnnxModelRuntime implements ModelRuntime {
    @Override
    public String format() {
        return "onnx";
    }

    @Override
    public ModelSignature inspect(byte[] artifact) {
        Objects.requireNonNull(artifact, "artifact");
        try (OrtSession.SessionOptions sessionOptions = sessionOptions(new RuntimeOptions(1, "none"));
                OrtSession session = openSession(artifact, sessionOptions)) {
            return Signatures.read(session);
        } catch (OrtException e) {
            throw new ModelException("could not read the signature of the ONNX model: " + e.getMessage(), false, e);
        }
    }

    @Override
    public LoadedModel load(byte[] artifact, RuntimeOptions options) {
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(options, "options");
        List<OrtSession> sessions = new ArrayList<>(options.sessions());
        try (OrtSession.SessionOptions sessionOptions = sessionOptions(options)) {
            for (int i = 0; i < options.sessions(); i++) {
                sessions.add(openSession(artifact, sessionOptions));
            }
            return new OnnxLoadedModel(environment(), sessions, Signatures.read(sessions.getFirst()),
                    Signatures.dimensionNames(sessions.getFirst()), Signatures.outputDimensionNames(sessions.getFirst()));
        } catch (OrtException | RuntimeException e) {
            for (OrtSession session : sessions) {
                closeQuietly(session, e);
            }
            if (e instanceof ModelException modelException) {
                throw modelException;
            }
            throw new ModelException("could not load the ONNX model: " + e.getMessage(), false, e);
        }
    }

    static OrtEnvironment environment() {
        return Environment.INSTANCE;
    }

    /** The process-wide ONNX Runtime environment, created on first use. */
    private static final class Environment {
        static final OrtEnvironment INSTANCE = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "keel");
    }

    private static OrtSession openSession(byte[] artifact, OrtSession.SessionOptions sessionOptions) throws OrtException {
        if (artifact.length == 0) {
            throw new ModelException("artifact is not an ONNX model: it is empty, expected a serialized ONNX ModelProto", true);
        }
        try {
            return environment().createSession(artifact, sessionOptions);
        } catch (OrtException e) {
            throw new ModelException("artifact is not an ONNX model ONNX Runtime can load (" + artifact.length + " bytes): "
                    + firstLine(e.getMessage()), true, e);
        }
    }

    private static OrtSession.SessionOptions sessionOptions(RuntimeOptions options) throws OrtException {
        OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions();
        try {
            sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
            sessionOptions.setInterOpNumThreads(1);
            sessionOptions.setOptimizationLevel(switch (options.optimizationLevel()) {
                case "none" -> OptLevel.NO_OPT;
                case "basic" -> OptLevel.BASIC_OPT;
                case "extended" -> OptLevel.EXTENDED_OPT;
                default -> OptLevel.ALL_OPT;
            });
            sessionOptions.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            return sessionOptions;
        } catch (OrtException | RuntimeException e) {
            sessionOptions.close();
            throw e;
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no detail given";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void closeQuietly(OrtSession session, Exception primary) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
