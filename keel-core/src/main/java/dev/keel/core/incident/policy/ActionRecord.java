package dev.keel.core.incident.policy;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One action a policy took or skipped.
 *
 * @param target the object acted on, such as {@code churn:champion} (a model's alias), an endpoint, a pipeline or a channel
 * @param reason why it was done, or why it was skipped (already done, cool-down, cap), or why it failed
 */
public record ActionRecord(String id, String policy, String project, String incidentId, String action, String target, Instant at,
                           Outcome outcome, String reason) {
    /** What became of an action. */
    public enum Outcome {
        /** A retry whose attempts are still going. */
        RUNNING,
        SUCCEEDED,
        FAILED,
        SKIPPED;

        /** The lower-case name used on timelines and in JSON. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ActionRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
    }

    /** The key that makes an action idempotent: one incident, one action, one target. */
    public static String key(String incidentId, String action, String target) {
        return incidentId + ":" + action + ":" + target;
    }
}
