package dev.keel.core.batch;

import dev.keel.core.config.ConfigNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code batch:} section of the server's configuration.
 *
 * <pre>{@code
 * batch:
 *   output-root: /var/lib/keel/batch-output   # where Parquet destinations write; default <data>/batch-output
 *   lease: 60s                                 # how long a run stays claimed after its last chunk
 *   scheduler: true                            # whether jobs run on their cron schedules
 *   connection-pool: 2                         # connections per declared database a destination writes into
 * }</pre>
 *
 * @param outputRoot where file destinations write; empty for the data directory's {@code batch-output}
 * @param lease how long a run stays claimed by the process executing it after its last chunk; a killed server's runs can be resumed
 *     once it has run out
 * @param scheduler whether the server starts jobs on their cron schedules (chaining after pipelines works either way)
 * @param connectionPool the pool size of each declared database a job writes into, opened on first use
 */
public record BatchSettings(Optional<Path> outputRoot, Duration lease, boolean scheduler, int connectionPool) {
    public BatchSettings {
        Objects.requireNonNull(outputRoot, "outputRoot");
        Objects.requireNonNull(lease, "lease");
    }

    public static BatchSettings defaults() {
        return new BatchSettings(Optional.empty(), ScoringRun.DEFAULT_LEASE, true, 2);
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static BatchSettings from(ConfigNode node) {
        Optional<Path> outputRoot = node.string("output-root").map(Path::of);
        Duration lease = node.duration("lease", ScoringRun.DEFAULT_LEASE);
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
            throw node.invalid("lease", lease, "a duration from 1s to 1h, such as 60s");
        }
        boolean scheduler = node.bool("scheduler", true);
        int pool = node.integer("connection-pool", 2, 1, 32);
        node.rejectUnknownKeys();
        return new BatchSettings(outputRoot, lease, scheduler, pool);
    }
}
