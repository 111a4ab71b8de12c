import dev.keel.core.monitor.stats.ColumnSample;
import dev.keel.core.monitor.stats.DriftDetector;
import dev.keel.core.monitor.stats.DriftOptions;
import dev.keel.core.monitor.stats.DriftResult;
import dev.keel.core.monitor.stats.DriftStatistic;
import dev.keel.core.monitor.stats.NumericSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * How far drift computed from summaries (above monitoring.exact-drift-max-values) is from drift on the samples, against the
 * error bound the result states. Writes each case's samples to DIR so that scipy_exactness.py can check the exact values.
 * Usage: java -cp <keel-core classes and hipparchus> bench/drift/Exactness.java DIR
 */
public class Exactness {
    public static void main(String[] args) throws IOException {
        Path directory = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/keel-drift-exactness"));
        DriftDetector detector = DriftDetector.create();
        System.out.println("case,statistic,exact,summary,abs_error,stated_max_error,within_bound");
        for (int n : new int[] {500, 5_000, 100_000}) {
            Random random = new Random(42 + n);
            double[] reference = new double[n];
            double[] current = new double[n];
            for (int i = 0; i < n; i++) {
                reference[i] = random.nextGaussian();
                current[i] = random.nextGaussian() * 1.1 + 0.1;
            }
            write(directory.resolve("ref-" + n + ".txt"), reference);
            write(directory.resolve("cur-" + n + ".txt"), current);
            NumericSummary referenceSummary = NumericSummary.ofReference(reference);
            NumericSummary currentSummary = referenceSummary.emptyCopy();
            currentSummary.addAll(current);
            for (DriftStatistic statistic : new DriftStatistic[] {DriftStatistic.KOLMOGOROV_SMIRNOV, DriftStatistic.WASSERSTEIN_NORMALIZED,
                    DriftStatistic.JENSEN_SHANNON}) {
                DriftOptions options = new DriftOptions(Optional.of(statistic), OptionalDouble.empty(), DriftOptions.DEFAULT_PSI_BINS, Math.E);
                DriftResult exact = detector.detect(ColumnSample.numeric(reference), ColumnSample.numeric(current), options).result();
                DriftResult summary = detector.detect(referenceSummary, currentSummary, options).result();
                double error = Math.abs(summary.value() - exact.value());
                double bound = summary.maxError().orElse(0);
                System.out.printf("n=%d,%s,%.9f,%.9f,%.2e,%.2e,%s%n", n, statistic, exact.value(), summary.value(), error, bound,
                        error <= bound + 1e-12);
                if (statistic == DriftStatistic.KOLMOGOROV_SMIRNOV) {
                    System.out.printf("n=%d,KS p-value,%.6e,%.6e,%.2e,%.2e,%s%n", n, exact.pValue().orElse(Double.NaN),
                            summary.pValue().orElse(Double.NaN), Math.abs(summary.pValue().orElse(0) - exact.pValue().orElse(0)),
                            summary.pValueMaxError().orElse(0), Math.abs(summary.pValue().orElse(0) - exact.pValue().orElse(0))
                                    <= summary.pValueMaxError().orElse(0) + 1e-12);
                }
            }
        }
    }

    private static void write(Path file, double[] values) throws IOException {
        Files.writeString(file, Arrays.stream(values).mapToObj(Double::toString).collect(Collectors.joining("\n")) + "\n");
    }
}
