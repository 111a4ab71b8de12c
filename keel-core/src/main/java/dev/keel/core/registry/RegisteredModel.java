package dev.keel.core.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A named model in a project: its gate, its newest version and where each alias points. */
public record RegisteredModel(String name, String project, String description, PromotionGate gate, Instant createdAt, String createdBy,
                              Optional<Integer> latestVersion, Map<String, Integer> aliases) {
    public RegisteredModel {
        aliases = Map.copyOf(aliases);
    }
}
