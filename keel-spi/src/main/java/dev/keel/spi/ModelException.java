package dev.keel.spi;

/** A runtime could not read, load or run a model; {@link #badInput()} tells whether the caller's data was at fault. */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean badInput;

    public ModelException(String message, boolean badInput, Throwable cause) {
        super(message, cause);
        this.badInput = badInput;
    }

    public ModelException(String message, boolean badInput) {
        this(message, badInput, null);
    }

    /** True when the artifact or the inputs the caller gave were at fault, false when the runtime failed. */
    public boolean badInput() {
        return badInput;
    }
}
