package dev.keel.core.training;

import java.time.Instant;

/** A model's training spec as applied: its text, parsed form and version (1 on first apply, +1 on every change). */
public record StoredSpec(String model, String project, String text, TrainingSpec spec, int version, Instant updatedAt, String updatedBy) {
}
