package dev.keel.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.security.Permission;
import dev.keel.core.security.Principal;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** One HTTP call as the route handlers see it: the caller, parsed parameters and body, and ways to answer. */
public final class Call {
    private final Context context;
    private final String requestId;
    private final long maxBody;
    private Principal principal;
    private JsonNode body;
    private String project;

    Call(Context context, String requestId, long maxBody) {
        this.context = context;
        this.requestId = requestId;
        this.maxBody = maxBody;
    }

    private byte[] bytes;

    /**
     * The raw body, read once straight from the request stream; larger than {@code server.max-request-size} is a 413.
     */
    public byte[] body() {
        if (bytes == null) {
            long declared = context.req().getContentLengthLong();
            if (declared > maxBody) {
                throw refuse(context, new KeelException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is " + declared + " bytes; the limit is "
                        + maxBody + " bytes (server.max-request-size)"));
            }
            try {
                java.io.InputStream in = context.req().getInputStream();
                bytes = declared >= 0 ? in.readNBytes((int) declared) : in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
            } catch (IOException e) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "the body could not be read: " + e.getMessage());
            }
            if (bytes.length > maxBody) {
                bytes = null;
                throw refuse(context, new KeelException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + maxBody
                        + " bytes (server.max-request-size)"));
            }
        }
        return bytes;
    }

    /**
     * Most of a refused body is read and dropped before the refusal is sent: a server that answers while the client is still
     * writing and then closes makes the client's TCP stack discard the answer (a reset), so the caller would see a broken
     * connection instead of the 413. Up to {@link #DRAIN_LIMIT} bytes are drained; beyond that the answer carries
     * {@code Connection: close} and the connection is dropped, which is what clients that send {@code Expect: 100-continue} avoid.
     */
    static KeelException refuse(Context context, KeelException refusal) {
        long declared = context.req().getContentLengthLong();
        if (declared > DRAIN_LIMIT) {
            context.header("Connection", "close");
            return refusal;
        }
        byte[] buffer = new byte[8192];
        long left = DRAIN_LIMIT;
        try {
            java.io.InputStream in = context.req().getInputStream();
            int read;
            while (left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= read;
            }
        } catch (IOException e) {
            context.header("Connection", "close");
        }
        if (left <= 0) {
            context.header("Connection", "close");
        }
        return refusal;
    }

    /** How much of a refused body {@link #refuse} reads and drops so that the refusal reaches the client. */
    static final long DRAIN_LIMIT = 1L << 20;

    /** The underlying Javalin context, for streaming and uploads. */
    public Context context() {
        return context;
    }

    public String requestId() {
        return requestId;
    }

    /** The authenticated caller; public routes have none. */
    public Principal principal() {
        if (principal == null) {
            throw new IllegalStateException("public route has no principal");
        }
        return principal;
    }

    void principal(Principal principal) {
        this.principal = principal;
    }

    Optional<Principal> maybePrincipal() {
        return Optional.ofNullable(principal);
    }

    Optional<String> project() {
        return Optional.ofNullable(project);
    }

    void project(String project) {
        this.project = project;
    }

    /** The actor name for records. */
    public String actor() {
        return principal == null ? "anonymous" : principal.actor();
    }

    public String path(String name) {
        return context.pathParam(name);
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(context.queryParam(name)).filter(value -> !value.isEmpty());
    }

    /** An integer query parameter in [min, max]. */
    public int queryInt(String name, int fallback, int min, int max) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KeelException(ErrorCode.INVALID_REQUEST, "query parameter '" + name + "' is '" + raw.get()
                + "' but must be an integer from " + min + " to " + max, java.util.List.of(new KeelException.FieldError(name,
                "expected an integer from " + min + " to " + max)));
    }

    /** The body parsed as a JSON object; a missing or malformed body is a 400 naming the problem. */
    public JsonNode json() {
        if (body == null) {
            byte[] bytes = body();
            if (bytes.length == 0) {
                throw new KeelException(ErrorCode.INVALID_JSON, "the request needs a JSON body");
            }
            requireJsonContent();
            body = jsonObject(bytes);
        }
        return body;
    }

    /** Bytes read as a JSON object; malformed JSON or another JSON value is a 400 naming the problem. */
    public static JsonNode jsonObject(byte[] bytes) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw invalidJson(e);
        }
        if (node == null || !node.isObject()) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        }
        return node;
    }

    /** The failure to read a JSON body as a 400 that says why: the limit exceeded, or the syntax error and where it is. */
    public static KeelException invalidJson(IOException failure) {
        if (failure instanceof JsonProcessingException json) {
            return new KeelException(ErrorCode.INVALID_JSON, "the body is not valid JSON: " + Json.describeFailure(json));
        }
        return new KeelException(ErrorCode.INVALID_JSON, "the body could not be read: " + failure.getMessage());
    }

    /**
     * The body's media type in lower case without parameters ({@code text/csv; charset=utf-8} is {@code text/csv}); empty
     * when the request names none.
     */
    public String mediaType() {
        String header = context.header("Content-Type");
        if (header == null) {
            return "";
        }
        int parameters = header.indexOf(';');
        return (parameters >= 0 ? header.substring(0, parameters) : header).strip().toLowerCase(java.util.Locale.ROOT);
    }

    /** True for {@code application/json} and structured-syntax {@code +json} types such as {@code application/merge-patch+json}. */
    /** The media types a spec may be sent as besides JSON. */
    public static final java.util.Set<String> YAML_TYPES = java.util.Set.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");

    /**
     * The body of a call that sends a spec, as text: YAML (one of {@link #YAML_TYPES}) or JSON (which must parse); 415 for
     * another media type, 400 for an empty body naming {@code what} ("the policy spec").
     */
    public String specText(String what) {
        String mediaType = mediaType();
        if (!isJson(mediaType) && !YAML_TYPES.contains(mediaType)) {
            throw unsupportedMedia(mediaType, "application/yaml (or text/yaml, application/x-yaml, text/x-yaml) or application/json");
        }
        if (isJson(mediaType)) {
            json();
        }
        String text = new String(body(), java.nio.charset.StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw KeelException.badRequest("the body is empty; send " + what + " as YAML or JSON");
        }
        return text;
    }

    public static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || (mediaType.endsWith("+json") && mediaType.indexOf('/') > 0);
    }

    /** Fails with 415 naming the accepted types unless the body is declared as JSON. */
    public void requireJsonContent() {
        String type = mediaType();
        if (!isJson(type)) {
            throw unsupportedMedia(type, "application/json (or a +json type)");
        }
    }

    /** The 415 for a body of a media type the route does not take; {@code expected} lists the types it does. */
    public static KeelException unsupportedMedia(String mediaType, String expected) {
        String given = mediaType.isEmpty() ? "no Content-Type" : "Content-Type '" + (mediaType.length() > 100 ? mediaType.substring(0, 100)
                + "..." : mediaType) + "'";
        return new KeelException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body was sent with " + given + "; this route takes " + expected,
                java.util.List.of(new KeelException.FieldError("Content-Type", "expected " + expected)));
    }

    /** The body bound to a type; unknown fields, wrong types and failed checks are 400s naming the field. */
    public <T> T json(Class<T> type) {
        return bind(json(), type);
    }

    /** Binds a JSON tree to a type with the same error mapping as request bodies. */
    public static <T> T bind(JsonNode node, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            String field = fieldPath(e);
            throw new KeelException(ErrorCode.INVALID_REQUEST, "unknown field '" + field + "'; known fields: "
                    + e.getKnownPropertyIds(), java.util.List.of(new KeelException.FieldError(field, "unknown field")));
        } catch (InvalidFormatException e) {
            String field = fieldPath(e);
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field '" + field + "' is '" + e.getValue() + "' but must be "
                    + describe(e.getTargetType()), java.util.List.of(new KeelException.FieldError(field, "expected " + describe(e.getTargetType()))));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KeelException keel) {
                throw keel;
            }
            throw new KeelException(ErrorCode.INVALID_REQUEST, "invalid value at '" + fieldPath(e) + "': "
                    + (cause == null ? e.getOriginalMessage() : cause.getMessage()));
        } catch (MismatchedInputException e) {
            String field = fieldPath(e);
            String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field '" + field + "' has the wrong type; expected " + expected,
                    java.util.List.of(new KeelException.FieldError(field, "expected " + expected)));
        } catch (JsonProcessingException e) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "invalid body: " + e.getOriginalMessage());
        }
    }

    private static String fieldPath(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (var reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(body)" : path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
        }
        if (type.isArray()) {
            return "an array";
        }
        // records and other classes are JSON objects; their Java names mean nothing to a caller
        return "an object";
    }

    /** A string field of the body, or the fallback. */
    public String jsonText(String field, String fallback) {
        JsonNode node = json().get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field '" + field + "' must be a string",
                    java.util.List.of(new KeelException.FieldError(field, "expected a string")));
        }
        return node.asText();
    }

    /** Fails with 403 unless the caller holds the permission in the project. */
    public void require(Permission permission, String project) {
        if (!principal().can(permission, project)) {
            throw new KeelException(ErrorCode.FORBIDDEN, "token '" + principal().name() + "' lacks permission " + permission
                    + " in project '" + project + "'");
        }
    }

    /** The projects where the caller holds the permission ({@code *}: all). */
    public Set<String> projectsWith(Permission permission) {
        return principal().projectsWith(permission).stream().collect(Collectors.toUnmodifiableSet());
    }

    /** True when the caller may see objects of the project under this permission. */
    public boolean sees(Permission permission, String project) {
        return principal().can(permission, project);
    }

    public void json(int status, Object value) {
        try {
            context.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void ok(Object value) {
        json(200, value);
    }

    public void created(Object value) {
        json(201, value);
    }
}
