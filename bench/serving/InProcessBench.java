import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.keel.runtime.onnx.OnnxModelRuntime;
import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-process scoring of the German credit forest: raw ONNX Runtime and Keel's runtime on top of it.
 *
 * <p>Usage: {@code java -cp <classpath> InProcessBench.java <models-dir> [seconds-per-case]}. Prints one Markdown row per
 * case: single-row latency (p50, p99, mean) and rows per second for 32-row batches, then throughput with one thread and
 * one session per core.
 */
public final class InProcessBench {
    private static final int BATCH = 32;

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args.length > 0 ? args[0] : "build/fixtures/models");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        float[][] rows = readRows(models.resolve("credit_rf_reference.csv"));
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("cores=%d, java=%s, rows=%d, features=%d, %.0fs per case%n%n", cores, System.getProperty("java.version"),
                rows.length, rows[0].length, seconds);
        System.out.println("| case | threads | p50 µs (1 row) | p99 µs (1 row) | mean µs (1 row) | rows/s (32-row calls) |");
        System.out.println("|---|---|---|---|---|---|");

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        for (int intraOp : new int[] {1, 0}) {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(intraOp);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession session = environment.createSession(Files.readAllBytes(models.resolve("credit_rf.onnx")), options)) {
                    Scorer raw = batch -> {
                        try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(flatten(batch)),
                                new long[] {batch.length, batch[0].length}); OrtSession.Result result = session.run(Map.of("features", input))) {
                            return ((OnnxTensor) result.get("probabilities").orElseThrow()).getFloatBuffer().get(0);
                        }
                    };
                    report("raw ORT, intra-op " + (intraOp == 0 ? "default" : intraOp), 1, raw, rows, seconds);
                    if (intraOp == 1) {
                        try (Reused reused = new Reused(environment, session, rows[0].length)) {
                            report("raw ORT, reused native buffers, intra-op 1", 1, reused::score, rows, seconds);
                        }
                    }
                }
            }
        }
        OnnxModelRuntime runtime = new OnnxModelRuntime();
        for (String file : new String[] {"credit_rf.onnx", "credit_rf_zipmap.onnx"}) {
            try (LoadedModel model = runtime.load(Files.readAllBytes(models.resolve(file)), RuntimeOptions.defaults().withSessions(cores))) {
                Scorer keel = batch -> ((float[]) model.predict(Map.of("features",
                        new Tensor(DataType.FP32, new long[] {batch.length, batch[0].length}, flatten(batch)))).get("probabilities").data())[0];
                report("Keel runtime, " + file + ", intra-op 1", 1, keel, rows, seconds);
                report("Keel runtime, " + file + ", intra-op 1, session per thread", cores, keel, rows, seconds);
            }
        }
    }

    /**
     * The least ONNX Runtime's Java API can cost: inputs copied into direct buffers kept per batch size, outputs written by
     * ONNX Runtime into tensors kept likewise (pinned outputs), so no call allocates native memory or output objects.
     */
    private static final class Reused implements AutoCloseable {
        private final OrtEnvironment environment;
        private final OrtSession session;
        private final int features;
        private final Map<Integer, Object[]> bySize = new java.util.HashMap<>();

        Reused(OrtEnvironment environment, OrtSession session, int features) {
            this.environment = environment;
            this.session = session;
            this.features = features;
        }

        float score(float[][] batch) throws Exception {
            Object[] slot = bySize.get(batch.length);
            if (slot == null) {
                int n = batch.length;
                FloatBuffer input = java.nio.ByteBuffer.allocateDirect(n * features * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                java.nio.LongBuffer labels = java.nio.ByteBuffer.allocateDirect(n * 8).order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
                FloatBuffer probabilities = java.nio.ByteBuffer.allocateDirect(n * 8).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                slot = new Object[] {input, OnnxTensor.createTensor(environment, input, new long[] {n, features}),
                    Map.of("label", OnnxTensor.createTensor(environment, labels, new long[] {n}),
                            "probabilities", OnnxTensor.createTensor(environment, probabilities, new long[] {n, 2})), probabilities};
                bySize.put(n, slot);
            }
            FloatBuffer input = (FloatBuffer) slot[0];
            for (int i = 0; i < batch.length; i++) {
                input.put(i * features, batch[i]);
            }
            @SuppressWarnings("unchecked")
            Map<String, OnnxTensor> pinned = (Map<String, OnnxTensor>) slot[2];
            try (OrtSession.Result ignored = session.run(Map.of("features", (OnnxTensor) slot[1]), java.util.Set.of(), pinned)) {
                return ((FloatBuffer) slot[3]).get(0);
            }
        }

        @Override
        public void close() {
            for (Object[] slot : bySize.values()) {
                ((OnnxTensor) slot[1]).close();
                @SuppressWarnings("unchecked")
                Map<String, OnnxTensor> pinned = (Map<String, OnnxTensor>) slot[2];
                pinned.values().forEach(OnnxTensor::close);
            }
        }
    }

    interface Scorer {
        float score(float[][] batch) throws Exception;
    }

    private static void report(String name, int threads, Scorer scorer, float[][] rows, double seconds) throws Exception {
        run(threads, scorer, rows, 1, seconds / 2, null);
        long[] latencies = new long[4_000_000];
        int count = threads == 1 ? run(1, scorer, rows, 1, seconds, latencies) : 0;
        LongAdder batchRows = new LongAdder();
        long start = System.nanoTime();
        run(threads, batch -> {
            float value = scorer.score(batch);
            batchRows.add(batch.length);
            return value;
        }, rows, BATCH, seconds, null);
        double rowsPerSecond = batchRows.sum() / ((System.nanoTime() - start) / 1e9);
        if (threads == 1) {
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            System.out.printf("| %s | %d | %.1f | %.1f | %.1f | %,.0f |%n", name, threads, sorted[count / 2] / 1e3,
                    sorted[(int) (count * 0.99)] / 1e3, Arrays.stream(sorted).average().orElse(0) / 1e3, rowsPerSecond);
        } else {
            System.out.printf("| %s | %d | | | | %,.0f |%n", name, threads, rowsPerSecond);
        }
    }

    /** Calls the scorer from {@code threads} threads for {@code seconds}; returns how many latencies were recorded. */
    private static int run(int threads, Scorer scorer, float[][] rows, int batchSize, double seconds, long[] latencies)
            throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        CountDownLatch done = new CountDownLatch(threads);
        int[] recorded = new int[1];
        List<Throwable> failures = new ArrayList<>();
        double[] sink = new double[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                try {
                    int next = thread * 7;
                    while (System.nanoTime() < deadline) {
                        float[][] batch = new float[batchSize][];
                        for (int i = 0; i < batchSize; i++) {
                            batch[i] = rows[next++ % rows.length];
                        }
                        long begin = System.nanoTime();
                        sink[thread] += scorer.score(batch);
                        long elapsed = System.nanoTime() - begin;
                        if (latencies != null && recorded[0] < latencies.length) {
                            latencies[recorded[0]++] = elapsed;
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("scoring failed", failures.getFirst());
        }
        return recorded[0];
    }

    private static float[] flatten(float[][] batch) {
        float[] flat = new float[batch.length * batch[0].length];
        for (int i = 0; i < batch.length; i++) {
            System.arraycopy(batch[i], 0, flat, i * batch[i].length, batch[i].length);
        }
        return flat;
    }

    private static float[][] readRows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        float[][] rows = new float[lines.size() - 1][];
        for (int r = 1; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",");
            float[] row = new float[cells.length - 4];
            for (int i = 0; i < row.length; i++) {
                row[i] = Float.parseFloat(cells[i]);
            }
            rows[r - 1] = row;
        }
        return rows;
    }
}
