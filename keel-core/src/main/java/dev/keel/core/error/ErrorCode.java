package dev.keel.core.error;

/** A stable, documented error code; clients match on {@link #name()} (sent as {@code code} in problem+json). */
public enum ErrorCode {
    INVALID_REQUEST(ErrorCategory.BAD_INPUT, "The request is malformed or a field is invalid."),
    INVALID_JSON(ErrorCategory.BAD_INPUT, "The body is not valid JSON."),
    INVALID_CONFIG(ErrorCategory.BAD_INPUT, "A configuration value is invalid."),
    INVALID_MODEL(ErrorCategory.UNPROCESSABLE, "The uploaded artifact is not a model the runtime can read."),
    INVALID_INPUT(ErrorCategory.UNPROCESSABLE, "Prediction inputs do not match the model's signature or schema."),
    INVALID_SPEC(ErrorCategory.UNPROCESSABLE, "A pipeline or monitor spec is invalid."),
    GATE_FAILED(ErrorCategory.UNPROCESSABLE, "The version does not pass the model's promotion gate."),
    UNAUTHENTICATED(ErrorCategory.UNAUTHENTICATED, "No valid token was given."),
    FORBIDDEN(ErrorCategory.FORBIDDEN, "The token's roles do not grant this permission."),
    NOT_FOUND(ErrorCategory.NOT_FOUND, "The resource does not exist."),
    ROUTE_NOT_FOUND(ErrorCategory.NOT_FOUND, "No route matches the path."),
    METHOD_NOT_ALLOWED(ErrorCategory.BAD_INPUT, "The route does not accept this method."),
    ALREADY_EXISTS(ErrorCategory.CONFLICT, "A resource with this name exists already."),
    CONFLICT(ErrorCategory.CONFLICT, "The request conflicts with the current state."),
    PAYLOAD_TOO_LARGE(ErrorCategory.TOO_LARGE, "The body is larger than allowed."),
    URI_TOO_LONG(ErrorCategory.URI_TOO_LONG, "The request target is longer than the server accepts."),
    HEADERS_TOO_LARGE(ErrorCategory.HEADERS_TOO_LARGE, "The request headers are larger than the server accepts."),
    UNSUPPORTED_MEDIA_TYPE(ErrorCategory.UNSUPPORTED_MEDIA, "The body's content type is not accepted here."),
    OVERLOADED(ErrorCategory.OVERLOADED, "The endpoint is at capacity; retry after the given delay."),
    RATE_LIMITED(ErrorCategory.OVERLOADED, "Too many requests from this caller; retry after the given delay."),
    INTEGRITY_FAILURE(ErrorCategory.INTERNAL, "A stored artifact does not match its digest and was not used."),
    EXTERNAL_FAILURE(ErrorCategory.EXTERNAL, "A source or service outside Keel failed."),
    UNAVAILABLE(ErrorCategory.UNAVAILABLE, "A dependency is not ready."),
    AUDIT_UNAVAILABLE(ErrorCategory.UNAVAILABLE, "The audit log cannot be written, so the call was refused before it changed anything."),
    INTERNAL(ErrorCategory.INTERNAL, "An unexpected error; the log holds details under the request id.");

    private final ErrorCategory category;
    private final String description;

    ErrorCode(ErrorCategory category, String description) {
        this.category = category;
        this.description = description;
    }

    public ErrorCategory category() {
        return category;
    }

    public String description() {
        return description;
    }

    /** The problem type URI sent in problem+json. */
    public String typeUri() {
        return "https://keel.dev/problems/" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
