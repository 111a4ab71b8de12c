package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCheckpointWebhookTest {
    @TempDir
    Path directory;

    private HttpServer receiver;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/checkpoints", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = failuresLeft.getAndDecrement() > 0 ? 503 : 204;
            if (status == 204) {
                received.add(body);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private URI target() {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/checkpoints");
    }

    private static void awaitSize(List<String> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void checkpoints_arePostedAsTheirJsonLine_andOneThatFailedIsSentAgainWithTheNext() throws Exception {
        AuditCheckpoints checkpoints = AuditCheckpoints.open(directory.resolve("checkpoints.jsonl"), directory.resolve("signing.key"));
        try (AuditCheckpointWebhook webhook = new AuditCheckpointWebhook(target(), Duration.ofSeconds(5))) {
            checkpoints.addListener(webhook::offer);
            failuresLeft.set(1);

            AuditCheckpoints.Checkpoint first = checkpoints.write(1, "ab".repeat(32), "00112233aabbccdd", 0, Instant.parse("2026-12-01T10:00:00Z"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (failuresLeft.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(received).isEmpty();
            assertThat(webhook.pending()).isEqualTo(1);
            AuditCheckpoints.Checkpoint second = checkpoints.write(2, "cd".repeat(32), "00112233aabbccdd", 0, Instant.parse("2026-12-01T10:01:00Z"));
            awaitSize(received, 2);
            // The receiver records a line before it answers; the sender forgets the line once the answer is back.
            long drained = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (webhook.pending() > 0 && System.nanoTime() < drained) {
                Thread.sleep(10);
            }

            assertThat(received).containsExactly(AuditCheckpoints.line(first), AuditCheckpoints.line(second));
            assertThat(webhook.pending()).isZero();
        }
    }

    @Test
    void unreachableWebhook_neverHoldsUpTheWriter_andKeepsTheCheckpoint() throws Exception {
        receiver.stop(0);
        AuditCheckpoints checkpoints = AuditCheckpoints.open(directory.resolve("checkpoints.jsonl"), directory.resolve("signing.key"));
        try (AuditCheckpointWebhook webhook = new AuditCheckpointWebhook(target(), Duration.ofSeconds(1))) {
            checkpoints.addListener(webhook::offer);

            checkpoints.write(1, "ab".repeat(32), "00112233aabbccdd", 0, Instant.EPOCH);

            assertThat(checkpoints.read().checkpoints()).hasSize(1);
            assertThat(webhook.pending()).isEqualTo(1);
        }
    }
}
