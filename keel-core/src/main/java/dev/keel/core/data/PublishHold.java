package dev.keel.core.data;

import java.time.Instant;
import java.util.Objects;

/**
 * A pipeline whose runs go on but publish nothing until publishing is resumed: set by a remediation policy's
 * {@code stop_publish} or by a person, so that bad data does not reach the datasets that models and reports read.
 *
 * @param actor who stopped it ({@code policy:NAME} for a policy)
 * @param reason why, such as the incident that led to it
 */
public record PublishHold(String pipeline, String actor, String reason, Instant heldAt) {
    public PublishHold {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(heldAt, "heldAt");
    }
}
