package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A small client of Keel's HTTP API for the command line and the demo. */
public final class KeelClient {
    private final URI base;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public KeelClient(String baseUrl, Optional<String> token) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.token = token.filter(value -> !value.isBlank());
    }

    /** An API error: the problem's status, code and detail. */
    public static final class ApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        ApiException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    public String baseUrl() {
        return base.toString();
    }

    public JsonNode get(String path) {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    public JsonNode put(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    /** Sends a text body as it is (a YAML spec), with its content type. */
    public JsonNode putText(String path, String body, String contentType) {
        return send(request(path).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** POSTs a text body as it is (a YAML spec), with its content type. */
    public JsonNode postText(String path, String body, String contentType) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public JsonNode delete(String path) {
        return send(request(path).DELETE());
    }

    /**
     * Uploads raw bytes with metadata in the X-Keel-Metadata header. The request asks {@code Expect: 100-continue}, so a model
     * the server refuses (too large, no permission) is refused before its bytes are sent.
     */
    public JsonNode upload(String path, byte[] bytes, Object metadata) {
        return send(request(path).expectContinue(true).header("Content-Type", "application/octet-stream")
                .header("X-Keel-Metadata", Json.write(metadata)).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    /** The raw bytes of a GET (a model artifact). */
    public byte[] getBytes(String path) {
        HttpRequest request = request(path).GET().build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() >= 400) {
                throw new ApiException(response.statusCode(), "HTTP_" + response.statusCode(), "GET " + path + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new ApiException(0, "UNREACHABLE", "request to " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "INTERRUPTED", "interrupted");
        }
    }

    /** The raw text of a GET, for metrics. */
    public String getText(String path) {
        HttpResponse<String> response = exchange(request(path).GET());
        if (response.statusCode() >= 400) {
            throw problem(response);
        }
        return response.body();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Builds a query string from the present values. */
    public static String query(Map<String, Optional<String>> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> value.ifPresent(text -> query.append(query.isEmpty() ? "?" : "&").append(name).append('=')
                .append(encode(text))));
        return query.toString();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(5)).header("Accept", "application/json");
        token.ifPresent(value -> builder.header("Authorization", "Bearer " + value));
        return builder;
    }

    private JsonNode send(HttpRequest.Builder builder) {
        HttpResponse<String> response = exchange(builder);
        if (response.statusCode() >= 400) {
            throw problem(response);
        }
        try {
            return response.body().isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new ApiException(response.statusCode(), "INVALID_RESPONSE", "the server answered with something that is not JSON");
        }
    }

    private HttpResponse<String> exchange(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException(0, "UNREACHABLE", "cannot reach Keel at " + base + " (is `keel server` running? set --url or KEEL_URL)");
        } catch (IOException e) {
            throw new ApiException(0, "UNREACHABLE", "request to " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "INTERRUPTED", "interrupted");
        }
    }

    private static ApiException problem(HttpResponse<String> response) {
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            String detail = body.path("detail").asText(body.path("error").asText(response.body()));
            StringBuilder message = new StringBuilder(detail);
            for (JsonNode error : body.path("errors")) {
                message.append("\n  - ").append(error.path("field").asText()).append(": ").append(error.path("message").asText());
            }
            return new ApiException(response.statusCode(), body.path("code").asText("HTTP_" + response.statusCode()), message.toString());
        } catch (IOException | RuntimeException e) {
            return new ApiException(response.statusCode(), "HTTP_" + response.statusCode(), "HTTP " + response.statusCode());
        }
    }
}
