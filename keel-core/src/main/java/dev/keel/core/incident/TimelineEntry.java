package dev.keel.core.incident;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One line of an incident's story.
 *
 * @param seq the entry's place in the incident's timeline, from 1
 * @param type what kind of entry it is
 * @param actor who did it: a token's name, {@code keel} for automation, a policy as {@code policy:NAME}
 * @param text what happened, in one line
 * @param detail structured detail (the signal's objects, an action's outcome)
 * @param count how many occurrences an event entry stands for (events close together share one entry); 1 otherwise
 * @param lastAt the latest occurrence an event entry stands for; equal to {@code at} otherwise
 */
public record TimelineEntry(int seq, Instant at, Type type, String actor, String text, Map<String, Object> detail, long count, Instant lastAt) {
    /** The kinds of timeline entry. */
    public enum Type {
        /** Occurrences of the fingerprint. */
        EVENT,
        /** Opened, acknowledged, resolved, reopened. */
        STATUS,
        /** An automated action and its outcome. */
        ACTION,
        /** An alert sent, held or silenced. */
        ALERT,
        /** Escalated as a recurring pattern. */
        ESCALATION,
        /** A note from a person. */
        NOTE;

        /** The lower-case name used in JSON. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TimelineEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(text, "text");
        detail = Map.copyOf(detail);
        Objects.requireNonNull(lastAt, "lastAt");
    }
}
