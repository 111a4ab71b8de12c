import com.sun.net.httpserver.HttpServer;
import dev.keel.core.alert.Channel;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.incident.Incident;
import dev.keel.core.incident.IncidentChange;
import dev.keel.core.incident.Observation;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.serving.EndpointConfig;
import dev.keel.core.serving.PredictOptions;
import dev.keel.core.serving.PredictionInput;
import dev.keel.server.Keel;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.MonitorBreached;
import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.SourceFailed;
import dev.keel.spi.data.ValueRef;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Error handling under load, on a real Keel (embedded SQLite store, or PostgreSQL with KEEL_STORE_URL):
 *   latency  fault to incident and fault to first automated action (p50, p99) at 1,000 events/s, of one fingerprint and
 *            of 1,000 distinct fingerprints;
 *   storm    1M failure events: heap after GC after every 200k events, every event counted, and in-process serving throughput of
 *            the credit forest on two threads during storm rounds against quiet rounds, interleaved;
 *   breaches 10,000 monitor breaches through the alert route to a local webhook receiver: how many notifications.
 * Usage (after ./keel version has built): java --enable-native-access=ALL-UNNAMED -Xmx512m \
 *   -cp "keel-cli/target/lib/*" bench/incidents/IncidentBench.java [latency|storm|breaches|all] [seconds] [storm: % of 1,000 fingerprints, 10]
 */
public class IncidentBench {
    private static final String[] LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");

