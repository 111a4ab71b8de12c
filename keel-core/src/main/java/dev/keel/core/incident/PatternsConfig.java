package dev.keel.core.incident;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of recurring-pattern analysis, the {@code incidents.patterns} section.
 *
 * @param recurrenceCount a fingerprint seen more than this many times within {@code recurrenceWindow} is escalated
 *     ({@code recurrence-count})
 * @param recurrenceWindow the trailing window the recurrence rule counts over ({@code recurrence-window})
 * @param recurrenceUnit what the recurrence rule counts ({@code recurrence-unit}): occurrences (every failure the sink
 *     counted) or episodes (openings and reopenings)
 * @param spreadWindow how close together failures of several objects must be to count as one cause with many symptoms
 *     ({@code spread-window})
 */
public record PatternsConfig(int recurrenceCount, Duration recurrenceWindow, Unit recurrenceUnit, Duration spreadWindow) {
    /** The most a window may span. */
    public static final Duration MAX_WINDOW = Duration.ofDays(366);

    /** What the recurrence rule counts. */
    public enum Unit {
        /** Every failure the incident sink counted, each retry and each failed request included. */
        OCCURRENCES,
        /** Openings and reopenings of the incident: how often the fault came back after it was resolved. */
        EPISODES;

        /** The lower-case name used in configuration and JSON. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PatternsConfig {
        Objects.requireNonNull(recurrenceWindow, "recurrenceWindow");
        Objects.requireNonNull(recurrenceUnit, "recurrenceUnit");
        Objects.requireNonNull(spreadWindow, "spreadWindow");
        KeelException.requireArgument(recurrenceCount >= 1, "incidents.patterns.recurrence-count must be >= 1 (got %s)", recurrenceCount);
        KeelException.requireArgument(recurrenceWindow.isPositive() && recurrenceWindow.compareTo(MAX_WINDOW) <= 0,
                "incidents.patterns.recurrence-window must be positive and at most 366d (got %s)", recurrenceWindow);
        KeelException.requireArgument(spreadWindow.isPositive() && spreadWindow.compareTo(MAX_WINDOW) <= 0,
                "incidents.patterns.spread-window must be positive and at most 366d (got %s)", spreadWindow);
    }

    /**
     * A fault that came back (opened or reopened) more than 3 times within 7 days; several objects failing within one hour
     * of each other. Episodes rather than occurrences by default: a burst of one failure is one fault, however many requests
     * it fails (a policy's {@code count} within a window acts on bursts).
     */
    public static PatternsConfig defaults() {
        return new PatternsConfig(3, Duration.ofDays(7), Unit.EPISODES, Duration.ofHours(1));
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static PatternsConfig from(ConfigNode node) {
        PatternsConfig defaults = defaults();
        PatternsConfig config = new PatternsConfig(node.integer("recurrence-count", defaults.recurrenceCount(), 1, 1_000_000_000),
                node.duration("recurrence-window", defaults.recurrenceWindow()),
                Unit.valueOf(node.oneOf("recurrence-unit", defaults.recurrenceUnit().label(), List.of("occurrences", "episodes"))
                        .toUpperCase(Locale.ROOT)),
                node.duration("spread-window", defaults.spreadWindow()));
        node.rejectUnknownKeys();
        return config;
    }
}
