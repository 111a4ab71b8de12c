package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A progressive rollout that Keel rolled back: the new version's canary share missed its error-rate, latency or accuracy limit.
 *
 * @param projectName the project of the model, also {@link #project()}
 * @param version the version that was rolled out and is now withdrawn
 * @param reason the limit it missed and by how much
 */
public record RolloutAborted(String projectName, String endpoint, String model, int version, String reason, Instant at) implements KeelEvent {
    public RolloutAborted {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
