package dev.keel.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.json.Json;
import dev.keel.spi.data.ValueRef;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Deliveries to real receivers (the JDK's HTTP server, GreenMail) with attempts recorded in SQLite and PostgreSQL. */
@OnEachStore
class DeliveriesTest {
    private static final String SECRET = "whsec-test-4f1b";

    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private final List<Duration> waits = new ArrayList<>();
    private final EnvironmentSecrets secrets = new EnvironmentSecrets(Map.of("HOOK_SECRET", SECRET, "SMTP_PASSWORD", "right"),
            Path.of("."));
    private final AlertsConfig config = new AlertsConfig(true, 3, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
    private Deliveries deliveries;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        deliveries = new Deliveries(new JdbcDeliveryRepository(store.database()), secrets, config, clock, waits::add, () -> 0.5);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Alert alert() {
        return new Alert("fraud", Severity.CRITICAL, "endpoint churn falls back", "p99 latency 2.3 s above the 500 ms limit",
                Map.of("endpoint", "churn"), "/v1/incidents/inc-42", List.of("switched to the fallback model"), Alert.Status.FIRING,
                clock.instant());
    }

    @Test
    void webhook_answering500Then200_isRetriedOnceAndBothAttemptsAreRecordedWithAValidSignature() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        List<Boolean> signaturesValid = new CopyOnWriteArrayList<>();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            bodies.add(new String(body, StandardCharsets.UTF_8));
            String timestamp = exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String signature = exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            signaturesValid.add(timestamp != null && signature != null && WebhookSignature.verify(SECRET, timestamp, body, signature)
                    && !WebhookSignature.verify("other-secret", timestamp, body, signature));
            exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 500 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
            Channel channel = new Channel.Webhook("fraud", "ops-hook", url, new ValueRef.Env("HOOK_SECRET"));
            Notification notification = Notification.of(alert());

            List<DeliveryAttempt> attempts = deliveries.deliver(channel, notification);

            assertThat(attempts).extracting(DeliveryAttempt::attempt, DeliveryAttempt::status, DeliveryAttempt::code)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, DeliveryAttempt.Status.FAILED, 500),
                            org.assertj.core.groups.Tuple.tuple(2, DeliveryAttempt.Status.SENT, 200));
            assertThat(signaturesValid).containsExactly(true, true);
            assertThat(waits).containsExactly(Duration.ofMillis(750));
            assertThat(new JdbcDeliveryRepository(store.database()).forKey(notification.key())).isEqualTo(attempts);
            assertThat(deliveries.history("fraud", "ops-hook", 10)).hasSize(2).first().extracting(DeliveryAttempt::attempt).isEqualTo(2);
            Map<?, ?> body = Json.read(bodies.getFirst(), Map.class);
            assertThat(body.get("status")).isEqualTo("firing");
            Map<?, ?> sent = (Map<?, ?>) ((List<?>) body.get("alerts")).getFirst();
            assertThat(sent.get("incident")).isEqualTo("/v1/incidents/inc-42");
            assertThat(sent.get("actionsTaken")).isEqualTo(List.of("switched to the fallback model"));
            assertThat(bodies.getFirst()).doesNotContain(SECRET);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void webhook_refusedWith400_isNotRetried() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
        });
        server.start();
        try {
            Channel channel = new Channel.Slack("fraud", "chat", URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/x"));
            List<DeliveryAttempt> attempts = deliveries.deliver(channel, Notification.of(alert()));
            assertThat(attempts).singleElement().satisfies(attempt -> {
                assertThat(attempt.status()).isEqualTo(DeliveryAttempt.Status.FAILED);
                assertThat(attempt.code()).isEqualTo(400);
                assertThat(attempt.error()).contains("HTTP 400");
            });
            assertThat(waits).isEmpty();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void webhook_toAPrivateHost_isRefusedWhenPrivateTargetsAreNotAllowed() {
        Deliveries strict = new Deliveries(new JdbcDeliveryRepository(store.database()), secrets,
                new AlertsConfig(false, 3, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5)), clock, waits::add, () -> 0.5);
        Channel channel = new Channel.Webhook("fraud", "ops-hook", URI.create("http://127.0.0.1:9/hook"), new ValueRef.Env("HOOK_SECRET"));
        List<DeliveryAttempt> attempts = strict.deliver(channel, Notification.of(alert()));
        assertThat(attempts).singleElement().satisfies(attempt -> assertThat(attempt.error()).contains("alerts.http.allow-private"));
    }

    @Test
    void email_toAPrivateSmtpHost_isRefusedBeforeConnecting_whenNoAdminAllowedIt() {
        Deliveries strict = new Deliveries(new JdbcDeliveryRepository(store.database()), secrets,
                new AlertsConfig(false, 3, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5)), clock, waits::add, () -> 0.5);
        Channel channel = new Channel.Email("fraud", "oncall", "127.0.0.1", 6379, false, "", new ValueRef.Env("SMTP_PASSWORD"),
                "keel@example.com", List.of("oncall@example.com"));

        List<DeliveryAttempt> attempts = strict.deliver(channel, Notification.of(alert()));

        assertThat(attempts).singleElement().satisfies(attempt -> assertThat(attempt.error()).contains("alerts.smtp.allowed-hosts"));
        assertThatThrownBy(() -> strict.checkTarget(channel)).hasMessageContaining("host '127.0.0.1'");
    }

    @Test
    void email_isReceivedByTheSmtpServerWithSubjectAndPlainTextBody() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            smtp.setUser("keel@example.com", "keel", "right");
            Channel channel = new Channel.Email("fraud", "oncall", "127.0.0.1", smtp.getSmtp().getPort(), false, "keel",
                    new ValueRef.Env("SMTP_PASSWORD"), "keel@example.com", List.of("oncall@example.com", "lead@example.com"));

            List<DeliveryAttempt> attempts = deliveries.deliver(channel, Notification.of(alert()));

            assertThat(attempts).singleElement().satisfies(attempt -> {
                assertThat(attempt.status()).isEqualTo(DeliveryAttempt.Status.SENT);
                assertThat(attempt.code()).isEqualTo(250);
            });
            assertThat(smtp.waitForIncomingEmail(5_000, 2)).isTrue();
            MimeMessage received = smtp.getReceivedMessages()[0];
            assertThat(received.getSubject()).isEqualTo("[FIRING] endpoint churn falls back");
            String body = ((String) received.getContent()).replace("\r\n", "\n");
            assertThat(body).contains("p99 latency 2.3 s above the 500 ms limit", "done: switched to the fallback model",
                    "incident: /v1/incidents/inc-42");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void email_withAWrongPassword_isRecordedAsFailedWithTheSmtpReply() {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            smtp.setUser("keel@example.com", "keel", "another-password");
            Channel channel = new Channel.Email("fraud", "oncall", "127.0.0.1", smtp.getSmtp().getPort(), false, "keel",
                    new ValueRef.Env("SMTP_PASSWORD"), "keel@example.com", List.of("oncall@example.com"));

            List<DeliveryAttempt> attempts = deliveries.deliver(channel, Notification.of(alert()));

            assertThat(attempts).isNotEmpty().allSatisfy(attempt -> {
                assertThat(attempt.status()).isEqualTo(DeliveryAttempt.Status.FAILED);
                assertThat(attempt.error()).isNotEmpty().doesNotContain("right");
            });
            assertThat(attempts.getLast().code()).isEqualTo(535);
            assertThat(smtp.getReceivedMessages()).isEmpty();
            assertThat(new JdbcDeliveryRepository(store.database()).forChannel("fraud", "oncall", 10)).hasSameSizeAs(attempts);
        } finally {
            smtp.stop();
        }
    }

    @Test
    void email_requiringStartTls_isNotSentInClearTextToAServerWithoutTrustedStartTls() {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            Channel channel = new Channel.Email("fraud", "oncall", "127.0.0.1", smtp.getSmtp().getPort(), true, "",
                    new ValueRef.Env("SMTP_PASSWORD"), "keel@example.com", List.of("oncall@example.com"));

            List<DeliveryAttempt> attempts = deliveries.deliver(channel, Notification.of(alert()));

            assertThat(attempts).isNotEmpty().allSatisfy(attempt -> assertThat(attempt.status()).isEqualTo(DeliveryAttempt.Status.FAILED));
            assertThat(smtp.getReceivedMessages()).isEmpty();
        } finally {
            smtp.stop();
        }
    }

    @Test
    void email_toAClosedPort_isTriedEveryAttemptWithGrowingWaits() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Channel channel = new Channel.Email("fraud", "oncall", "127.0.0.1", port, true, "", new ValueRef.Env("SMTP_PASSWORD"),
                "keel@example.com", List.of("oncall@example.com"));

        List<DeliveryAttempt> attempts = deliveries.deliver(channel, Notification.of(alert()));

        assertThat(attempts).extracting(DeliveryAttempt::status).containsExactly(DeliveryAttempt.Status.FAILED,
                DeliveryAttempt.Status.FAILED, DeliveryAttempt.Status.FAILED);
        assertThat(attempts.getFirst().code()).isZero();
        assertThat(attempts.getFirst().error()).containsIgnoringCase("connect");
        assertThat(waits).containsExactly(Duration.ofMillis(750), Duration.ofMillis(1500));
    }

    @Test
    void backoff_doublesUpToTheCapAndJitterScalesItBetweenHalfAndWhole() {
        AlertsConfig capped = new AlertsConfig(true, 10, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1));
        Deliveries none = new Deliveries(new JdbcDeliveryRepository(store.database()), secrets, capped, clock, waits::add, () -> 0.0);
        Deliveries full = new Deliveries(new JdbcDeliveryRepository(store.database()), secrets, capped, clock, waits::add, () -> 0.999_999);
        assertThat(List.of(none.backoff(1), none.backoff(2), none.backoff(3), none.backoff(4))).containsExactly(Duration.ofMillis(500),
                Duration.ofMillis(1000), Duration.ofMillis(2000), Duration.ofMillis(2500));
        assertThat(full.backoff(3)).isEqualTo(Duration.ofMillis(4000));
        assertThat(full.backoff(70)).isEqualTo(Duration.ofMillis(5000));
    }
}
