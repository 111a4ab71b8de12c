package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one message to one channel carries: the alerts of one group, firing first.
 *
 * @param key the group's key (for a single alert, the alert's key); recorded with every delivery attempt
 * @param groupLabels the values of the route's {@code group_by} labels shared by every alert of the group
 * @param alerts at least one alert
 */
public record Notification(String key, Map<String, String> groupLabels, List<Alert> alerts) {
    public Notification {
        Objects.requireNonNull(key, "key");
        groupLabels = Map.copyOf(groupLabels);
        alerts = List.copyOf(alerts);
        KeelException.requireArgument(!alerts.isEmpty(), "a notification holds at least one alert");
    }

    /** A notification of one alert on its own. */
    public static Notification of(Alert alert) {
        return new Notification(alert.key(), Map.of(), List.of(alert));
    }

    /** Firing when any alert of it fires, else resolved. */
    public Alert.Status status() {
        return alerts.stream().anyMatch(alert -> alert.status() == Alert.Status.FIRING) ? Alert.Status.FIRING : Alert.Status.RESOLVED;
    }

    /** The project of the first alert; routes keep groups within one project's channels. */
    public String project() {
        return alerts.getFirst().project();
    }

    /** A one-line summary: {@code [FIRING] title} or {@code [FIRING:3] first title and 2 more}. */
    public String summary() {
        long firing = alerts.stream().filter(alert -> alert.status() == Alert.Status.FIRING).count();
        String count = alerts.size() == 1 ? "" : ":" + (status() == Alert.Status.FIRING ? firing : alerts.size());
        String more = alerts.size() == 1 ? "" : " and " + (alerts.size() - 1) + " more";
        return "[" + status().name() + count + "] " + alerts.getFirst().title() + more;
    }

    /** A readable plain-text account of every alert: what happened, what automation did, and where the incident is. */
    public String plainText() {
        StringBuilder text = new StringBuilder(summary()).append('\n');
        for (Alert alert : alerts) {
            text.append('\n').append(alert.status().name()).append(' ').append(alert.severity().label()).append(" — ")
                    .append(alert.title()).append(" (project ").append(alert.project()).append(", at ").append(alert.at()).append(")\n");
            if (!alert.text().isBlank()) {
                text.append(alert.text()).append('\n');
            }
            if (!alert.labels().isEmpty()) {
                text.append("labels: ").append(alert.labels()).append('\n');
            }
            for (String action : alert.actionsTaken()) {
                text.append("done: ").append(action).append('\n');
            }
            alert.incidentLink().ifPresent(link -> text.append("incident: ").append(link).append('\n'));
        }
        return text.toString();
    }
}