    public static void main(String[] args) throws Exception {
        String part = args.length > 0 ? args[0] : "all";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        System.out.printf("cores=%d java=%s store=%s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getenv().getOrDefault("KEEL_STORE_URL", "sqlite (embedded)"));
        if (part.equals("latency") || part.equals("all")) {
            latency(false, seconds);
            latency(true, seconds);
        }
        if (part.equals("storm") || part.equals("all")) {
            storm(seconds, args.length > 2 ? Integer.parseInt(args[2]) : 10);
        }
        if (part.equals("breaches") || part.equals("all")) {
            breaches();
        }
    }

    static Keel open(String yaml) throws Exception {
        Path data = Files.createTempDirectory("keel-incident-bench");
        Map<String, String> environment = new java.util.HashMap<>(System.getenv());
        environment.put("KEEL_DATA_DIR", data.toString());
        return Keel.open(KeelConfig.parse(yaml, environment));
    }

    /** A word per number, so that messages differ after normalisation (numbers would be stripped). */
    static String word(int number) {
        StringBuilder text = new StringBuilder();
        int n = number;
        do {
            text.append(LETTERS[n % 26]);
            n /= 26;
        } while (n > 0);
        return "col" + text;
    }

    static void latency(boolean distinct, int seconds) throws Exception {
        try (Keel keel = open("incidents: {}\n")) {
            int rate = 1_000;
            int total = rate * seconds;
            long[] published = new long[total];
            long[] seen = new long[total];
            keel.incidents().addListener(change -> {
                long now = System.nanoTime();
                for (Observation observation : change.observations()) {
                    String pipeline = observation.signal().object("pipeline");
                    if (pipeline.startsWith("probe-")) {
                        int index = Integer.parseInt(pipeline.substring(6));
                        seen[index] = now;
                    }
                }
            });
            // fault to first automated action: every 50th event is a slow source of its own (a new fingerprint, so a new
            // incident), which a policy raises to critical; the time from its publication to the ACTED change is measured
            keel.policies().apply("""
                    name: bench-probe
                    project: default
                    when: {kind: pipeline.source_slow}
                    actions:
                      - raise_severity: {to: critical}
                    cooldown: 0s
                    max_per_hour: 1000
                    """, "bench");
            long[] acted = new long[total];
            keel.incidents().addListener(change -> {
                if (change.type() == IncidentChange.Type.ACTED) {
                    long now = System.nanoTime();
                    for (String source : change.incident().objects("source")) {
                        if (source.startsWith("probe-")) {
                            acted[Integer.parseInt(source.substring(6))] = now;
                        }
                    }
                }
            });
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                boolean probe = i % 10 == 0;
                String cause = distinct ? "column " + word(i % 1_000) + " does not exist" : "source orders could not be read";
                published[i] = System.nanoTime();
                if (i % 50 == 25) {
                    keel.events().publish(new SourceFailed("default", "orders", "run-" + i + "x", "probe-" + i, SourceFailed.Kind.SLOW,
                            "source " + word(i) + " answered after its limit", Instant.now()));
                    continue;
                }
                keel.events().publish(new PipelineRunFailed("default", probe ? "probe-" + i : "orders", "run-" + i + "x", 1, false, cause,
                        Instant.now()));
            }
            keel.incidents().sink().flush();
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < total; i += 10) {
                if (seen[i] > 0) {
                    millis.add((seen[i] - published[i]) / 1e6);
                }
            }
            millis.sort(null);
            Thread.sleep(2_000); // the policy engine acts on its own thread
            List<Double> toAction = new ArrayList<>();
            for (int i = 25; i < total; i += 50) {
                if (acted[i] > 0) {
                    toAction.add((acted[i] - published[i]) / 1e6);
                }
            }
            toAction.sort(null);
            List<Incident> incidents = keel.incidents().list("default", Set.of(), 5_000);
            long counted = incidents.stream().mapToLong(Incident::count).sum();
            System.out.printf("latency %s: %d events at %d/s, %d probes: fault→incident p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                            + "%d incidents, %d events counted%n", distinct ? "1,000 fingerprints" : "one fingerprint", total, rate, millis.size(),
                    percentile(millis, 0.50), percentile(millis, 0.99), millis.getLast(), incidents.size(), counted);
            System.out.printf("latency %s: %d of %d probe incidents acted on: fault→first automated action p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    distinct ? "1,000 fingerprints" : "one fingerprint", toAction.size(), total / 50, percentile(toAction, 0.50),
                    percentile(toAction, 0.99), toAction.getLast());
        }
    }

    static double percentile(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** @param distinctPercent the share of events spread over 1,000 fingerprints; the rest are one fingerprint */
    static void storm(int seconds, int distinctPercent) throws Exception {
        try (Keel keel = open("incidents: {}\n")) {
            Path models = Path.of("build/fixtures/models");
            byte[] forest = Files.readAllBytes(models.resolve("credit_rf.onnx"));
            keel.registry().createModel("default", "credit", "", PromotionGate.open(), "bench");
            keel.registry().registerVersion("credit", forest, new NewVersion("onnx", List.of(), Map.of(), Map.of(), null, ""), "bench");
            keel.registry().promote("credit", "champion", 1, "bench", "bench");
            keel.serving().create(EndpointConfig.of("credit", "credit", "champion"), "bench");
            float[][] rows = readRows(models.resolve("credit_rf_reference.csv"));

            keel.monitoring().sampleRate("credit", 0, "bench"); // the log's cost is the same in both kinds of round; off, the rounds are steadier
            serve(keel, rows, seconds); // warm-up, not reported
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long baseline = memory.getHeapMemoryUsage().getUsed();
            long countedBefore = counted(keel);
            int rounds = 10;
            int perRound = 1_000_000 / (rounds / 2);
            List<long[]> heap = new ArrayList<>();
            LongAdder published = new LongAdder();
            double[] quiet = new double[rounds / 2];
            double[] storm = new double[rounds / 2];
            for (int round = 0; round < rounds; round++) {
                boolean stormy = round % 2 == 1;
                Thread publisher = null;
                if (stormy) {
                    publisher = Thread.ofPlatform().start(() -> {
                        long start = System.nanoTime();
                        for (int i = 0; i < perRound; i++) {
                            // paced in bursts of 100 events, so that the pacing itself (a park per event) costs little
                            if (i % 100 == 0) {
                                long due = start + (long) i * seconds * 1_000_000_000L / perRound;
                                while (System.nanoTime() < due) {
                                    LockSupport.parkNanos(due - System.nanoTime());
                                }
                            }
                            int n = (int) published.sum();
                            String message = n % 100 < distinctPercent ? "column " + word(n % 1_000) + " does not exist"
                                    : "Non-zero status code returned while running TreeEnsembleClassifier node; request " + n;
                            keel.events().publish(new ModelFailed("credit", "credit", 1, "req-" + n, ModelFailed.Kind.ERROR, message, Instant.now()));
                            published.increment();
                        }
                    });
                }
                double perSecond = serve(keel, rows, seconds);
                if (publisher != null) {
                    publisher.join();
                    storm[round / 2] = perSecond;
                    System.gc(); // outside the timed window
                    heap.add(new long[] {published.sum(), memory.getHeapMemoryUsage().getUsed()});
                } else {
                    quiet[round / 2] = perSecond;
                }
            }
            keel.incidents().sink().flush();
            long counted = counted(keel) - countedBefore;
            double quietMean = Arrays.stream(quiet).average().orElseThrow();
            double stormMean = Arrays.stream(storm).average().orElseThrow();
            System.out.printf("storm: %d events (%d %% over 1,000 fingerprints) published over %d storm rounds of %d s (%d/s), %d counted in incidents%n",
                    published.sum(), distinctPercent, rounds / 2, seconds, perRound / seconds, counted);
            System.out.printf("storm: heap after GC, baseline %.1f MB; ", baseline / 1e6);
            for (long[] sample : heap) {
                System.out.printf("%dk: %.1f MB; ", sample[0] / 1000, sample[1] / 1e6);
            }
            System.out.println();
            System.out.printf("storm: serving predictions/s quiet %s, storm %s: storm/quiet %.1f %%%n", Arrays.toString(round(quiet)),
                    Arrays.toString(round(storm)), 100 * stormMean / quietMean);
            System.out.printf("storm: stored signal rows %d%n", keel.database().queryOne("SELECT COUNT(*) AS n FROM incident_signals",
                    row -> row.getLong("n")).orElseThrow());
        }
    }

    static long counted(Keel keel) {
        return keel.database().queryOne("SELECT COALESCE(SUM(event_count), 0) AS n FROM incidents", row -> row.getLong("n")).orElseThrow();
    }

    static long[] round(double[] values) {
        return Arrays.stream(values).mapToLong(Math::round).toArray();
    }

    /** Single-row predictions through the endpoint on two threads for the given seconds; answers predictions per second. */
    static double serve(Keel keel, float[][] rows, int seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < 2; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    float[] row = rows[Math.floorMod(next.getAndIncrement(), rows.length)];
                    keel.serving().predict("credit", new PredictionInput.Tensors(Map.of("features", new Tensor(DataType.FP32, new long[] {1,
                        row.length}, row.clone()))), PredictOptions.of("bench"));
                    done.increment();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return done.sum() / (double) seconds;
    }

    static float[][] readRows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        List<float[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            int width = cells.length - 4; // f0..f62, then p0, p1, label, truth
            float[] row = new float[width];
            for (int i = 0; i < width; i++) {
                row[i] = Float.parseFloat(cells[i]);
            }
            rows.add(row);
        }
        return rows.toArray(float[][]::new);
    }

    static void breaches() throws Exception {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String yaml = """
                alerts:
                  http: {allow-private: true}
                  routes:
                    oncall: {channels: [hook], group-by: [kind], group-wait: 2s, group-interval: 10s, repeat-interval: 4h}
                """;
        try (Keel keel = open(yaml)) {
            keel.alerting().addChannel(new Channel.Webhook("default", "hook", URI.create("http://127.0.0.1:" + receiver.getAddress().getPort()
                    + "/hook"), new ValueRef.Env("PATH")), "bench");
            long start = System.nanoTime();
            String[] statistics = {"psi", "ks", "jensen_shannon", "auc"};
            for (int i = 0; i < 10_000; i++) {
                keel.events().publish(new MonitorBreached("default", "br-" + i, "monitor-" + (i % 50), "model-" + (i % 5), statistics[i % 4],
                        "feature_" + (i % 63), 0.3 + i * 1e-5, 0.2, Instant.now()));
            }
            keel.incidents().sink().flush();
            Thread.sleep(15_000);
            List<Incident> incidents = keel.incidents().list("default", Set.of(), 1_000);
            System.out.printf("breaches: 10,000 breach events (50 monitors, 5 models, 4 statistics) in %.1f s -> %d incidents (%d events), "
                            + "%d notifications received in 15 s (route group-by [kind], group-wait 2s, group-interval 10s)%n",
                    (System.nanoTime() - start) / 1e9 - 15, incidents.size(), incidents.stream().mapToLong(Incident::count).sum(), bodies.size());
        } finally {
            receiver.stop(0);
        }
    }
}
