package dev.keel.core.training.external;

import java.util.Objects;

/** Why a run of a training command produced no model: what went wrong, in a sentence, and the end of the run's log. */
public final class TrainerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kinds of failure, each with its own cause; see docs/external-trainers.md. */
    public enum Kind {
        /** The program could not be started: it does not exist, is not executable, or the run directory could not be made. */
        COULD_NOT_START,
        /** The program exited with a non-zero code, or was killed by a signal Keel did not send. */
        CRASHED,
        /** The run took longer than the command's timeout; its process tree was killed. */
        TIMED_OUT,
        /** The program ran out of memory, most likely under the command's memory limit. */
        OUT_OF_MEMORY,
        /** The training thread was interrupted; the process tree was killed. */
        CANCELLED,
        /** The program exited with 0 but wrote no model file. */
        NO_MODEL,
        /** The model file is not a regular file, is empty, too large, or does not look like an ONNX model. */
        BAD_MODEL_FILE,
        /** The metrics file is missing, too large, or not a JSON object of metric names to finite numbers. */
        BAD_METRICS
    }

    private final Kind kind;
    private final String logTail;

    TrainerFailure(Kind kind, String message, String logTail) {
        this(kind, message, logTail, null);
    }

    TrainerFailure(Kind kind, String message, String logTail, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.logTail = Objects.requireNonNull(logTail, "logTail");
    }

    public Kind kind() {
        return kind;
    }

    /** The last few KiB of the run's output, lines prefixed {@code out: } or {@code err: }; empty when there was none. */
    public String logTail() {
        return logTail;
    }
}
