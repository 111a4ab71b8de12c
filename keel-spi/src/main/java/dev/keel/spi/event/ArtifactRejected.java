package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/** An artifact whose content did not match its SHA-256 and was not loaded. */
public record ArtifactRejected(String uri, String expectedSha256, String actualSha256, Instant at) implements KeelEvent {
    public ArtifactRejected {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(expectedSha256, "expectedSha256");
        Objects.requireNonNull(actualSha256, "actualSha256");
        Objects.requireNonNull(at, "at");
    }
}
