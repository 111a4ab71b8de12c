package dev.keel.core.monitor;

import dev.keel.core.config.ConfigNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code monitoring:} section: how often monitors are evaluated and how the prediction log buffers, batches and samples.
 *
 * @param evaluationInterval how often the scheduler evaluates every enabled monitor
 * @param minSamples windows with fewer rows are reported as {@code no_data} and never breach
 * @param sampleRates per-endpoint share of predictions logged, overriding {@code defaultSampleRate}
 * @param exactDriftMaxValues drift is computed on the samples while a column has at most this many values in the
 *     reference and in the window; above it, from bounded summaries with the error bound stated in the result
 * @param jensenShannonBase the logarithm base of the Jensen-Shannon distance: 2 (the default: a distance in [0, 1]) or {@code e}
 *     (SciPy's default, which Evidently's {@code jensenshannon} stattest passes on)
 * @param durableLog true ({@code log-durability: durable}): a prediction is answered only once its log record is on disk
 */
public record MonitoringConfig(boolean enabled, Duration evaluationInterval, int minSamples, int queueCapacity, int batchSize,
                               Duration flushInterval, double defaultSampleRate, Map<String, Double> sampleRates,
                               int exactDriftMaxValues, double jensenShannonBase, boolean durableLog) {
    public static final int DEFAULT_EXACT_DRIFT_MAX_VALUES = 1_000_000;

    public MonitoringConfig {
        Objects.requireNonNull(evaluationInterval, "evaluationInterval");
        Objects.requireNonNull(flushInterval, "flushInterval");
        sampleRates = Map.copyOf(sampleRates);
        if (exactDriftMaxValues < 0) {
            throw new IllegalArgumentException("exactDriftMaxValues is " + exactDriftMaxValues + "; expected >= 0");
        }
        if (jensenShannonBase != Math.E && jensenShannonBase != 2) {
            throw new IllegalArgumentException("jensenShannonBase is " + jensenShannonBase + "; expected e or 2");
        }
    }

    /** The configuration with the default exact-drift bound and the buffered (default) log. */
    public MonitoringConfig(boolean enabled, Duration evaluationInterval, int minSamples, int queueCapacity, int batchSize,
                            Duration flushInterval, double defaultSampleRate, Map<String, Double> sampleRates) {
        this(enabled, evaluationInterval, minSamples, queueCapacity, batchSize, flushInterval, defaultSampleRate, sampleRates,
                DEFAULT_EXACT_DRIFT_MAX_VALUES, 2.0, false);
    }

    /** This configuration with another exact-drift bound. */
    public MonitoringConfig withExactDriftMaxValues(int values) {
        return new MonitoringConfig(enabled, evaluationInterval, minSamples, queueCapacity, batchSize, flushInterval, defaultSampleRate,
                sampleRates, values, jensenShannonBase, durableLog);
    }

    /** This configuration with the durable (true) or buffered (false) prediction log. */
    public MonitoringConfig withDurableLog(boolean durable) {
        return new MonitoringConfig(enabled, evaluationInterval, minSamples, queueCapacity, batchSize, flushInterval, defaultSampleRate,
                sampleRates, exactDriftMaxValues, jensenShannonBase, durable);
    }

    /** This configuration with the Jensen-Shannon distance in another logarithm base ({@code Math.E} or 2). */
    public MonitoringConfig withJensenShannonBase(double base) {
        return new MonitoringConfig(enabled, evaluationInterval, minSamples, queueCapacity, batchSize, flushInterval, defaultSampleRate,
                sampleRates, exactDriftMaxValues, base, durableLog);
    }

    /** Defaults: evaluate every minute, queue 100 000 records, write up to 10 000 a batch at least every second, log everything. */
    public static MonitoringConfig defaults() {
        return from(ConfigNode.empty().section("monitoring"));
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static MonitoringConfig from(ConfigNode node) {
        ConfigNode log = node.section("prediction-log");
        String rates = log.string("sample-rates", "");
        MonitoringConfig config = new MonitoringConfig(
                node.bool("enabled", true),
                node.duration("evaluation-interval", Duration.ofMinutes(1)),
                node.integer("min-samples", 30, 1, Integer.MAX_VALUE),
                log.integer("queue-capacity", 100_000, 1, 10_000_000),
                log.integer("batch-size", 10_000, 1, 1_000_000),
                log.duration("flush-interval", Duration.ofSeconds(1)),
                log.number("sample-rate", 1.0, 0.0, 1.0),
                parseRates(log, rates),
                node.integer("exact-drift-max-values", DEFAULT_EXACT_DRIFT_MAX_VALUES, 0, 100_000_000),
                logBase(node),
                durability(node));
        if (config.evaluationInterval().isZero()) {
            throw node.invalid("evaluation-interval", "0", "a positive duration such as 30s or 1m");
        }
        log.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return config;
    }

    private static double logBase(ConfigNode node) {
        String text = node.string("jensen-shannon-base", "2");
        return switch (text) {
            case "e" -> Math.E;
            case "2" -> 2.0;
            default -> throw node.invalid("jensen-shannon-base", text, "'e' (natural logarithm, as Evidently and SciPy) or '2'");
        };
    }

    private static boolean durability(ConfigNode node) {
        String text = node.string("log-durability", "buffered");
        return switch (text) {
            case "buffered" -> false;
            case "durable" -> true;
            default -> throw node.invalid("log-durability", text, "'buffered' (answer at once, lose at most the last flush interval on a "
                    + "crash) or 'durable' (answer once the log record is on disk)");
        };
    }

    private static Map<String, Double> parseRates(ConfigNode node, String text) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] pair = part.split("=", 2);
            double rate;
            try {
                rate = pair.length == 2 ? Double.parseDouble(pair[1].trim()) : Double.NaN;
            } catch (NumberFormatException e) {
                rate = Double.NaN;
            }
            if (pair.length != 2 || pair[0].isBlank() || !(rate >= 0 && rate <= 1)) {
                throw node.invalid("sample-rates", text, "a list such as 'credit=0.5,fraud=0.1' (endpoint=rate, rates from 0 to 1)");
            }
            rates.put(pair[0].trim(), rate);
        }
        return rates;
    }

    /** The share of this endpoint's predictions that is logged. */
    public double sampleRate(String endpoint) {
        return sampleRates.getOrDefault(endpoint, defaultSampleRate);
    }
}
