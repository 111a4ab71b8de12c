package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code monitoring.log-durability: durable}, a real server process killed with SIGKILL under load loses no
 * prediction it had answered: every request id answered 200 is in the prediction log after a restart.
 */
class DurableLogCrashTest {
    private static final String TOKEN = "crash-admin-token-0123456789-abcdefghijklmnop";

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("build/fixtures/models"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A jar whose manifest lists the test's class path: the server is started with a short {@code -cp}. (Started with the
     * class path spelled out on the command line, about 10 kB, the server died of SIGSEGV without a JVM error report when
     * it loaded its first ONNX model; with {@code lib/*} as {@code ./keel} passes it, or this jar, it does not.)
     */
    private Path classPathJar() throws IOException {
        Path jar = directory.resolve("classpath.jar");
        if (Files.exists(jar)) {
            return jar;
        }
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, String.join(" ",
                java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                        .map(entry -> Path.of(entry).toUri().toString()).toList()));
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return jar;
    }

    private Process start(int port, Path data, String name) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp", classPathJar().toString(), Main.class.getName(),
                "server", "--port", Integer.toString(port), "--data-dir", data.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve(name + ".log").toFile());
        builder.environment().put("KEEL_ADMIN_TOKEN", TOKEN);
        builder.environment().put("KEEL_MONITORING_LOG_DURABILITY", "durable");
        builder.environment().put("KEEL_LOGGING_REQUESTS", "false");
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertThat(process.isAlive()).as("server exited: %s", Files.readString(directory.resolve(name + ".log"))).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("server not ready in 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> send(String method, String url, String contentType, HttpRequest.BodyPublisher body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", contentType).method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String serverLog() throws IOException {
        Path log = directory.resolve("first.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private void register(String base) throws Exception {
        Path models = root().resolve("build/fixtures/models");
        String meta = "{\"tags\": {\"labels\": \"good,bad\"}}";
        assertThat(send("POST", base + "/v1/models", "application/json", HttpRequest.BodyPublishers.ofString(
                "{\"name\": \"credit\", \"project\": \"default\"}")).statusCode()).isEqualTo(201);
        HttpResponse<String> version;
        try {
            version = send("POST", base + "/v1/models/credit/versions", "application/octet-stream",
                    HttpRequest.BodyPublishers.ofFile(models.resolve("credit_rf.onnx")), "X-Keel-Metadata", meta);
        } catch (IOException e) {
            throw new AssertionError("upload failed: " + e + "; server log: " + serverLog(), e);
        }
        assertThat(version.statusCode()).as("%s; server log: %s", version.body(), serverLog()).isEqualTo(201);
        assertThat(send("POST", base + "/v1/models/credit/aliases/champion", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"version\": 1}")).statusCode()).isLessThan(300);
        HttpResponse<String> endpoint = send("POST", base + "/v1/endpoints", "application/json",
                HttpRequest.BodyPublishers.ofString("{\"name\": \"credit\", \"model\": \"credit\", \"alias\": \"champion\"}"));
        assertThat(endpoint.statusCode()).as(endpoint.body()).isLessThan(300);
    }

    private static Set<String> logged(Path predictions) throws Exception {
        List<String> files;
        try (Stream<Path> walk = Files.walk(predictions)) {
            files = walk.map(Path::toString).filter(name -> name.endsWith(".parquet")).toList();
        }
        Set<String> ids = new HashSet<>();
        if (files.isEmpty()) {
            return ids;
        }
        String list = String.join(", ", files.stream().map(name -> "'" + name.replace("'", "''") + "'").toList());
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT request_id FROM read_parquet([" + list + "], union_by_name = true)")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    @Test
    void killedWithSigkillUnderLoad_losesNoAnsweredPrediction() throws Exception {
        int port = freePort();
        Path data = directory.resolve("data");
        String base = "http://127.0.0.1:" + port;
        Process server = start(port, data, "first");
        ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            register(base);
            String body = Files.readString(root().resolve("bench/serving/body_1row.json"));
            for (int client = 0; client < 8; client++) {
                int id = client;
                clients.submit(() -> {
                    for (int n = 0; running.get(); n++) {
                        String requestId = "crash-" + id + "-" + n;
                        try {
                            HttpResponse<String> answer = send("POST", base + "/v2/models/credit/infer", "application/json",
                                    HttpRequest.BodyPublishers.ofString(body), "X-Request-Id", requestId);
                            if (answer.statusCode() == 200) {
                                answered.add(requestId);
                            }
                        } catch (Exception refusedOrCut) {
                            // the server is being killed: this request was not answered
                        }
                    }
                    return null;
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answered.size() < 500) {
                assertThat(System.nanoTime()).as("500 answers in 60 s; got " + answered.size()).isLessThan(deadline);
                Thread.sleep(20);
            }
            // SIGKILL while requests are in flight: no shutdown hook, no close(), no flush.
            new ProcessBuilder("kill", "-9", Long.toString(server.pid())).start().waitFor();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            running.set(false);
            clients.shutdown();
            clients.awaitTermination(60, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
        assertThat(server.exitValue()).isEqualTo(137);
        List<String> answers = new ArrayList<>(answered);
        assertThat(answers).hasSizeGreaterThanOrEqualTo(500);

        Process restarted = start(port, data, "second");
        try {
            Set<String> logged = logged(data.resolve("predictions"));
            List<String> missing = answers.stream().filter(id -> !logged.contains(id)).toList();
            assertThat(missing).as("answered 200 but not in the log after the restart (of %d answered)", answers.size()).isEmpty();
        } finally {
            restarted.destroy();
            restarted.waitFor(30, TimeUnit.SECONDS);
            restarted.destroyForcibly();
        }
    }
}
