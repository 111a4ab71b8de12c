package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Mutes a project's alerts whose labels equal every matcher until {@code endsAt}. {@code severity}, {@code project} and
 * {@code title} can be matched like labels. Expiring a silence sets {@code endsAt} to the moment it was expired.
 */
public record Silence(String id, String project, Map<String, String> matchers, String comment, String createdBy, Instant createdAt,
                      Instant endsAt) {
    public Silence {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(comment, "comment");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(endsAt, "endsAt");
        matchers = Map.copyOf(matchers);
        KeelException.requireArgument(!matchers.isEmpty(), "a silence needs at least one matcher, else it would mute the whole project");
        KeelException.requireArgument(endsAt.isAfter(createdAt) || endsAt.equals(createdAt),
                "silence ends_at %s is before its creation at %s", endsAt, createdAt);
    }

    /** True when the silence is in force at {@code now}. */
    public boolean activeAt(Instant now) {
        return now.isBefore(endsAt);
    }

    /** True when the silence is in force and matches the alert. */
    public boolean mutes(Alert alert, Instant now) {
        if (!activeAt(now) || !project.equals(alert.project())) {
            return false;
        }
        for (Map.Entry<String, String> matcher : matchers.entrySet()) {
            if (!alert.label(matcher.getKey()).map(matcher.getValue()::equals).orElse(false)) {
                return false;
            }
        }
        return true;
    }
}
