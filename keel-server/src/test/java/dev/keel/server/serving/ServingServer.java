package dev.keel.server.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.json.Json;
import dev.keel.server.Keel;
import dev.keel.server.KeelServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A real Keel server on port 0 over a SQLite file, with helpers to register the credit forest and call the API. */
final class ServingServer implements AutoCloseable {
    static final Path MODELS = Path.of("..", "build", "fixtures", "models").toAbsolutePath().normalize();
    static final String ADMIN = "test-admin-secret-0123456789-abcdefghij";

    private final KeelServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    private ServingServer(KeelServer server) {
        this.server = server;
        this.base = "http://127.0.0.1:" + server.port();
    }

    static ServingServer start(Path directory) {
        return start(directory, Map.of());
    }

    static ServingServer start(Path directory, Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(settings);
        environment.put("KEEL_DATA_DIR", directory.toString());
        environment.put("KEEL_SERVER_PORT", "0");
        environment.put("KEEL_SERVER_HOST", "127.0.0.1");
        environment.put("KEEL_LOGGING_REQUESTS", "false");
        environment.putIfAbsent("KEEL_SERVING_WORKERS", "2");
        Keel keel = Keel.open(KeelConfig.load(environment));
        keel.bootstrapAdmin(Optional.of(ADMIN));
        return new ServingServer(KeelServer.start(keel, List.of(), new PrintStream(PrintStream.nullOutputStream())));
    }

    Keel keel() {
        return server.keel();
    }

    /** An HTTP answer. */
    record Response(int status, HttpResponse<String> raw, JsonNode body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Response get(String path) {
        return send(request(path, ADMIN).GET());
    }

    Response post(String path, Object body) {
        return post(path, body, ADMIN);
    }

    Response post(String path, Object body, String token) {
        String text = body instanceof String raw ? raw : Json.write(body);
        return send(request(path, token).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    Response put(String path, Object body) {
        return send(request(path, ADMIN).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    Response delete(String path) {
        return send(request(path, ADMIN).DELETE());
    }

    /** A call with a body of any content type ({@code null}: no Content-Type header). */
    Response send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder builder = request(path, ADMIN).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder);
    }

    int port() {
        return server.port();
    }

    Response getAnonymous(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode body = response.body().isBlank() ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(response.body());
            return new Response(response.statusCode(), response, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a model in the default project (once) and registers an artifact as its next version. */
    int register(String model, byte[] artifact, String format, Map<String, String> tags) {
        return register(model, artifact, format, tags, creditSchema());
    }

    /** Registers an artifact without a feature schema. */
    int registerPlain(String model, String fixture) {
        return register(model, model(fixture), "onnx", Map.of(), List.of());
    }

    int register(String model, byte[] artifact, String format, Map<String, String> tags, List<Map<String, Object>> features) {
        if (get("/v1/models/" + model).status() == 404) {
            expect(post("/v1/models", Map.of("name", model, "project", "default")), 201);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", format);
        metadata.put("features", features);
        metadata.put("tags", tags);
        Response response = send(request("/v1/models/" + model + "/versions", ADMIN).header("Content-Type", "application/octet-stream")
                .header("X-Keel-Metadata", Json.write(metadata)).POST(HttpRequest.BodyPublishers.ofByteArray(artifact)));
        return expect(response, 201).body().path("version").asInt();
    }

    int registerCredit(String model) {
        return register(model, creditArtifact(), "onnx", Map.of("labels", "good,bad"));
    }

    int registerTesting(String model, String behaviour) {
        return register(model, behaviour.getBytes(StandardCharsets.UTF_8), "testing", Map.of());
    }

    void promote(String model, String alias, int version) {
        expect(post("/v1/models/" + model + "/aliases/" + alias, Map.of("version", version, "reason", "test")), 200);
    }

    static Response expect(Response response, int status) {
        if (response.status() != status) {
            throw new AssertionError("expected HTTP " + status + " but got " + response.status() + ": " + response.raw().body());
        }
        return response;
    }

    static byte[] creditArtifact() {
        return model("credit_rf.onnx");
    }

    static byte[] model(String name) {
        try {
            return Files.readAllBytes(MODELS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> creditFeatures() {
        try {
            return Files.readAllLines(MODELS.resolve("credit_rf_features.txt")).stream().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every feature numeric and at least 0; indicator columns at most 1. */
    static List<Map<String, Object>> creditSchema() {
        List<Map<String, Object>> schema = new ArrayList<>();
        for (String name : creditFeatures()) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("name", name);
            spec.put("type", "number");
            spec.put("min", 0);
            spec.put("sensitive", false);
            if (name.contains("=")) {
                spec.put("max", 1);
            }
            schema.add(spec);
        }
        return schema;
    }

    /** The held-out German credit rows (encoded features) of the fixture. */
    static List<float[]> creditRows() {
        try {
            List<String> lines = Files.readAllLines(MODELS.resolve("credit_rf_reference.csv"));
            int width = creditFeatures().size();
            List<float[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                float[] row = new float[width];
                for (int i = 0; i < width; i++) {
                    row[i] = Float.parseFloat(cells[i]);
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A row as a record of named features. */
    static Map<String, Object> record(float[] row) {
        List<String> names = creditFeatures();
        Map<String, Object> record = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            record.put(names.get(i), row[i]);
        }
        return record;
    }

    static Map<String, Object> instances(List<float[]> rows) {
        return Map.of("instances", rows.stream().map(ServingServer::record).toList());
    }

    @Override
    public void close() {
        server.close();
    }
}
