package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.json.Json;
import dev.keel.core.security.Permission;
import dev.keel.core.security.Role;
import dev.keel.core.security.TokenService;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real Keel server for integration tests: port 0 on 127.0.0.1, data in a temporary directory, metadata in a fresh SQLite
 * file or PostgreSQL schema, an admin token, and a plain {@link HttpClient} to call it.
 *
 * <p>Besides Keel's own routes it serves {@code GET /v1/testing/slow} (permission SERVER_READ): with {@code ?hold=true} it
 * signals {@link #slowEntered()} and waits for {@link #releaseSlow()}, so tests can keep a request in flight.
 */
final class TestingServer implements AutoCloseable {
    /** The artifact size limit configured for tests. */
    static final long MAX_MODEL_SIZE = 64 * 1024;

    private final TestDatabases.TestStore store;
    private final KeelServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String adminToken;
    private final int port;
    private final CountDownLatch slowEntered = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private boolean closed;

    private final StoreKind kind;

    private final Path directory;

    private TestingServer(StoreKind kind, Path directory) {
        this(kind, directory, "");
    }

    private TestingServer(StoreKind kind, Path directory, String extraConfig) {
        this(kind, directory, "", extraConfig, java.time.Clock.systemUTC());
    }

    private TestingServer(StoreKind kind, Path directory, String serverConfig, String extraConfig, java.time.Clock clock) {
        this.kind = kind;
        this.directory = directory;
        this.store = TestDatabases.create(kind, directory);
        try {
            Files.createDirectories(sources());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KeelConfig config = KeelConfig.parse("""
                server:
                  host: 127.0.0.1
                  port: 0
                  shutdown-grace: 10s
                %s
                data-dir: '%s'
                store:
                  url: '%s'
                  user: '%s'
                  pool-size: 4
                artifacts:
                  max-model-size: %d
                logging:
                  requests: false
                pipelines:
                  source-roots: ['%s', '%s']
                """.formatted(serverConfig.indent(2).stripTrailing(), directory.resolve("data"), store.url(), store.user(), MAX_MODEL_SIZE,
                // The repository root, where the example data of pipeline tests lives, and a folder for a test's own files.
                Path.of("..").toAbsolutePath().normalize(), sources()) + extraConfig, Map.of());
        Keel keel = Keel.open(config, clock);
        HttpService slow = api -> api.get("/v1/testing/slow", Permission.SERVER_READ).describe("testing.slow", "Holds the request on demand")
                .handle(call -> {
                    if (call.query("hold").isPresent()) {
                        slowEntered.countDown();
                        if (!slowRelease.await(20, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the test never released the slow request");
                        }
                    }
                    call.ok(Map.of("slow", "done"));
                });
        this.server = KeelServer.start(keel, List.of(slow), new PrintStream(OutputStream.nullOutputStream()));
        this.port = server.port();
        this.adminToken = token("admin", Map.of("*", Role.ADMIN));
    }

    /** Starts a server on the store kind, with its files in a new temporary directory that {@link #close()} deletes. */
    static TestingServer start(StoreKind kind) {
        Path directory;
        try {
            directory = Files.createTempDirectory("keel-server-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestingServer(kind, directory);
    }

    /** Starts a server as {@link #start(StoreKind)} does, with more top-level configuration sections (YAML) appended. */
    static TestingServer start(StoreKind kind, String extraConfig) {
        Path directory;
        try {
            directory = Files.createTempDirectory("keel-server-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestingServer(kind, directory, extraConfig);
    }

    /** Starts a server whose {@code server:} section also holds {@code serverConfig} (YAML), on the given clock. */
    static TestingServer startWithServerConfig(StoreKind kind, String serverConfig, java.time.Clock clock) {
        try {
            return new TestingServer(kind, Files.createTempDirectory("keel-server-test"), serverConfig, "", clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder under the pipelines' source roots for files a test writes. */
    Path sources() {
        return directory.resolve("sources");
    }

    StoreKind kind() {
        return kind;
    }

    KeelServer server() {
        return server;
    }

    Keel keel() {
        return server.keel();
    }

    String adminToken() {
        return adminToken;
    }

    /** Creates a token directly in the store and returns its secret. */
    String token(String name, Map<String, Role> grants) {
        return created(name, grants).secret();
    }

    TokenService.CreatedToken created(String name, Map<String, Role> grants) {
        return keel().tokens().create(name, grants, Optional.empty(), "test", Optional.empty());
    }

    CountDownLatch slowEntered() {
        return slowEntered;
    }

    void releaseSlow() {
        slowRelease.countDown();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** One HTTP answer. */
    record Response(int status, java.net.http.HttpHeaders headers, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + body(), e);
            }
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + body();
        }
    }

    Response get(String path, String token) {
        return send("GET", path, token, null, null, Map.of());
    }

    Response postJson(String path, String token, String json) {
        return send("POST", path, token, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
    }

    Response send(String method, String path, String token, byte[] body, String contentType, Map<String, String> headers) {
        return send(method, path, token, body, contentType, headers, false);
    }

    /** As {@link #send(String, String, String, byte[], String, Map)}, optionally asking {@code Expect: 100-continue}. */
    Response send(String method, String path, String token, byte[] body, String contentType, Map<String, String> headers,
            boolean expectContinue) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).expectContinue(expectContinue)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a model in project {@code default} with the given gate thresholds. */
    Response createModel(String name, String... thresholds) {
        String gate = thresholds.length == 0 ? "" : ", \"gate\": {\"thresholds\": " + Json.write(List.of(thresholds)) + "}";
        return postJson("/v1/models", adminToken, "{\"name\": \"" + name + "\"" + gate + "}");
    }

    /** Uploads a version as a raw body with metadata in the X-Keel-Metadata header. */
    Response upload(String model, byte[] artifact, String metadataJson) {
        return send("POST", "/v1/models/" + model + "/versions", adminToken, artifact, "application/octet-stream",
                metadataJson == null ? Map.of() : Map.of("X-Keel-Metadata", metadataJson));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                server.close();
                store.close();
            } finally {
                deleteRecursively(directory);
            }
        }
    }

    private static void deleteRecursively(Path directory) {
        try (var files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
