package dev.keel.core.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * One move of an alias, kept forever.
 *
 * @param action {@code promote} or {@code rollback}
 */
public record AliasEvent(String model, long seq, String alias, String action, Optional<Integer> fromVersion, Optional<Integer> toVersion,
                         String reason, String actor, Instant at) {
}
