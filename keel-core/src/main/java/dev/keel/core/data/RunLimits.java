package dev.keel.core.data;

import java.time.Duration;
import java.util.Objects;

/**
 * The defaults a run is held to when its spec sets no limit of its own: past them a run publishes a failure event
 * ({@code SourceFailed} as slow, {@code QuarantineExceeded}) and goes on.
 *
 * @param sourceSlowAfter how long reading one source may take ({@code pipelines.source-slow-after}); zero for no limit
 * @param maxQuarantineRate the largest share of read rows a run may quarantine ({@code pipelines.max-quarantine-rate});
 *     1 for no limit
 */
public record RunLimits(Duration sourceSlowAfter, double maxQuarantineRate) {
    /** No slow limit, no quarantine limit. */
    public static final RunLimits NONE = new RunLimits(Duration.ZERO, 1.0);

    public RunLimits {
        Objects.requireNonNull(sourceSlowAfter, "sourceSlowAfter");
        if (sourceSlowAfter.isNegative()) {
            throw new IllegalArgumentException("sourceSlowAfter must be >= 0, got " + sourceSlowAfter);
        }
        if (!(maxQuarantineRate >= 0 && maxQuarantineRate <= 1)) {
            throw new IllegalArgumentException("maxQuarantineRate must be between 0 and 1, got " + maxQuarantineRate);
        }
    }
}
