package dev.keel.core.incident;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the incidents section.
 *
 * @param flushInterval how long the sink counts equal signals in memory before it writes them ({@code flush-interval}); the
 *     most a crash can lose, and the floor of fault-to-incident latency
 * @param maxPending the most distinct signals the sink holds between flushes ({@code max-pending}); beyond it, signals are
 *     still counted, under their kind and project only
 * @param autoResolveAfter an active incident without an occurrence for this long is resolved by Keel ({@code auto-resolve-after})
 * @param signalRetention how long stored signals are kept for dry runs and pattern reports ({@code signal-retention})
 * @param patterns recurring-pattern analysis ({@code patterns})
 * @param recurrenceWriteInterval how often, at most, the sink writes further occurrences of a fingerprint it has just
 *     written ({@code recurrence-write-interval}); a new fingerprint is written at the next flush. A storm of faults that
 *     keep recurring then costs the store and the listeners one write per incident per interval, not one per flush
 */
public record IncidentsConfig(Duration flushInterval, int maxPending, Duration autoResolveAfter, Duration signalRetention, PatternsConfig patterns,
                              Duration recurrenceWriteInterval) {
    /** The default {@code recurrence-write-interval}. */
    public static final Duration RECURRENCE_WRITE_INTERVAL = Duration.ofSeconds(1);

    public IncidentsConfig {
        Objects.requireNonNull(recurrenceWriteInterval, "recurrenceWriteInterval");
        KeelException.requireArgument(!recurrenceWriteInterval.isNegative(), "incidents.recurrence-write-interval must not be negative (got %s)",
                recurrenceWriteInterval);
        Objects.requireNonNull(patterns, "patterns");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(autoResolveAfter, "autoResolveAfter");
        Objects.requireNonNull(signalRetention, "signalRetention");
        KeelException.requireArgument(flushInterval.isPositive(), "incidents.flush-interval must be positive (got %s)", flushInterval);
        KeelException.requireArgument(autoResolveAfter.isPositive(), "incidents.auto-resolve-after must be positive (got %s)", autoResolveAfter);
        KeelException.requireArgument(signalRetention.isPositive(), "incidents.signal-retention must be positive (got %s)", signalRetention);
    }

    /** The settings with the default pattern analysis. */
    public IncidentsConfig(Duration flushInterval, int maxPending, Duration autoResolveAfter, Duration signalRetention) {
        this(flushInterval, maxPending, autoResolveAfter, signalRetention, PatternsConfig.defaults());
    }

    /** The settings with the default recurrence write interval. */
    public IncidentsConfig(Duration flushInterval, int maxPending, Duration autoResolveAfter, Duration signalRetention, PatternsConfig patterns) {
        this(flushInterval, maxPending, autoResolveAfter, signalRetention, patterns, RECURRENCE_WRITE_INTERVAL);
    }

    /**
     * 200 ms flushes, 10,000 distinct signals between them, resolved after 30 quiet minutes, signals kept 30 days, further
     * occurrences of a fingerprint just written written once a second.
     */
    public static IncidentsConfig defaults() {
        return new IncidentsConfig(Duration.ofMillis(200), 10_000, Duration.ofMinutes(30), Duration.ofDays(30));
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static IncidentsConfig from(ConfigNode node) {
        IncidentsConfig defaults = defaults();
        IncidentsConfig config = new IncidentsConfig(node.duration("flush-interval", defaults.flushInterval()),
                node.integer("max-pending", defaults.maxPending(), 100, 10_000_000),
                node.duration("auto-resolve-after", defaults.autoResolveAfter()),
                node.duration("signal-retention", defaults.signalRetention()), PatternsConfig.from(node.section("patterns")),
                node.duration("recurrence-write-interval", RECURRENCE_WRITE_INTERVAL));
        node.rejectUnknownKeys();
        return config;
    }
}
