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

    private static final java.util.regex.Pattern SOURCE_FILE = java.util.regex.Pattern.compile(
            "\\S*/[\\w.+-]+\\.(?:hpp|hh|h|cpp|cxx|cc|cu|c)\\b(?::\\d+)?");
    private static final java.util.regex.Pattern SIGNATURE = java.util.regex.Pattern.compile(
            "(?:[A-Za-z_]\\w*(?:<[^>]*>)?::)+~?[A-Za-z_]\\w*\\([^)]*\\)(?:\\s*const)?");
    private static final java.util.regex.Pattern FAILED_CHECK = java.util.regex.Pattern.compile(
            "[\\w.\\->()\\[\\] ]*?(?:==|!=|<=|>=|<|>)[\\w.\\->()\\[\\] ]*? was false\\.\\s*");

    /**
     * The first line of an ONNX Runtime message without what only its developers need: the C++ source file and line, the
     * function signature and the text of the failed internal check. What remains says what was wrong with the model or
     * the inputs ("The input tensor cannot be reshaped to the requested shape. Input shape:{1,3}, ...").
     */
    static String firstLine(String message) {
        if (message == null) {
            return "no detail given";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        line = SOURCE_FILE.matcher(line).replaceAll("");
        line = SIGNATURE.matcher(line).replaceAll("");
        line = FAILED_CHECK.matcher(line).replaceAll(" ");
        return line.replaceAll("\\s{2,}", " ").trim();
    }

    private static void closeQuietly(OrtSession session, Exception primary) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
