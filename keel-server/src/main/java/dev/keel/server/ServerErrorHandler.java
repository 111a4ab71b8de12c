package dev.keel.server;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Writes the answers Jetty gives on its own (a request it cannot parse, a target or headers too large, a path it cannot
 * decode, a failure outside any route) in Keel's contract: problem+json, or {@code {"error": "..."}} under {@code /v2}. It
 * never echoes the request: the detail is Keel's own sentence for the status.
 */
final class ServerErrorHandler extends ErrorHandler {
    private static final String V2_TYPE = "application/json";
    /** The path Jetty gives the stand-in request of an answer to a request line it could not read. */
    private static final String UNPARSED_REQUEST = "/badMessage";

    private final SecurityHeaders headers;

    ServerErrorHandler(SecurityHeaders headers) {
        this.headers = headers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (request.getAttribute(ERROR_STATUS) instanceof Integer given) {
            status = given;
        }
        if (status < 400) {
            status = 500;
        }
        String path = path(request);
        String requestId = KeelServer.newRequestId();
        boolean v2 = Problems.isV2(path);
        byte[] body = body(status, path, requestId, v2);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, v2 ? V2_TYPE : Problems.CONTENT_TYPE);
        response.getHeaders().put("X-Request-Id", requestId);
        headers.apply(response.getHeaders()::put);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** The body of an answer Jetty's HTTP parser gives before there is a request (no path known), as problem+json. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        String requestId = KeelServer.newRequestId();
        fields.put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        fields.put("X-Request-Id", requestId);
        headers.apply(fields::put);
        return ByteBuffer.wrap(body(status, null, requestId, false));
    }

    /**
     * The answer's body. When the path is not known (Jetty refused the request line itself, e.g. a target too long), it is
     * problem+json that also carries the Open Inference Protocol's {@code error} member, so that either kind of client
     * reads it.
     */
    private static byte[] body(int status, String path, String requestId, boolean v2) {
        KeelException problem = new KeelException(code(status), detail(status));
        if (v2) {
            return Json.write(Map.of("error", problem.getMessage())).getBytes(StandardCharsets.UTF_8);
        }
        Map<String, Object> members = new java.util.LinkedHashMap<>(Problems.body(problem, status, problem.getMessage(), path, requestId));
        if (path == null) {
            members.put("error", problem.getMessage());
        }
        return Json.write(members).getBytes(StandardCharsets.UTF_8);
    }

    /** The raw path of the request when it is short printable ASCII, else null (so nothing odd is echoed). */
    private static String path(Request request) {
        try {
            String path = request.getHttpURI().getPath();
            if (UNPARSED_REQUEST.equals(path)) {
                return null;
            }
            if (path == null || path.length() > 512 || !path.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                return path != null && (path.startsWith("/v2/") || path.equals("/v2")) ? "/v2" : null;
            }
            return path;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ErrorCode code(int status) {
        return switch (status) {
            case 400 -> ErrorCode.INVALID_REQUEST;
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 431 -> ErrorCode.HEADERS_TOO_LARGE;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> Problems.fromStatus(status, null).code();
        };
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "the request is malformed: the HTTP request line, a header or the percent-encoding of the path could not be read";
            case 404 -> "no route matches the path; see /openapi.json";
            case 405 -> "the route does not accept this method";
            case 413 -> "the body is larger than the server accepts (server.max-request-size)";
            case 414 -> "the request target (path and query) is longer than the server accepts";
            case 415 -> "the body's content type is not accepted here";
            case 431 -> "the request headers are larger than the server accepts";
            case 503 -> "the server is not ready; retry later";
            default -> status >= 500 ? "the server could not answer the request" : "the request could not be served (HTTP " + status + ")";
        };
    }
}
