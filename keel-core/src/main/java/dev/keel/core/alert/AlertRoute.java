package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where alerts go and how they are grouped, with Prometheus Alertmanager's meaning for each field.
 *
 * @param project the project an alert must belong to, or empty for any
 * @param minimum the least severity that matches
 * @param labels labels an alert must carry with exactly these values
 * @param channels the names of the project's channels that receive the matching alerts
 * @param groupBy the labels whose values make a group; {@code ...} alone groups by every label (each alert on its own)
 * @param groupWait how long a new group waits for more alerts before its first notification
 * @param groupInterval how long after a notification a changed group is notified again
 * @param repeatInterval how long after a notification an unchanged, still firing group is notified again
 * @param continueMatching when true, later routes are tried too (Alertmanager's {@code continue})
 */
public record AlertRoute(String project, Severity minimum, Map<String, String> labels, List<String> channels, List<String> groupBy,
                         Duration groupWait, Duration groupInterval, Duration repeatInterval, boolean continueMatching) {
    /** Alertmanager's defaults: 30 s, 5 min, 4 h. */
    public static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_GROUP_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);
    /** The {@code group_by} value that groups by all labels. */
    public static final String ALL_LABELS = "...";

    public AlertRoute {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(minimum, "minimum");
        labels = Map.copyOf(labels);
        channels = List.copyOf(channels);
        groupBy = List.copyOf(groupBy);
        Objects.requireNonNull(groupWait, "groupWait");
        Objects.requireNonNull(groupInterval, "groupInterval");
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        KeelException.requireArgument(!channels.isEmpty(), "a route must name at least one channel");
        KeelException.requireArgument(!groupWait.isNegative(), "group_wait must not be negative (got %s)", groupWait);
        KeelException.requireArgument(groupInterval.isPositive(), "group_interval must be positive (got %s)", groupInterval);
        KeelException.requireArgument(repeatInterval.isPositive(), "repeat_interval must be positive (got %s)", repeatInterval);
        KeelException.requireArgument(!groupBy.contains(ALL_LABELS) || groupBy.size() == 1,
                "group_by '...' groups by every label and must stand alone (got %s)", groupBy);
    }

    /** A route of the project's alerts at or above the severity to the channels, grouped by nothing, with the default times. */
    public static AlertRoute of(String project, Severity minimum, List<String> channels) {
        return new AlertRoute(project, minimum, Map.of(), channels, List.of(), DEFAULT_GROUP_WAIT, DEFAULT_GROUP_INTERVAL,
                DEFAULT_REPEAT_INTERVAL, false);
    }

    /** True when the alert belongs to the project (if set), is severe enough and carries every label with its value. */
    public boolean matches(Alert alert) {
        if (!project.isEmpty() && !project.equals(alert.project())) {
            return false;
        }
        if (!alert.severity().atLeast(minimum)) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!alert.label(label.getKey()).map(label.getValue()::equals).orElse(false)) {
                return false;
            }
        }
        return true;
    }

    /** The group labels of an alert under this route: the {@code group_by} labels it has, with their values. */
    Map<String, String> groupLabels(Alert alert) {
        Map<String, String> values = new TreeMap<>();
        if (groupBy.equals(List.of(ALL_LABELS))) {
            values.putAll(alert.labels());
            values.put("title", alert.title());
            return values;
        }
        for (String name : groupBy) {
            Optional<String> value = alert.label(name);
            value.ifPresent(present -> values.put(name, present));
        }
        return values;
    }
}
