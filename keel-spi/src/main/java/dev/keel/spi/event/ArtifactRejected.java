package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An artifact whose bytes did not match its SHA-256 and was not used.
 *
 * @param sha256 the digest the artifact is stored under
 * @param usedBy what wanted it, such as the model version ({@code churn:3})
 * @param message the store's account of the mismatch
 */
public record ArtifactRejected(String sha256, String usedBy, String message, Instant at) implements KeelEvent {
    public ArtifactRejected {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(usedBy, "usedBy");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }
}
