import dev.keel.core.monitor.stats.CategoricalSummary;
import dev.keel.core.monitor.stats.ColumnSummary;
import dev.keel.core.monitor.stats.DriftDetector;
import dev.keel.core.monitor.stats.DriftOptions;
import dev.keel.core.monitor.stats.DriftStatistic;
import dev.keel.core.monitor.stats.NumericSummary;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Windowed drift detection on generated streams with a known drift point. Each run: a reference of 5000 values, then a
 * stream of 60 windows of 500 values, stationary for windows 0-29 and drifted from window 30. Each window is a bounded
 * summary compared with the reference summary. Reports, over 50 seeded runs, the false alarms on the stationary stretch
 * (alarmed windows / stationary windows) and the detection delay (windows from the drift point to the first alarm at or
 * after it; "missed" when no alarm follows). Run: see bench/drift/README.md.
 */
public final class DetectionExperiment {
    static final int REFERENCE = 5000;
    static final int WINDOW = 500;
    static final int WINDOWS = 60;
    static final int DRIFT_AT = 30;
    static final int RUNS = 50;

    record Scenario(String name, Function<SplittableRandom, Double> before, Function<SplittableRandom, Double> after) {
    }

    public static void main(String[] args) {
        List<Scenario> numeric = List.of(
            new Scenario("mean +0.1 sd", r -> gauss(r), r -> gauss(r) + 0.1),
            new Scenario("mean +0.25 sd", r -> gauss(r), r -> gauss(r) + 0.25),
            new Scenario("mean +0.5 sd", r -> gauss(r), r -> gauss(r) + 0.5),
            new Scenario("sd x1.3", r -> gauss(r), r -> gauss(r) * 1.3));
        DriftDetector detector = DriftDetector.sequential();
        System.out.println("| scenario | statistic (threshold) | false alarms on stationary windows | mean delay (windows) | max delay | missed |");
        System.out.println("|---|---|---|---|---|---|");
        for (Scenario scenario : numeric) {
            for (DriftOptions options : List.of(DriftOptions.defaults(),
                DriftOptions.defaults().withStatistic(DriftStatistic.KOLMOGOROV_SMIRNOV),
                DriftOptions.defaults().withStatistic(DriftStatistic.PSI))) {
                run(detector, scenario, options, seed -> numericStream(scenario, seed));
            }
        }
        Scenario categorical = new Scenario("category shares 40/30/20/10 -> 34/30/23/13", r -> pick(r, 0.4, 0.3, 0.2),
            r -> pick(r, 0.34, 0.3, 0.23));
        for (DriftOptions options : List.of(DriftOptions.defaults(),
            DriftOptions.defaults().withStatistic(DriftStatistic.CHI_SQUARE),
            DriftOptions.defaults().withStatistic(DriftStatistic.PSI))) {
            run(detector, categorical, options, seed -> categoricalStream(categorical, seed));
        }
    }

    /** Reference summary followed by the window summaries. */
    static void run(DriftDetector detector, Scenario scenario, DriftOptions options, Function<Long, List<ColumnSummary>> stream) {
        long falseAlarms = 0;
        long stationary = 0;
        long delaySum = 0;
        int detected = 0;
        int maxDelay = 0;
        String statistic = "";
        for (int run = 0; run < RUNS; run++) {
            List<ColumnSummary> summaries = stream.apply(1000L + run);
            ColumnSummary reference = summaries.get(0);
            int delay = -1;
            for (int w = 0; w < WINDOWS; w++) {
                var drift = detector.detect(reference, summaries.get(w + 1), options);
                statistic = drift.result().statistic().id() + " (" + drift.result().threshold() + ")";
                if (w < DRIFT_AT) {
                    stationary++;
                    if (drift.drifted()) {
                        falseAlarms++;
                    }
                } else if (delay < 0 && drift.drifted()) {
                    delay = w - DRIFT_AT;
                }
            }
            if (delay >= 0) {
                detected++;
                delaySum += delay;
                maxDelay = Math.max(maxDelay, delay);
            }
        }
        System.out.printf("| %s | %s | %d/%d (%.1f%%) | %s | %s | %d/%d |%n", scenario.name(), statistic, falseAlarms, stationary,
            100.0 * falseAlarms / stationary, detected == 0 ? "-" : String.format("%.2f", (double) delaySum / detected),
            detected == 0 ? "-" : String.valueOf(maxDelay), RUNS - detected, RUNS);
    }

    static List<ColumnSummary> numericStream(Scenario scenario, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] reference = new double[REFERENCE];
        for (int i = 0; i < REFERENCE; i++) {
            reference[i] = scenario.before().apply(random);
        }
        NumericSummary summary = NumericSummary.ofReference(reference);
        java.util.ArrayList<ColumnSummary> result = new java.util.ArrayList<>(List.of(summary));
        for (int w = 0; w < WINDOWS; w++) {
            NumericSummary window = summary.emptyCopy();
            for (int i = 0; i < WINDOW; i++) {
                window.add((w < DRIFT_AT ? scenario.before() : scenario.after()).apply(random));
            }
            result.add(window);
        }
        return result;
    }

    static List<ColumnSummary> categoricalStream(Scenario scenario, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        java.util.ArrayList<String> reference = new java.util.ArrayList<>();
        for (int i = 0; i < REFERENCE; i++) {
            reference.add("c" + scenario.before().apply(random).intValue());
        }
        CategoricalSummary summary = CategoricalSummary.ofReference(reference, 64);
        java.util.ArrayList<ColumnSummary> result = new java.util.ArrayList<>(List.of(summary));
        for (int w = 0; w < WINDOWS; w++) {
            CategoricalSummary window = summary.emptyCopy();
            for (int i = 0; i < WINDOW; i++) {
                window.add("c" + (w < DRIFT_AT ? scenario.before() : scenario.after()).apply(random).intValue());
            }
            result.add(window);
        }
        return result;
    }

    static double gauss(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    static double pick(SplittableRandom random, double a, double b, double c) {
        double u = random.nextDouble();
        return u < a ? 0 : u < a + b ? 1 : u < a + b + c ? 2 : 3;
    }
}
