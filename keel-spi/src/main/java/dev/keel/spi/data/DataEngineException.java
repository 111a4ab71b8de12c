package dev.keel.spi.data;

import java.util.List;
import java.util.Objects;

/** An engine could not run a plan; {@link #kind()} tells whether to retry, blame the spec or the data. */
public class DataEngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Kind kind;
    private final String path;
    private final transient List<EngineResult.ExpectationResult> expectations;

    /** Why a run failed. */
    public enum Kind {
        /** The spec does not fit the data (a missing column, bad SQL). */
        BAD_SPEC,
        /** The source data is unreadable or does not cast as declared and the spec says to fail. */
        BAD_DATA,
        /** A fail expectation broke. */
        EXPECTATION_FAILED,
        /** A source failed in a way that may pass on retry (timeout, refused connection, HTTP 5xx or 429). */
        TRANSIENT,
        /** A source failed for good (HTTP 4xx, authentication, missing file). */
        SOURCE,
        /** The engine itself failed. */
        INTERNAL
    }

    public DataEngineException(Kind kind, String path, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.path = Objects.requireNonNull(path, "path");
        this.expectations = List.of();
    }

    /** A run stopped by broken fail expectations, with the outcome of every expectation checked until then. */
    public DataEngineException(String path, String message, List<EngineResult.ExpectationResult> expectations) {
        super(message);
        this.kind = Kind.EXPECTATION_FAILED;
        this.path = Objects.requireNonNull(path, "path");
        this.expectations = List.copyOf(expectations);
    }

    public DataEngineException(Kind kind, String path, String message) {
        this(kind, path, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The spec path of the element that failed, for example {@code steps[2]}; empty when not tied to one. */
    public String path() {
        return path;
    }

    /** For {@link Kind#EXPECTATION_FAILED}, the outcomes of the expectations checked before the run stopped; otherwise empty. */
    public List<EngineResult.ExpectationResult> expectations() {
        return expectations == null ? List.of() : expectations;
    }

    /** True when retrying the run may succeed. */
    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }
}
