package dev.keel.core.error;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one exception type Keel raises on purpose: an error code, a message that names what failed, the offending value and
 * what was expected, and optional per-field details.
 */
public class KeelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final transient List<FieldError> errors;
    private final transient Map<String, Object> extensions;

    public KeelException(ErrorCode code, String message) {
        this(code, message, List.of(), Map.of(), null);
    }

    public KeelException(ErrorCode code, String message, Throwable cause) {
        this(code, message, List.of(), Map.of(), cause);
    }

    public KeelException(ErrorCode code, String message, List<FieldError> errors) {
        this(code, message, errors, Map.of(), null);
    }

    public KeelException(ErrorCode code, String message, List<FieldError> errors, Map<String, Object> extensions, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.errors = List.copyOf(errors);
        this.extensions = Map.copyOf(extensions);
    }

    public ErrorCode code() {
        return code;
    }

    /** Per-field problems, for requests with several bad fields. */
    public List<FieldError> errors() {
        return errors;
    }

    /** Extra problem members (for example {@code retryAfterSeconds}). */
    public Map<String, Object> extensions() {
        return extensions;
    }

    public static KeelException badRequest(String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message);
    }

    public static KeelException notFound(String message) {
        return new KeelException(ErrorCode.NOT_FOUND, message);
    }

    public static KeelException conflict(String message) {
        return new KeelException(ErrorCode.CONFLICT, message);
    }

    /** Fails with {@link ErrorCode#INVALID_REQUEST} unless the condition holds. */
    public static void requireArgument(boolean condition, String format, Object... arguments) {
        if (!condition) {
            throw badRequest(String.format(java.util.Locale.ROOT, format, arguments));
        }
    }

    /**
     * One bad field.
     *
     * @param field a JSON pointer or dotted path to the field, for example {@code instances[3].age}
     * @param message what was wrong and what was expected
     */
    public record FieldError(String field, String message) {
        public FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }
}
