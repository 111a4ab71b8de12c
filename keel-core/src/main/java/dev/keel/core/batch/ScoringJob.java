package dev.keel.core.batch;

import java.time.Instant;
import java.util.Objects;

/**
 * An applied scoring job: its spec as sent and as parsed, and which change of it this is.
 *
 * @param version 1 for the first apply, then one more for every change; re-applying an unchanged spec keeps it
 * @param text the spec as it was sent (YAML or JSON)
 */
public record ScoringJob(String name, String project, int version, String text, ScoringJobSpec spec, Instant updatedAt, String updatedBy) {
    public ScoringJob {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(updatedBy, "updatedBy");
    }
}
