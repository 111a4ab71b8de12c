package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keel.core.alert.Channel;
import dev.keel.core.alert.DeliveryAttempt;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.Trigger;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Incident;
import dev.keel.core.monitor.Monitor;
import dev.keel.core.monitor.MonitorResult;
import dev.keel.core.monitor.MonitorSpec;
import dev.keel.core.monitor.Monitoring;
import dev.keel.core.monitor.PredictionRecord;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.serving.EndpointConfig;
import dev.keel.core.serving.FallbackMode;
import dev.keel.core.serving.PredictOptions;
import dev.keel.core.serving.PredictionInput;
import dev.keel.core.testing.TestModels;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import dev.keel.spi.data.ValueRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real faults provoked in a real Keel over a temporary SQLite file, each followed to the incident it must end in: its kind,
 * project, objects and count, and for the same fault twice one incident counted twice.
 */
class FaultInjectionTest {
    /** Everything lives in a project of its own, so that an incident filed under the fallback project 'default' fails. */
    private static final String PROJECT = "risk";
    private static final Instant START = Instant.parse("2026-12-01T10:01:00Z");

    @TempDir
    Path directory;

    private final TestingClock clock = new TestingClock(START);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Keel keel;
    private Path sources;

    @BeforeEach
    void open() throws IOException {
        sources = Files.createDirectories(directory.resolve("sources"));
        keel = open(false);
        keel.projects().create(PROJECT, "fault injection", "test");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closing.reversed()) {
            closeable.close();
        }
        if (keel != null) {
            keel.close();
        }
    }

    private Keel open(boolean scheduler) {
        KeelConfig config = KeelConfig.parse("""
                data-dir: '%s'
                store:
                  url: 'jdbc:sqlite:%s'
                logging:
                  requests: false
                pipelines:
                  scheduler: %s
                  base-directory: '%s'
                  source-roots: ['%s']
                  http:
                    allow-private: true
                serving:
                  workers: 2
                  inline-scoring: false
                  overload:
                    limit: 3
                  shadow:
                    window: 10
                    disagreement-limit: 0.2
                alerts:
                  http:
                    allow-private: true
                  delivery:
                    attempts: 2
                    initial-backoff: 10ms
                    max-backoff: 20ms
                    timeout: 2s
                  smtp:
                    allowed-hosts: ['127.0.0.1']
                """.formatted(directory.resolve("data"), directory.resolve("keel.db"), scheduler, sources, sources), Map.of());
        return Keel.open(config, clock);
    }

    // ----- helpers -----

    /** The one incident of a kind, after everything published so far is written. */
    private Incident incident(String kind) {
        List<Incident> found = incidents(kind);
        assertThat(found).as("incidents of kind %s", kind).hasSize(1);
        return found.getFirst();
    }

    private List<Incident> incidents(String kind) {
        keel.incidents().sink().flush();
        return keel.incidents().list(PROJECT, EnumSet.allOf(Incident.Status.class), 100).stream()
                .filter(incident -> incident.kind().equals(kind)).toList();
    }

    /** Polls, with a bound, for an incident that an asynchronous path raises. */
    private Incident awaitIncident(String kind, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<Incident> found = incidents(kind);
            if (!found.isEmpty() && found.getFirst().count() >= count) {
                return incident(kind);
            }
            Thread.sleep(20);
        }
        return incident(kind);
    }

    private PipelineRun run(String pipeline) {
        return keel.data().service().run(pipeline, Trigger.API);
    }

    private void register(String spec) {
        keel.data().service().register(spec);
    }

    private HttpServer httpServer(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        closing.add(() -> {
            server.stop(0);
            executor.shutdownNow();
        });
        return server;
    }

    private static String url(HttpServer server, String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private ModelVersion registerModel(String model, byte[] artifact, String format, List<FeatureSpec> features) {
        if (keel.registry().findModel(model).isEmpty()) {
            keel.registry().createModel(PROJECT, model, "fault injection", PromotionGate.open(), "test");
        }
        return keel.registry().registerVersion(model, artifact, new NewVersion(format, features, Map.of(), Map.of(), null, ""), "test");
    }

    private ModelVersion registerTesting(String model, String behaviour) {
        return registerModel(model, behaviour.getBytes(StandardCharsets.UTF_8), "testing", List.of());
    }

    private static PredictionInput features(float value) {
        float[] row = new float[63];
        java.util.Arrays.fill(row, value);
        return new PredictionInput.Tensors(Map.of("features", new Tensor(DataType.FP32, new long[] {1, 63}, row)));
    }

    private static PredictOptions request() {
        return PredictOptions.of(UUID.randomUUID().toString());
    }

    private static EndpointConfig endpoint(String name, String model, String alias, Optional<EndpointConfig.Target> shadow, int concurrency,
                                           int queue, long timeoutMillis, EndpointConfig.Fallback fallback) {
        return new EndpointConfig(name, model, alias, Optional.empty(), shadow, EndpointConfig.Batching.defaults(), concurrency, queue,
                timeoutMillis, fallback);
    }

    // ----- a. a source file that disappears -----

    @Test
    void aSourceFileThatDisappearsBetweenRuns_isOneUnreachableSourceIncidentCountedPerRun() throws IOException {
        Path file = sources.resolve("applicants.csv");
        Files.writeString(file, "id,amount\n1,100\n2,250\n");
        register("""
                pipeline: applicants
                project: risk
                sources:
                  - {name: applicants, type: csv, path: applicants.csv}
                outputs: [{dataset: applicants-clean, from: applicants}]
                """);
        assertThat(run("applicants").status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(incidents("pipeline.source_unreachable")).isEmpty();

        Files.delete(file);
        PipelineRun first = run("applicants");
        PipelineRun second = run("applicants");

        assertThat(first.status()).isEqualTo(RunStatus.FAILED);
        assertThat(second.status()).isEqualTo(RunStatus.FAILED);
        Incident unreachable = incident("pipeline.source_unreachable");
        assertThat(unreachable.project()).isEqualTo(PROJECT);
        assertThat(unreachable.count()).isEqualTo(2);
        assertThat(unreachable.objects()).containsEntry("pipeline", List.of("applicants")).containsEntry("source", List.of("applicants"));
        Incident failed = incident("pipeline.run_failed");
        assertThat(failed.count()).isEqualTo(2);
        assertThat(failed.objects()).containsEntry("pipeline", List.of("applicants"));
    }

    // ----- b. an HTTP source that hangs, one that is slow -----

    @Test
    void anHttpSourceThatNeverAnswers_timesOutAndIsAnUnreachableSource() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = httpServer(exchange -> {
            calls.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        closing.add(release::countDown);
        register("""
                pipeline: scores
                project: risk
                retry: {max-attempts: 1}
                sources:
                  - {name: scores, type: http, url: '%s', timeout: 1s}
                outputs: [{dataset: scores, from: scores}]
                """.formatted(url(server, "/scores")));

        PipelineRun first = run("scores");
        PipelineRun second = run("scores");

        assertThat(first.status()).isEqualTo(RunStatus.FAILED);
        assertThat(first.error()).get().asString().containsIgnoringCase("timed out");
        assertThat(second.status()).isEqualTo(RunStatus.FAILED);
        assertThat(calls).hasValue(2);
        Incident unreachable = incident("pipeline.source_unreachable");
        assertThat(unreachable.count()).isEqualTo(2);
        assertThat(unreachable.project()).isEqualTo(PROJECT);
        assertThat(unreachable.objects()).containsEntry("pipeline", List.of("scores")).containsEntry("source", List.of("scores"));
        assertThat(incidents("pipeline.source_slow")).isEmpty();
    }

    @Test
    void anHttpSourceAnsweringPastSlowAfter_isASlowSourceWhileTheRunSucceeds() throws IOException {
        HttpServer server = httpServer(exchange -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "[{\"id\": 1, \"score\": 0.5}, {\"id\": 2, \"score\": 0.7}]".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        register("""
                pipeline: ratings
                project: risk
                sources:
                  - {name: ratings, type: http, url: '%s', timeout: 10s, slow-after: 100ms}
                outputs: [{dataset: ratings, from: ratings}]
                """.formatted(url(server, "/ratings")));

        assertThat(run("ratings").status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run("ratings").status()).isEqualTo(RunStatus.SUCCEEDED);

        Incident slow = incident("pipeline.source_slow");
        assertThat(slow.count()).isEqualTo(2);
        assertThat(slow.project()).isEqualTo(PROJECT);
        assertThat(slow.objects()).containsEntry("pipeline", List.of("ratings")).containsEntry("source", List.of("ratings"));
        assertThat(incidents("pipeline.source_unreachable")).isEmpty();
    }

    // ----- c. an ONNX model that fails at run time on some inputs -----

    @Test
    void anOnnxModelFailingInsideOnnxRuntimeOnOddBatches_isAModelError_andWithADefaultResponseAFallbackUsed() {
        ModelVersion version = registerModel("pairs", PairsModel.bytes(), "onnx", List.of());
        keel.serving().create(endpoint("pairs", "pairs", Integer.toString(version.version()), Optional.empty(), 4, 4, 5_000,
                EndpointConfig.Fallback.none()), "test");

        var even = keel.serving().predict("pairs", PairsModel.rows(2), request());
        assertThat(even.outputs().get("y").shape()).containsExactly(3, 2);
        assertThat(incidents("endpoint.model_error")).as("two rows reshape to pairs").isEmpty();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> keel.serving().predict("pairs", PairsModel.rows(1), request())).isInstanceOfSatisfying(
                    KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        }

        Incident error = incident("endpoint.model_error");
        assertThat(error.count()).isEqualTo(2);
        assertThat(error.project()).as("found from the model").isEqualTo(PROJECT);
        assertThat(error.objects()).containsEntry("endpoint", List.of("pairs")).containsEntry("model", List.of("pairs"))
                .containsEntry("version", List.of(Integer.toString(version.version())));
        assertThat(incidents("endpoint.fallback_used")).isEmpty();

        keel.serving().create(endpoint("pairs-safe", "pairs", Integer.toString(version.version()), Optional.empty(), 4, 4, 5_000,
                new EndpointConfig.Fallback(FallbackMode.DEFAULT_RESPONSE, Map.of("y", List.of(0.0, 0.0)))), "test");
        var answer = keel.serving().predict("pairs-safe", PairsModel.rows(1), request());

        assertThat(answer.fallback()).contains(FallbackMode.DEFAULT_RESPONSE);
        Incident fallback = incident("endpoint.fallback_used");
        assertThat(fallback.count()).isEqualTo(1);
        assertThat(fallback.project()).isEqualTo(PROJECT);
        assertThat(fallback.objects()).containsEntry("endpoint", List.of("pairs-safe")).containsEntry("model", List.of("pairs"));
    }

    /**
     * An ONNX model written here, protobuf field by field: {@code y = Reshape(x, [-1, 2])} on {@code x} FP32 [N, 3]. It loads,
     * answers batches of an even number of rows and fails inside ONNX Runtime on odd ones (3N values make no pairs).
     */
    static final class PairsModel {
        private PairsModel() {
        }

        static PredictionInput rows(int count) {
            float[] values = new float[count * 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            return new PredictionInput.Tensors(Map.of("x", new Tensor(DataType.FP32, new long[] {count, 3}, values)));
        }

        static byte[] bytes() {
            byte[] shapeTensor = concat(varint(1, 2), packedVarints(7, -1, 2), varint(2, 7), text(8, "pairs_shape"));
            byte[] node = concat(text(1, "x"), text(1, "pairs_shape"), text(2, "y"), text(3, "to_pairs"), text(4, "Reshape"));
            byte[] graph = concat(message(1, node), text(2, "pairs"), message(5, shapeTensor),
                    message(11, valueInfo("x", dimension(2, "N"), dimension(1, 3))),
                    message(12, valueInfo("y", dimension(2, "M"), dimension(1, 2))));
            return concat(varint(1, 8), text(2, "keel-fault-injection"), message(7, graph), message(8, concat(text(1, ""), varint(2, 13))));
        }

        private static byte[] valueInfo(String name, byte[]... dimensions) {
            byte[] tensorType = concat(varint(1, 1), message(2, concat(java.util.Arrays.stream(dimensions).map(d -> message(1, d))
                    .toArray(byte[][]::new))));
            return concat(text(1, name), message(2, message(1, tensorType)));
        }

        private static byte[] dimension(int field, Object value) {
            return value instanceof String name ? text(field, name) : varint(field, ((Integer) value).longValue());
        }

        private static byte[] varint(int field, long value) {
            return concat(rawVarint(field << 3), rawVarint(value));
        }

        private static byte[] text(int field, String value) {
            return message(field, value.getBytes(StandardCharsets.UTF_8));
        }

        private static byte[] message(int field, byte[] body) {
            return concat(rawVarint((field << 3) | 2), rawVarint(body.length), body);
        }

        private static byte[] packedVarints(int field, long... values) {
            return message(field, concat(java.util.Arrays.stream(values).mapToObj(PairsModel::rawVarint).toArray(byte[][]::new)));
        }

        private static byte[] rawVarint(long value) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            long rest = value;
            while ((rest & ~0x7FL) != 0) {
                out.write((int) ((rest & 0x7F) | 0x80));
                rest >>>= 7;
            }
            out.write((int) rest);
            return out.toByteArray();
        }

        private static byte[] concat(byte[]... parts) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (byte[] part : parts) {
                out.writeBytes(part);
            }
            return out.toByteArray();
        }
    }

    // ----- d. a corrupt artifact byte -----

    @Test
    void aStoredArtifactWithOneFlippedByte_isRefusedWhenLoadedAndIsAnIntegrityIncident() throws IOException {
        ModelVersion version = registerModel("credit", TestModels.creditGOnnx(), "onnx", List.of());
        Path stored = Path.of(keel.artifacts().locate(version.artifact().sha256()).orElseThrow());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x01;
        stored.toFile().setWritable(true);
        Files.write(stored, bytes);

        assertThatThrownBy(() -> keel.serving().create(EndpointConfig.of("credit", "credit", Integer.toString(version.version())), "test"))
                .isInstanceOf(KeelException.class);
        assertThatThrownBy(() -> keel.registry().artifact(version)).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE));

        Incident integrity = incident("artifact.integrity_failed");
        assertThat(integrity.count()).isEqualTo(2);
        assertThat(integrity.project()).isEqualTo(PROJECT);
        assertThat(integrity.objects()).containsEntry("artifact", List.of(version.artifact().sha256()))
                .containsEntry("model", List.of("credit")).containsEntry("version", List.of(Integer.toString(version.version())));
    }

    // ----- e. a drift breach on shifted credit-g traffic -----

    /** The eleven inputs of the committed credit-g logistic regression, in column order. */
    private static final List<String> CREDIT_FEATURES = List.of("duration", "credit_amount", "installment_commitment", "residence_since",
            "age", "existing_credits", "num_dependents", "checking_status_lt_0", "checking_status_no_checking", "credit_history_critical",
            "savings_status_lt_100");

    @Test
    void aDriftMonitorOnShiftedCreditApplicants_breachesAndIsAMonitorIncident() throws IOException {
        List<FeatureSpec> features = CREDIT_FEATURES.stream().map(name -> new FeatureSpec(name, "number", Optional.empty(), Optional.empty(),
                List.of(), false, Optional.empty())).toList();
        registerModel("credit", TestModels.creditGOnnx(), "onnx", features);
        List<Map<String, String>> rows = creditG();
        List<Map<String, Object>> reference = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 2) {
            reference.add(encoded(rows.get(i)));
        }
        Monitoring monitoring = keel.monitoring();
        monitoring.uploadReferenceRows("credit", "1", reference, "test");
        Monitor monitor = monitoring.create(new MonitorSpec("credit-drift", "credit", Optional.empty(), "ks", List.of("duration",
                "credit_amount"), "1h", Optional.of(0.01), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), "test");
        // Applicants shifted towards long loans with an overdrawn account: a real sub-population of credit-g.
        List<Map<String, String>> shifted = rows.stream()
                .filter(row -> row.get("checking_status").equals("<0") && Integer.parseInt(row.get("duration")) >= 24).toList();
        assertThat(shifted).hasSizeGreaterThan(50);
        List<PredictionRecord> traffic = new ArrayList<>();
        for (int i = 0; i < shifted.size(); i++) {
            traffic.add(new PredictionRecord("shifted-" + i, "credit-online", "credit", 1, START.plusSeconds(i), 2.5,
                    encoded(shifted.get(i)), Map.of("probability", 0.5), false, false));
        }
        monitoring.ingest(traffic);
        clock.advance(Duration.ofMinutes(30));

        MonitorResult result = monitoring.evaluate(monitor.id());

        assertThat(result.state()).as("%s", result.detail()).isEqualTo(Monitoring.BREACHED);
        Incident breached = incident("monitor.breached");
        assertThat(breached.count()).isEqualTo(1);
        assertThat(breached.project()).isEqualTo(PROJECT);
        assertThat(breached.objects()).containsEntry("monitor", List.of("credit-drift")).containsEntry("model", List.of("credit"));
    }

    private static List<Map<String, String>> creditG() throws IOException {
        Path file = Path.of("..", "examples", "credit-g", "credit-g.csv");
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.getFirst().split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], values[i]);
            }
            rows.add(row);
        }
        assertThat(rows).hasSize(1000);
        return rows;
    }

    /** A credit-g row as the model's eleven inputs: the numbers as they are, four categories as 0/1 indicators. */
    private static Map<String, Object> encoded(Map<String, String> row) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (String name : CREDIT_FEATURES.subList(0, 7)) {
            inputs.put(name, Double.parseDouble(row.get(name)));
        }
        inputs.put("checking_status_lt_0", row.get("checking_status").equals("<0") ? 1.0 : 0.0);
        inputs.put("checking_status_no_checking", row.get("checking_status").equals("no checking") ? 1.0 : 0.0);
        inputs.put("credit_history_critical", row.get("credit_history").equals("critical/other existing credit") ? 1.0 : 0.0);
        inputs.put("savings_status_lt_100", row.get("savings_status").equals("<100") ? 1.0 : 0.0);
        return inputs;
    }

    // ----- f. alert channels that fail -----

    @Test
    void anSmtpRelayThatRefusesConnections_isRecordedAndAfterThreeFailedDeliveriesADeliveryIncident() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        keel.alerting().addChannel(new Channel.Email(PROJECT, "oncall", "127.0.0.1", closedPort, false, "", Channel.Email.NO_PASSWORD,
                "keel@example.com", List.of("oncall@example.com")), "test");

        for (int delivery = 1; delivery <= 2; delivery++) {
            assertThat(keel.alerting().test("oncall", "test")).extracting(DeliveryAttempt::status)
                    .containsExactly(DeliveryAttempt.Status.FAILED, DeliveryAttempt.Status.FAILED);
        }
        assertThat(incidents("alert.delivery_failed")).as("two failed deliveries are not yet an incident").isEmpty();
        keel.alerting().test("oncall", "test");

        assertThat(keel.alerting().deliveries("oncall", 100)).hasSize(6).allSatisfy(attempt ->
                assertThat(attempt.status()).isEqualTo(DeliveryAttempt.Status.FAILED));
        Incident failing = incident("alert.delivery_failed");
        assertThat(failing.count()).isEqualTo(1);
        assertThat(failing.project()).isEqualTo(PROJECT);
        assertThat(failing.objects()).containsEntry("channel", List.of("oncall"));
    }

    @Test
    void aWebhookAnswering500Then200_deliversOnTheRetryAndRaisesNoIncident() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = httpServer(exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(calls.incrementAndGet() % 2 == 1 ? 500 : 200, -1);
            exchange.close();
        });
        Path secret = Files.writeString(Files.createDirectories(directory.resolve("data")).resolve("hook-secret"), "whsec-fault-injection");
        keel.alerting().addChannel(new Channel.Webhook(PROJECT, "ops-hook", URI.create(url(server, "/hook")),
                new ValueRef.File(secret.toString())), "test");

        for (int delivery = 0; delivery < 3; delivery++) {
            assertThat(keel.alerting().test("ops-hook", "test")).extracting(DeliveryAttempt::status, DeliveryAttempt::code)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(DeliveryAttempt.Status.FAILED, 500),
                            org.assertj.core.groups.Tuple.tuple(DeliveryAttempt.Status.SENT, 200));
        }

        assertThat(keel.alerting().deliveries("ops-hook", 100)).hasSize(6);
        assertThat(incidents("alert.delivery_failed")).isEmpty();
    }

    // ----- g. overload, shadow disagreement, expectations, quarantine, missed schedules -----

    @Test
    void refusalsOverTheLimitWithinAWindow_areOneOverloadIncidentCountedPerWindow() throws Exception {
        registerTesting("busy", "sleep:1500");
        keel.serving().create(endpoint("busy", "busy", "1", Optional.empty(), 1, 0, 10_000, EndpointConfig.Fallback.none()), "test");

        refuse("busy", 4);
        Incident overloaded = incident("endpoint.overloaded");
        assertThat(overloaded.count()).isEqualTo(1);
        assertThat(overloaded.project()).isEqualTo(PROJECT);
        assertThat(overloaded.objects()).containsEntry("endpoint", List.of("busy")).containsEntry("model", List.of("busy"));

        refuse("busy", 4);
        assertThat(incident("endpoint.overloaded").count()).as("more refusals in the same window raise nothing more").isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        refuse("busy", 4);
        assertThat(incident("endpoint.overloaded").count()).isEqualTo(2);
    }

    /** Holds the endpoint's one slot with a slow request and sends requests until {@code refusals} were refused with 429. */
    private void refuse(String endpoint, int refusals) throws Exception {
        int refused = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (refused < refusals && System.nanoTime() < deadline) {
            Thread holder = Thread.ofVirtual().start(() -> keel.serving().predict(endpoint, features(1), request()));
            // The holder is in the slot once it waits for the slow model's answer.
            long entered = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (holder.getState() != Thread.State.WAITING && holder.getState() != Thread.State.TIMED_WAITING && holder.isAlive()
                    && System.nanoTime() < entered) {
                Thread.onSpinWait();
            }
            while (holder.isAlive() && refused < refusals) {
                try {
                    keel.serving().predict(endpoint, features(1), request());
                } catch (KeelException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
                    refused++;
                }
            }
            holder.join();
        }
        assertThat(refused).isEqualTo(refusals);
    }

    @Test
    void aShadowThatDisagreesOnEveryRequest_isOneDisagreementIncidentPerWindowOfComparisons() throws Exception {
        registerTesting("pair", "constant:0.2");
        registerTesting("pair", "constant:0.8");
        keel.serving().create(endpoint("pair", "pair", "1", Optional.of(EndpointConfig.Target.version(2)), 8, 8, 5_000,
                EndpointConfig.Fallback.none()), "test");

        compare("pair", 10);
        Incident disagreement = awaitIncident("endpoint.shadow_disagreement", 1);
        assertThat(disagreement.count()).isEqualTo(1);
        assertThat(disagreement.project()).isEqualTo(PROJECT);
        assertThat(disagreement.objects()).containsEntry("endpoint", List.of("pair")).containsEntry("model", List.of("pair"))
                .containsEntry("version", List.of("1")).containsEntry("shadow_version", List.of("2"));

        compare("pair", 10);
        assertThat(awaitIncident("endpoint.shadow_disagreement", 2).count()).isEqualTo(2);
    }

    /** Sends requests one at a time, each waiting until its shadow comparison is stored. */
    private void compare(String endpoint, int requests) throws InterruptedException {
        for (int i = 0; i < requests; i++) {
            keel.serving().flushRecords();
            int before = keel.serving().comparisons(endpoint, 1_000).size();
            keel.serving().predict(endpoint, features(1), request());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                keel.serving().flushRecords();
                if (keel.serving().comparisons(endpoint, 1_000).size() > before) {
                    break;
                }
                Thread.sleep(5);
            }
        }
    }

    @Test
    void aWarnExpectationViolatedInTwoRuns_isOneExpectationIncidentCountedTwice() throws IOException {
        Files.writeString(sources.resolve("loans.csv"), "id,amount\n1,100\n2,\n3,300\n");
        register("""
                pipeline: loans
                project: risk
                sources:
                  - {name: loans, type: csv, path: loans.csv}
                expectations:
                  - {name: amount-known, dataset: loans, rule: not-null, column: amount, action: warn}
                outputs: [{dataset: loans, from: loans}]
                """);

        assertThat(run("loans").status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run("loans").status()).isEqualTo(RunStatus.SUCCEEDED);

        Incident expectation = incident("pipeline.expectation_failed");
        assertThat(expectation.count()).isEqualTo(2);
        assertThat(expectation.project()).isEqualTo(PROJECT);
        assertThat(expectation.objects()).containsEntry("pipeline", List.of("loans")).containsEntry("dataset", List.of("loans"));
    }

    @Test
    void aFailExpectationStoppingTheRun_isAnExpectationIncidentBesidesTheFailedRun() throws IOException {
        Files.writeString(sources.resolve("accounts.csv"), "id,owner\n1,ann\n2,\n");
        register("""
                pipeline: accounts
                project: risk
                sources:
                  - {name: accounts, type: csv, path: accounts.csv}
                expectations:
                  - {name: owner-known, dataset: accounts, rule: not-null, column: owner, action: fail}
                outputs: [{dataset: accounts, from: accounts}]
                """);

        assertThat(run("accounts").status()).isEqualTo(RunStatus.FAILED);
        assertThat(run("accounts").status()).isEqualTo(RunStatus.FAILED);

        Incident expectation = incident("pipeline.expectation_failed");
        assertThat(expectation.count()).isEqualTo(2);
        assertThat(expectation.project()).isEqualTo(PROJECT);
        assertThat(expectation.severity()).isEqualTo(dev.keel.core.alert.Severity.CRITICAL);
        assertThat(expectation.objects()).containsEntry("pipeline", List.of("accounts")).containsEntry("dataset", List.of("accounts"));
        assertThat(incident("pipeline.run_failed").count()).isEqualTo(2);
    }

    @Test
    void aRunQuarantiningMoreThanItsLimit_isAQuarantineIncident() throws IOException {
        Files.writeString(sources.resolve("payments.csv"), "id,amount\n1,100\n2,-5\n3,-7\n4,40\n");
        register("""
                pipeline: payments
                project: risk
                quarantine-limit: 0.25
                sources:
                  - {name: payments, type: csv, path: payments.csv}
                expectations:
                  - {name: amount-positive, dataset: payments, rule: range, column: amount, min: 0, action: quarantine}
                outputs: [{dataset: payments, from: payments}]
                """);

        PipelineRun first = run("payments");
        run("payments");

        assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(first.accounting().quarantined()).isEqualTo(2);
        Incident quarantine = incident("pipeline.quarantine_exceeded");
        assertThat(quarantine.count()).isEqualTo(2);
        assertThat(quarantine.project()).isEqualTo(PROJECT);
        assertThat(quarantine.objects()).containsEntry("pipeline", List.of("payments"));
    }

    @Test
    void aRunWithinTheQuarantineLimit_raisesNoQuarantineIncident() throws IOException {
        Files.writeString(sources.resolve("refunds.csv"), "id,amount\n1,100\n2,-5\n3,7\n4,40\n");
        register("""
                pipeline: refunds
                project: risk
                quarantine-limit: 0.25
                sources:
                  - {name: refunds, type: csv, path: refunds.csv}
                expectations:
                  - {name: amount-positive, dataset: refunds, rule: range, column: amount, min: 0, action: quarantine}
                outputs: [{dataset: refunds, from: refunds}]
                """);

        assertThat(run("refunds").accounting().quarantined()).isEqualTo(1);
        assertThat(incidents("pipeline.quarantine_exceeded")).isEmpty();
    }

    @Test
    void slotsThatCameDueWhileTheServerWasDown_areAMissedScheduleIncidentAtTheNextStart() throws IOException {
        Files.writeString(sources.resolve("nightly.csv"), "id\n1\n");
        register("""
                pipeline: nightly
                project: risk
                schedule: '*/5 * * * *'
                sources:
                  - {name: nightly, type: csv, path: nightly.csv}
                outputs: [{dataset: nightly, from: nightly}]
                """);
        keel.close();
        keel = null;
        clock.advance(Duration.ofMinutes(20));

        keel = open(true);

        Incident missed = incident("pipeline.schedule_missed");
        assertThat(missed.count()).isEqualTo(1);
        assertThat(missed.project()).isEqualTo(PROJECT);
        assertThat(missed.objects()).containsEntry("pipeline", List.of("nightly"));
    }

    @Test
    void aSlotThatComesDueWhileThePreviousRunStillRuns_isSkippedAndAMissedScheduleIncident() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = httpServer(exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "[{\"id\": 1}]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        closing.add(release::countDown);
        register("""
                pipeline: hourly
                project: risk
                schedule: '*/5 * * * *'
                sources:
                  - {name: hourly, type: http, url: '%s', timeout: 30s}
                outputs: [{dataset: hourly, from: hourly}]
                """.formatted(url(server, "/hourly")));
        PipelineRun running = keel.data().service().start("hourly", Trigger.API, "test");

        List<String> started = keel.data().scheduler().tick(START.plus(Duration.ofMinutes(5)));
        keel.data().scheduler().tick(START.plus(Duration.ofMinutes(10)));

        assertThat(started).isEmpty();
        Incident missed = incident("pipeline.schedule_missed");
        assertThat(missed.count()).isEqualTo(2);
        assertThat(missed.project()).isEqualTo(PROJECT);
        assertThat(missed.objects()).containsEntry("pipeline", List.of("hourly"));
        release.countDown();
        assertThat(keel.data().service().await(running.id(), Duration.ofSeconds(20)).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

}
