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
 */
public record MonitoringConfig(boolean enabled, Duration evaluationInterval, int minSamples, int queueCapacity, int batchSize,
                               Duration flushInterval, double defaultSampleRate, Map<String, Double> sampleRates) {
    public MonitoringConfig {
        Objects.requireNonNull(evaluationInterval, "evaluationInterval");
        Objects.requireNonNull(flushInterval, "flushInterval");
        sampleRates = Map.copyOf(sampleRates);
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
                parseRates(log, rates));
        if (config.evaluationInterval().isZero()) {
            throw node.invalid("evaluation-interval", "0", "a positive duration such as 30s or 1m");
        }
        log.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return config;
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
