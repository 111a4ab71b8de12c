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
 */
public record ExecutionContext(String runId, Path baseDirectory, Path stagingDirectory, Instant now, SecretResolver secrets,
                               AccessPolicy access) {
    public ExecutionContext {
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
