package dev.keel.core.training;

import java.time.Instant;
import java.util.Optional;

/** A challenger that passed its gate, held until a person approves or rejects its promotion to {@code alias}. */
public record Approval(String id, String model, String project, int version, String runId, String alias, Status status, Instant requestedAt,
                       Optional<Instant> decidedAt, Optional<String> decidedBy, Optional<String> reason) {
    /** Where an approval is. */
    public enum Status {
        /** Waiting for a person. */
        PENDING,
        /** Approved: the promotion (or its rollout) started. */
        APPROVED,
        /** Rejected: the version stays where it is. */
        REJECTED,
        /** A newer challenger of the same model replaced it before anyone decided. */
        SUPERSEDED
    }
}
