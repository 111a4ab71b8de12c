import dev.keel.core.monitor.stats.ColumnSample;
import dev.keel.core.monitor.stats.DatasetDrift;
import dev.keel.core.monitor.stats.DatasetDriftOptions;
import dev.keel.core.monitor.stats.DriftDetector;
import dev.keel.core.monitor.stats.DriftOptions;
import dev.keel.core.monitor.stats.DriftStatistic;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Java side of the drift benchmark: reads the data written by scipy_drift.py and times the same reports. Timings include
 * preparing the samples (sorting), as SciPy sorts inside its functions. Run: see bench/drift/README.md.
 */
public final class DriftBenchmark {
    private static final int FEATURES = 20;

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : "/tmp/keel-drift-bench");
        double[][] ref = new double[FEATURES][];
        double[][] cur = new double[FEATURES][];
        for (int j = 0; j < FEATURES; j++) {
            ref[j] = read(folder.resolve("ref_" + j + ".f64"));
            cur[j] = read(folder.resolve("cur_" + j + ".f64"));
        }
        DatasetDrift last = null;
        for (int round = 1; round <= 3; round++) {
            for (boolean parallel : new boolean[] {false, true}) {
                DriftDetector detector = parallel ? DriftDetector.create() : DriftDetector.sequential();
                long start = System.nanoTime();
                DatasetDrift drift = report(detector, parallel, ref, cur, DriftOptions.defaults());
                double defaultSeconds = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                for (DriftStatistic statistic : new DriftStatistic[] {DriftStatistic.KOLMOGOROV_SMIRNOV,
                    DriftStatistic.WASSERSTEIN_NORMALIZED, DriftStatistic.PSI, DriftStatistic.JENSEN_SHANNON}) {
                    last = report(detector, parallel, ref, cur, DriftOptions.defaults().withStatistic(statistic));
                    if (statistic == DriftStatistic.KOLMOGOROV_SMIRNOV && round == 3 && parallel) {
                        last.columns().forEach((name, column) -> System.out.printf("  %s: ks=%.6g p=%.6g%n", name,
                            column.result().value(), column.result().pValue().orElseThrow()));
                    }
                }
                double fullSeconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d, %s: default report %.2f s (drifted %d/%d), full report %.2f s%n", round,
                    parallel ? "2 threads" : "1 thread", defaultSeconds, drift.driftedColumns(), FEATURES, fullSeconds);
            }
        }
    }

    private static DatasetDrift report(DriftDetector detector, boolean parallel, double[][] ref, double[][] cur,
                                       DriftOptions options) {
        ColumnSample[] r = new ColumnSample[FEATURES];
        ColumnSample[] c = new ColumnSample[FEATURES];
        IntStream range = IntStream.range(0, FEATURES);
        (parallel ? range.parallel() : range).forEach(j -> {
            r[j] = ColumnSample.numeric(ref[j]);
            c[j] = ColumnSample.numeric(cur[j]);
        });
        Map<String, ColumnSample> reference = new LinkedHashMap<>();
        Map<String, ColumnSample> current = new LinkedHashMap<>();
        for (int j = 0; j < FEATURES; j++) {
            reference.put("f" + j, r[j]);
            current.put("f" + j, c[j]);
        }
        return detector.detectDataset(reference, current, new DatasetDriftOptions(options, Map.of(), 0.5));
    }

    private static double[] read(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        double[] values = new double[buffer.remaining() / 8];
        buffer.asDoubleBuffer().get(values);
        return values;
    }
}
