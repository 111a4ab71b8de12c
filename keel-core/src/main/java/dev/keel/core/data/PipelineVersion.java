package dev.keel.core.data;

import java.time.Instant;
import java.util.Objects;

/** One immutable version of a pipeline's spec; a changed spec gets the next version number. */
public record PipelineVersion(String pipeline, int version, String specYaml, String sha256, Instant createdAt) {
    public PipelineVersion {
        Objects.requireNonNull(pipeline, "pipeline");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        Objects.requireNonNull(specYaml, "specYaml");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
