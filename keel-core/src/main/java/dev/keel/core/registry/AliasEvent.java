package dev.keel.core.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * One entry of an alias's history, kept forever: a move, or a promotion that was refused.
 *
 * @param toVersion the version the alias moved to (for a refused promotion, the version it was refused)
 */
public record AliasEvent(String model, long seq, String alias, AliasAction action, Optional<Integer> fromVersion, Optional<Integer> toVersion,
                         String reason, String actor, Instant at) {
}
