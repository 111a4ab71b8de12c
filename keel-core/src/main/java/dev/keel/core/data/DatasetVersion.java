package dev.keel.core.data;

import dev.keel.core.security.ProjectService;
import dev.keel.core.security.SensitiveColumns;
import dev.keel.spi.data.DatasetProfile;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable snapshot of a dataset: a Parquet file named by its content hash, with its profile and lineage.
 *
 * @param sha256 the SHA-256 of the Parquet file
 * @param location the file's path relative to the snapshot store's root
 * @param sourceFingerprints source name to the SHA-256 of what was read
 * @param project the project of the pipeline that published it
 * @param sensitive the columns masked for a caller without SENSITIVE_READ in the project: those the pipeline's output declared and
 *                  those inherited by name from the datasets it read
 */
public record DatasetVersion(String dataset, int version, String sha256, String location, long rows, long bytes,
                             DatasetProfile profile, String pipeline, int specVersion, String runId,
                             Map<String, String> sourceFingerprints, Instant createdAt, String project,
                             SensitiveColumns sensitive) {
    public DatasetVersion {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(runId, "runId");
        sourceFingerprints = Map.copyOf(sourceFingerprints);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(sensitive, "sensitive");
    }

    /** A version without sensitive columns. */
    public DatasetVersion(String dataset, int version, String sha256, String location, long rows, long bytes, DatasetProfile profile,
                          String pipeline, int specVersion, String runId, Map<String, String> sourceFingerprints, Instant createdAt,
                          String project) {
        this(dataset, version, sha256, location, rows, bytes, profile, pipeline, specVersion, runId, sourceFingerprints, createdAt,
                project, SensitiveColumns.none());
    }

    /** A version in the {@code default} project. */
    public DatasetVersion(String dataset, int version, String sha256, String location, long rows, long bytes, DatasetProfile profile,
                          String pipeline, int specVersion, String runId, Map<String, String> sourceFingerprints, Instant createdAt) {
        this(dataset, version, sha256, location, rows, bytes, profile, pipeline, specVersion, runId, sourceFingerprints, createdAt,
                ProjectService.DEFAULT);
    }

    /** {@code name@version}. */
    public String reference() {
        return dataset + "@" + version;
    }
}
