package dev.keel.spi.data;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What an engine needs besides the plan.
 *
 * @param runId the run's id, written into quarantine rows
 * @param baseDirectory relative source paths resolve against it
 * @param stagingDirectory the only place the engine writes files; empty and private to this attempt
 * @param now the run's reference time, for freshness expectations
 * @param secrets resolves credential references
 * @param access the directories file sources may read and the hosts HTTP sources may reach; the engine checks every file it
 *               opens for a source against it, and runs user SQL without file access
 * @param exactDistinctMaxRows profiles count distinct values exactly in datasets of up to this many rows, and estimate
 *                             them above it
 */
public record ExecutionContext(String runId, Path baseDirectory, Path stagingDirectory, Instant now, SecretResolver secrets,
                               AccessPolicy access, long exactDistinctMaxRows) {
    /** The default bound below which profiles count distinct values exactly. */
    public static final long DEFAULT_EXACT_DISTINCT_MAX_ROWS = 1_000_000;

    /** A context whose profiles count distinct values exactly up to {@link #DEFAULT_EXACT_DISTINCT_MAX_ROWS} rows. */
    public ExecutionContext(String runId, Path baseDirectory, Path stagingDirectory, Instant now, SecretResolver secrets,
                            AccessPolicy access) {
        this(runId, baseDirectory, stagingDirectory, now, secrets, access, DEFAULT_EXACT_DISTINCT_MAX_ROWS);
    }

    public ExecutionContext {
        if (exactDistinctMaxRows < 0) {
            throw new IllegalArgumentException("exactDistinctMaxRows must be >= 0, got " + exactDistinctMaxRows);
        }
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(stagingDirectory, "stagingDirectory");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(secrets, "secrets");
    }

    /** A context whose file sources are confined to the base directory. */
    public ExecutionContext(String runId, Path baseDirectory, Path stagingDirectory, Instant now, SecretResolver secrets) {
        this(runId, baseDirectory, stagingDirectory, now, secrets, AccessPolicy.confinedTo(baseDirectory));
    }
}
