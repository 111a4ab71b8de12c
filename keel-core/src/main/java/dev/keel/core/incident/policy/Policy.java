package dev.keel.core.incident.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored policy: its spec text as applied, parsed, and who applied it when.
 *
 * @param version 1 for the first apply, one more for every apply that changed the text
 */
public record Policy(String name, String project, String specText, PolicySpec spec, int version, Instant createdAt, String createdBy,
                     Instant updatedAt, String updatedBy) {
    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(specText, "specText");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(updatedBy, "updatedBy");
    }

    /** The actor of the policy's actions in the audit log and on timelines. */
    public String actor() {
        return "policy:" + name;
    }
}
