package dev.keel.server;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.spi.ArtifactIntegrityException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps failures to RFC 9457 problem+json bodies with Keel's stable error code; never echoes a stack trace. */
final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String CONTENT_TYPE = "application/problem+json";
    /** The most field errors one answer lists; {@code errorsTotal} then says how many there were. */
    static final int MAX_LISTED_ERRORS = 100;

    private Problems() {
    }

    /** Converts any throwable to a Keel exception, logging unexpected ones with the request id. */
    static KeelException classify(Throwable failure, String requestId) {
        return switch (failure) {
            case KeelException keel -> keel;
            case ArtifactIntegrityException integrity -> new KeelException(ErrorCode.INTEGRITY_FAILURE, integrity.getMessage());
            case HttpResponseException http -> fromStatus(http.getStatus(), http.getMessage());
            default -> {
                LOG.error("request {} failed unexpectedly", requestId, failure);
                yield new KeelException(ErrorCode.INTERNAL, "an unexpected error occurred; the server log holds details under request id "
                        + requestId);
            }
        };
    }

    static KeelException fromStatus(int status, String message) {
        ErrorCode code = switch (status) {
            case 400 -> ErrorCode.INVALID_REQUEST;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 431 -> ErrorCode.HEADERS_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.OVERLOADED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
        };
        return new KeelException(code, message == null || message.isBlank() ? code.description() : message);
    }

    /**
     * What the caller is told. A server-side failure (5xx) that wraps a lower-level exception may carry internal detail
     * (SQL, file paths, native runtime messages) in the text it took from its cause: the caller gets Keel's own words
     * without that text, and the request id; the log gets the whole message. Messages Keel wrote without a cause, and
     * every 4xx, are told as they are.
     */
    static String detail(KeelException problem, String requestId) {
        boolean serverSide = switch (problem.code().category()) {
            case INTERNAL, UNAVAILABLE, EXTERNAL -> true;
            default -> false;
        };
        if (!serverSide || problem.getCause() == null) {
            return problem.getMessage();
        }
        LOG.warn("request {} failed: {}", requestId, problem.getMessage(), problem.getCause());
        String own = problem.getMessage();
        for (Throwable cause = problem.getCause(); cause != null; cause = cause.getCause()) {
            String internal = cause.getMessage();
            if (internal != null && !internal.isBlank()) {
                int at = own.indexOf(internal);
                if (at >= 0) {
                    own = own.substring(0, at);
                }
            }
        }
        own = own.strip().replaceAll("[:;,(\\s]+$", "");
        return (own.isEmpty() ? problem.code().description().replaceAll("\\.$", "") : own)
                + "; the server log holds the details under request id " + requestId;
    }

    /** Writes the problem body and status; under {@code /v2} the Open Inference Protocol's {@code {"error": "..."}} instead. */
    static void write(Context context, KeelException problem, String requestId) {
        int status = status(problem);
        String detail = detail(problem, requestId);
        if (isV2(context.path())) {
            writeV2(context, problem, status, detail);
            return;
        }
        Map<String, Object> body = body(problem, status, detail, context.path(), requestId);
        Object retryAfter = problem.extensions().get("retryAfterSeconds");
        if (retryAfter != null) {
            context.header("Retry-After", retryAfter.toString());
        }
        if (problem.code() == ErrorCode.UNAUTHENTICATED) {
            context.header("WWW-Authenticate", "Bearer realm=\"keel\"");
        }
        context.status(status).contentType(CONTENT_TYPE).result(Json.write(body));
    }

    /** Writes an error body for a status that a route set without one, keeping the status. */
    static void writeStatus(Context context, int status, String detail, String requestId) {
        KeelException problem = fromStatus(status, detail);
        if (isV2(context.path())) {
            context.status(status).contentType("application/json").result(Json.write(Map.of("error", detail)));
            return;
        }
        context.status(status).contentType(CONTENT_TYPE).result(Json.write(body(problem, status, detail, context.path(), requestId)));
    }

    /** The HTTP status of a problem. */
    static int status(KeelException problem) {
        return problem.code() == ErrorCode.METHOD_NOT_ALLOWED ? 405 : problem.code().category().status();
    }

    /** True for the paths of the Open Inference Protocol, whose errors are {@code {"error": "..."}}. */
    static boolean isV2(String path) {
        return path != null && (path.equals("/v2") || path.startsWith("/v2/"));
    }

    /** The problem+json members of a problem; {@code instance} only when the path is known. */
    static Map<String, Object> body(KeelException problem, int status, String detail, String path, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.code().typeUri());
        body.put("title", problem.code().description());
        body.put("status", status);
        body.put("detail", detail);
        body.put("code", problem.code().name());
        if (path != null) {
            body.put("instance", path);
        }
        body.put("requestId", requestId);
        if (!problem.errors().isEmpty()) {
            List<Map<String, String>> errors = problem.errors().stream().limit(MAX_LISTED_ERRORS)
                    .map(error -> Map.of("field", error.field(), "message", error.message())).toList();
            body.put("errors", errors);
            if (problem.errors().size() > MAX_LISTED_ERRORS) {
                body.put("errorsTotal", problem.errors().size());
            }
        }
        body.putAll(problem.extensions());
        return body;
    }

    private static void writeV2(Context context, KeelException problem, int status, String detail) {
        Object retryAfter = problem.extensions().get("retryAfterSeconds");
        if (retryAfter != null) {
            context.header("Retry-After", retryAfter.toString());
        }
        if (problem.code() == ErrorCode.UNAUTHENTICATED) {
            context.header("WWW-Authenticate", "Bearer realm=\"keel\"");
        }
        context.status(status).contentType("application/json").result(Json.write(Map.of("error", detail)));
    }
}
