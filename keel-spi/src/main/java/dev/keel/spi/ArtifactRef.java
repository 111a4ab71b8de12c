package dev.keel.spi;

import java.util.Objects;

/** The digest and size of a stored artifact. */
public record ArtifactRef(String sha256, long size) {
    public ArtifactRef {
        Objects.requireNonNull(sha256, "sha256");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
    }
}
