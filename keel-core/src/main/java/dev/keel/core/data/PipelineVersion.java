package dev.keel.core.data;

import dev.keel.core.security.ProjectService;
import java.time.Instant;
import java.util.Objects;

/**
 * One immutable version of a pipeline's spec; a changed spec gets the next version number.
 *
 * @param project the project the pipeline belongs to; every version of a pipeline has the same one
 */
public record PipelineVersion(String pipeline, int version, String specYaml, String sha256, Instant createdAt, String project) {
    public PipelineVersion {
        Objects.requireNonNull(pipeline, "pipeline");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        Objects.requireNonNull(specYaml, "specYaml");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(project, "project");
    }

    /** A version in the {@code default} project. */
    public PipelineVersion(String pipeline, int version, String specYaml, String sha256, Instant createdAt) {
        this(pipeline, version, specYaml, sha256, createdAt, ProjectService.DEFAULT);
    }
}
