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
 */
public record ExecutionContext(String runId, Path baseDirectory, Path stagingDirectory, Instant now, SecretResolver secrets) {
    public ExecutionContext {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(stagingDirectory, "stagingDirectory");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(secrets, "secrets");
    }
}
