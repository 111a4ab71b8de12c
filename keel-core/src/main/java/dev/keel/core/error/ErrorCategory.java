package dev.keel.core.error;

/** The kind of failure, which decides the HTTP status an error maps to. */
public enum ErrorCategory {
    BAD_INPUT(400),
    UNPROCESSABLE(422),
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    TOO_LARGE(413),
    URI_TOO_LONG(414),
    HEADERS_TOO_LARGE(431),
    UNSUPPORTED_MEDIA(415),
    OVERLOADED(429),
    EXTERNAL(502),
    UNAVAILABLE(503),
    INTERNAL(500);

    private final int status;

    ErrorCategory(int status) {
        this.status = status;
    }

    /** The HTTP status code of this category. */
    public int status() {
        return status;
    }
}
