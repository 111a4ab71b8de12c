package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One alert: what happened, what automation already did, and the incident it belongs to.
 *
 * @param project the project the alert concerns
 * @param severity how urgent it is
 * @param title one line, for a subject or a chat message
 * @param text the longer description
 * @param labels identifying labels; together with the project and title they make the alert's {@link #key()}
 * @param incident a link to the incident in the API, or empty when there is none
 * @param actionsTaken what automation already did, in order
 * @param status firing or resolved
 * @param at when the condition started (firing) or ended (resolved)
 */
public record Alert(String project, Severity severity, String title, String text, Map<String, String> labels, String incident,
                    List<String> actionsTaken, Status status, Instant at) {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,62}");

    /** Whether the condition holds or has ended. */
    public enum Status { FIRING, RESOLVED }

    public Alert {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(incident, "incident");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        KeelException.requireArgument(!project.isBlank(), "alert project must not be blank");
        KeelException.requireArgument(!title.isBlank(), "alert title must not be blank");
        labels = Map.copyOf(new TreeMap<>(labels));
        for (Map.Entry<String, String> label : labels.entrySet()) {
            KeelException.requireArgument(LABEL_NAME.matcher(label.getKey()).matches(),
                    "alert label name '%s' must match %s", label.getKey(), LABEL_NAME.pattern());
        }
        actionsTaken = List.copyOf(actionsTaken);
    }

    /** A firing alert without incident link or actions. */
    public static Alert firing(String project, Severity severity, String title, String text, Map<String, String> labels, Instant at) {
        return new Alert(project, severity, title, text, labels, "", List.of(), Status.FIRING, at);
    }

    /** The incident link, when there is one. */
    public Optional<String> incidentLink() {
        return incident.isEmpty() ? Optional.empty() : Optional.of(incident);
    }

    /** The same alert, resolved at the given time. */
    public Alert resolvedAt(Instant time) {
        return new Alert(project, severity, title, text, labels, incident, actionsTaken, Status.RESOLVED, time);
    }

    /**
     * The value of a label, with {@code project}, {@code severity} and {@code title} readable as labels too (an explicit label
     * of that name wins).
     */
    public Optional<String> label(String name) {
        String value = labels.get(name);
        if (value != null) {
            return Optional.of(value);
        }
        return switch (name) {
            case "project" -> Optional.of(project);
            case "severity" -> Optional.of(severity.label());
            case "title" -> Optional.of(title);
            default -> Optional.empty();
        };
    }

    /** The alert's identity: 16 hex digits of SHA-256 over project, title and the sorted labels; equal for firing and resolved. */
    public String key() {
        StringBuilder identity = new StringBuilder().append(project).append('\u00ff').append(title).append('\u00ff');
        new TreeMap<>(labels).forEach((name, value) -> identity.append(name).append('\u00ff').append(value).append('\u00ff'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
