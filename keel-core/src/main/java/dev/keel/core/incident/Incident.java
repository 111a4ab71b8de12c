package dev.keel.core.incident;

import dev.keel.core.alert.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every occurrence of one fingerprint in one project, as one thing to look after.
 *
 * @param kind the signal kind of the first occurrence
 * @param count occurrences over the incident's whole life
 * @param reopened how many times it came back after it was resolved
 * @param objects the objects involved, by role (model, endpoint, pipeline, …), most recent first, at most {@link #MAX_OBJECTS} each
 * @param firstSeen the first occurrence ever
 * @param lastSeen the latest occurrence
 * @param openedAt when the current episode began (the first occurrence, or the latest reopening)
 * @param acknowledgedBy who acknowledged the current episode, empty when no one has
 * @param resolvedBy who resolved it ({@code keel} for an automatic resolution), empty while it is not resolved
 */
public record Incident(String id, String project, String fingerprint, String kind, String title, Severity severity, Status status,
                       long count, int reopened, Map<String, List<String>> objects, Instant firstSeen, Instant lastSeen, Instant openedAt,
                       Optional<String> acknowledgedBy, Optional<Instant> acknowledgedAt, Optional<String> resolvedBy,
                       Optional<Instant> resolvedAt) {
    /** The most values kept per object role. */
    public static final int MAX_OBJECTS = 20;

    /** Where an incident stands. */
    public enum Status {
        OPEN, ACKNOWLEDGED, RESOLVED;

        /** The lower-case name used in JSON and the CLI. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Parses {@code open}, {@code acknowledged} or {@code resolved} (any case). */
        public static Status parse(String text) {
            for (Status status : values()) {
                if (status.name().equalsIgnoreCase(text)) {
                    return status;
                }
            }
            throw dev.keel.core.error.KeelException.badRequest("status '" + text + "' is not one of [open, acknowledged, resolved]");
        }
    }

    public Incident {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(status, "status");
        objects = Map.copyOf(new TreeMap<>(objects));
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(openedAt, "openedAt");
        Objects.requireNonNull(acknowledgedBy, "acknowledgedBy");
        Objects.requireNonNull(acknowledgedAt, "acknowledgedAt");
        Objects.requireNonNull(resolvedBy, "resolvedBy");
        Objects.requireNonNull(resolvedAt, "resolvedAt");
    }

    /** True while it is open or acknowledged. */
    public boolean active() {
        return status != Status.RESOLVED;
    }

    /** The values of one object role, most recent first. */
    public List<String> objects(String role) {
        return objects.getOrDefault(role, List.of());
    }

    /** The API path of this incident, which alerts link to. */
    public String link() {
        return "/v1/incidents/" + id;
    }
}
