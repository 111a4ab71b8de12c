package dev.keel.core.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A named model in a project: its gate, its signature requirement, its newest version and where each alias points.
 *
 * @param signing whether its versions need a valid signature to be promoted and loaded, and by which keys
 */
public record RegisteredModel(String name, String project, String description, PromotionGate gate, SigningPolicy signing, Instant createdAt,
                              String createdBy, Optional<Integer> latestVersion, Map<String, Integer> aliases) {
    public RegisteredModel {
        signing = java.util.Objects.requireNonNullElse(signing, SigningPolicy.none());
        aliases = Map.copyOf(aliases);
    }
}
