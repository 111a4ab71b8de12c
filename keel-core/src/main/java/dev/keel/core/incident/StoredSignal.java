package dev.keel.core.incident;

import java.util.Objects;

/** A row of the durable channel: an observation and the incident it was folded into. */
public record StoredSignal(String id, String incidentId, Observation observation) {
    public StoredSignal {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(observation, "observation");
    }
}
