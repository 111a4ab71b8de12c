package dev.keel.core.training.eval;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Objects;

/** A model could not be evaluated: its signature does not fit the holdout, scoring failed, or its outputs are unusable. */
public final class EvaluationException extends KeelException {
    private static final long serialVersionUID = 1L;
    private final Kind kind;

    /** Why the evaluation failed. */
    public enum Kind {
        /** The model's declared inputs or outputs do not fit the task and the holdout. */
        SIGNATURE_MISMATCH,
        /** The runtime failed while scoring a batch. */
        SCORING_FAILED,
        /** The model produced outputs of the wrong shape, non-finite values or probabilities that are not distributions. */
        BAD_OUTPUT
    }

    public EvaluationException(Kind kind, String message) {
        this(kind, message, null);
    }

    EvaluationException(Kind kind, String message, Throwable cause) {
        super(kind == Kind.SCORING_FAILED && cause instanceof dev.keel.spi.ModelException model && !model.badInput()
            ? ErrorCode.INTERNAL : ErrorCode.INVALID_MODEL, message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** Why the evaluation failed. */
    public Kind kind() {
        return kind;
    }
}
