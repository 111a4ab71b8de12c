package dev.keel.core.incident;

import java.util.List;
import java.util.Objects;

/**
 * What just happened to an incident, as its listeners (alerts, policies, patterns) are told after the change is committed.
 *
 * @param incident the incident as it is now
 * @param type what changed
 * @param observations the signals folded in by this change (empty for a status change by a person or a policy)
 * @param actor who changed it: {@code keel} for the incident sink and automatic resolution
 */
public record IncidentChange(Incident incident, Type type, List<Observation> observations, String actor) {
    /** The kinds of change. */
    public enum Type {
        /** A new fingerprint: the incident was created. */
        OPENED,
        /** A resolved incident whose fingerprint came back. */
        REOPENED,
        /** More occurrences of an active incident. */
        RECURRED,
        /** Someone acknowledged it. */
        ACKNOWLEDGED,
        /** Someone, a policy or the quiet period resolved it. */
        RESOLVED,
        /** Its severity was raised. */
        ESCALATED,
        /** Automation recorded an action on it (the action is the latest ACTION entry of its timeline). */
        ACTED
    }

    public IncidentChange {
        Objects.requireNonNull(incident, "incident");
        Objects.requireNonNull(type, "type");
        observations = List.copyOf(observations);
        Objects.requireNonNull(actor, "actor");
    }

    /** The total count of the signals this change folded in. */
    public long events() {
        return observations.stream().mapToLong(Observation::count).sum();
    }
}
