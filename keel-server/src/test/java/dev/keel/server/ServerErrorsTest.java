package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.testing.StoreKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the HTTP server itself answers (before any route runs) keeps Keel's contract: problem+json outside {@code /v2},
 * {@code {"error": "..."}} under it, never HTML and never an empty error body. Requests are written on a plain socket,
 * since the JDK's client refuses to send most of them.
 */
class ServerErrorsTest {
    static TestingServer server;

    @BeforeAll
    static void start() {
        server = TestingServer.start(StoreKind.SQLITE);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A raw answer: status, lower-case header names, body. */
    record Raw(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        String contentType() {
            return headers.getOrDefault("content-type", "");
        }
    }

    static Raw raw(String requestHead) {
        int port = server.uri("/").getPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] all = in.readAllBytes();
            return parse(new String(all, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Raw parse(String text) {
        int headEnd = text.indexOf("\r\n\r\n");
        assertThat(headEnd).as("an HTTP answer: " + text).isPositive();
        String[] lines = text.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(headEnd + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
                if (size == 0) {
                    break;
                }
                joined.append(body, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
            body = joined.toString();
        }
        return new Raw(status, headers, body);
    }

    private static String get(String target, String... extraHeaders) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + String.join("", extraHeaders) + "\r\n";
    }

    private static void assertProblem(Raw answer, int status) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
        JsonNode body = answer.json();
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("code").asText()).isNotBlank();
        assertThat(body.path("detail").asText()).isNotBlank();
    }

    private static void assertV2Error(Raw answer, int status) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.contentType()).as(answer.toString()).startsWith("application/json");
        assertThat(answer.json().path("error").asText()).isNotBlank();
    }

    @Test
    void badPercentEncodingInThePath_isProblemJson400() {
        assertProblem(raw(get("/v1/models/%ff%fe")), 400);
    }

    @Test
    void badPercentEncodingUnderV2_isTheV2Error() {
        assertV2Error(raw(get("/v2/models/%ff%fe/ready")), 400);
    }

    @Test
    void uriTooLong_isProblemJson414() {
        Raw answer = raw(get("/v1/models/" + "a".repeat(20_000)));

        assertProblem(answer, 414);
        assertThat(answer.json().path("code").asText()).isEqualTo("URI_TOO_LONG");
    }

    /** Jetty refuses the request line before the path is known, so the answer carries both contracts' members. */
    @Test
    void uriTooLongUnderV2_carriesTheV2ErrorMember() {
        Raw answer = raw(get("/v2/models/" + "a".repeat(20_000)));

        assertProblem(answer, 414);
        assertThat(answer.json().path("error").asText()).isNotBlank();
        assertThat(answer.json().has("instance")).isFalse();
    }

    @Test
    void headersTooLarge_isProblemJson431() {
        Raw answer = raw(get("/v1/models", "X-Big: " + "b".repeat(20_000) + "\r\n"));

        assertProblem(answer, 431);
        assertThat(answer.json().path("code").asText()).isEqualTo("HEADERS_TOO_LARGE");
    }

    @Test
    void malformedRequestLine_isProblemJson400() {
        Raw answer = raw("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\nConnection: close\r\n\r\n");

        assertProblem(answer, 400);
    }

    @Test
    void otherMethods_answerWithABody() {
        for (String method : new String[] {"TRACE", "OPTIONS", "PATCH", "BREW"}) {
            Raw answer = raw(method + " /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertThat(answer.status()).as(method + ": " + answer).isBetween(400, 599);
            assertThat(answer.contentType()).as(method + ": " + answer).startsWith("application/problem+json");
            assertThat(answer.json().path("detail").asText()).as(method).isNotBlank();
        }
    }

    @Test
    void unknownRouteAndMethod_keepTheirProblems() {
        assertProblem(raw(get("/nothing/here")), 404);
        assertProblem(raw("DELETE /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 405);
    }

    @Test
    void jettysOwnAnswers_carryTheSecurityHeaders() {
        for (Raw answer : new Raw[] {raw(get("/v1/models/%ff%fe")), raw(get("/v1/models/" + "a".repeat(20_000))),
                raw(get("/v1/models", "X-Big: " + "b".repeat(20_000) + "\r\n"))}) {
            SecurityHeadersTest.EXPECTED.forEach((name, value) ->
                    assertThat(answer.headers().get(name.toLowerCase(Locale.ROOT))).as(name + " on " + answer).isEqualTo(value));
        }
    }
}
