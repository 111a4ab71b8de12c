package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

@OnEachStore
class GracefulShutdownTest {
    @Parameter
    StoreKind kind;

    @Test
    void close_letsARequestInFlightFinishAndRefusesNewOnes() throws Exception {
        TestingServer server = TestingServer.start(kind);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<TestingServer.Response> slow = CompletableFuture.supplyAsync(
                    () -> server.get("/v1/testing/slow?hold=true", server.adminToken()), threads);
            assertThat(server.slowEntered().await(10, TimeUnit.SECONDS)).as("the slow request reached its handler").isTrue();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close, threads);
            awaitNotReady(server);
            TestingServer.Response v2Ready = server.get("/v2/health/ready", null);
            TestingServer.Response refused = server.get("/v1/models", server.adminToken());
            assertThat(closing).isNotDone();
            assertThat(slow).isNotDone();

            server.releaseSlow();
            TestingServer.Response finished = slow.get(10, TimeUnit.SECONDS);
            closing.get(15, TimeUnit.SECONDS);

            assertThat(finished.status()).as(finished.toString()).isEqualTo(200);
            assertThat(finished.json().get("slow").asText()).isEqualTo("done");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(v2Ready.status()).as("the v2 readiness route says what /health/ready says: not ready").isEqualTo(400);
            ServerIntegrationTest.assertProblem5xx(refused);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        } finally {
            server.releaseSlow();
            server.close();
            threads.shutdownNow();
        }
    }

    /** Waits (bounded by count, not by time) until the server reports that it no longer accepts work. */
    private static void awaitNotReady(TestingServer server) throws InterruptedException {
        for (int attempt = 0; attempt < 500; attempt++) {
            if (server.get("/health/ready", null).status() == 503) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the server never stopped accepting work");
    }
}
