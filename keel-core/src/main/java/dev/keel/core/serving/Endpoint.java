package dev.keel.core.serving;

import java.time.Instant;
import java.util.Objects;

/** A stored endpoint: its configuration, the project it belongs to (its model's) and when it was made. */
public record Endpoint(EndpointConfig config, String project, Instant createdAt, String createdBy, Instant updatedAt) {
    public Endpoint {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public String name() {
        return config.name();
    }
}
