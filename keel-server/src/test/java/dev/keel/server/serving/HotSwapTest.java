package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotSwapTest {
    @TempDir
    Path directory;

    @Test
    void promoteAndRollbackUnderLoad_failNoRequestAndCloseUnroutedVersions() throws Exception {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerCredit("credit");
            server.register("credit", ServingServer.model("credit_rf_zipmap.onnx"), "onnx", Map.of("labels", "good,bad"));
            server.registerCredit("credit");
            server.promote("credit", "champion", 1);
            expect(server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit")), 201);
            Map<String, Object> body = ServingServer.instances(ServingServer.creditRows().subList(0, 4));
            Map<String, Object> v2Body = Map.of("inputs", List.of(Map.of("name", "features", "shape", List.of(1, 63), "datatype", "FP32",
                    "data", toList(ServingServer.creditRows().get(7)))));

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger succeeded = new AtomicInteger();
            Map<Integer, Integer> failures = new ConcurrentHashMap<>();
            Set<Integer> versionsSeen = ConcurrentHashMap.newKeySet();
            CountDownLatch warm = new CountDownLatch(8);
            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
            for (int client = 0; client < 8; client++) {
                boolean v2 = client % 2 == 1;
                clients.submit(() -> {
                    int sent = 0;
                    while (running.get()) {
                        ServingServer.Response response = v2 ? server.post("/v2/models/credit-risk/infer", v2Body)
                                : server.post("/v1/endpoints/credit-risk/predict", body);
                        if (response.status() / 100 == 2) {
                            succeeded.incrementAndGet();
                            versionsSeen.add(v2 ? response.body().path("model_version").asInt() : response.body().path("version").asInt());
                        } else {
                            failures.merge(response.status(), 1, Integer::sum);
                        }
                        if (++sent == 5) {
                            warm.countDown();
                        }
                    }
                    return null;
                });
            }
            warm.await();
            for (int round = 0; round < 3; round++) {
                server.promote("credit", "champion", 2);
                awaitRequests(succeeded, 40);
                server.promote("credit", "champion", 3);
                awaitRequests(succeeded, 40);
                expect(server.post("/v1/models/credit/aliases/champion/rollback", Map.of("reason", "test rollback")), 200);
                awaitRequests(succeeded, 40);
            }
            running.set(false);
            clients.shutdown();
            clients.close();

            assertThat(failures).as("non-2xx answers by status").isEmpty();
            assertThat(succeeded.get()).isGreaterThan(300);
            assertThat(versionsSeen).contains(1, 2, 3);
            assertThat(server.keel().serving().mainVersion("credit-risk").version()).isEqualTo(2);
            assertThat(server.keel().serving().loadedVersions()).containsExactly("credit:2");
        }
    }

    private static void awaitRequests(AtomicInteger counter, int more) throws InterruptedException {
        int target = counter.get() + more;
        while (counter.get() < target) {
            Thread.sleep(5);
        }
    }

    private static List<Float> toList(float[] row) {
        List<Float> values = new java.util.ArrayList<>();
        for (float value : row) {
            values.add(value);
        }
        return values;
    }
}
