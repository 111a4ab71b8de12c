package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A committed move of a model's alias: a promotion or a rollback.
 *
 * @param fromVersion the version the alias held before, empty for a new alias
 * @param rollback true for a rollback, false for a promotion
 */
public record AliasMoved(String model, String alias, OptionalInt fromVersion, int toVersion, boolean rollback, String reason, String actor,
                         Instant at) implements KeelEvent {
    public AliasMoved {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(fromVersion, "fromVersion");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(at, "at");
    }
}
