package dev.keel.core.incident;

/**
 * Told of every committed change to an incident: alerts, remediation policies and pattern analysis listen. Each listener is
 * told on a thread of its own, in commit order, after the change is committed; a slow listener delays only itself (its
 * queue holds {@code Incidents.LISTENER_QUEUE} changes, then the incident sink waits for it).
 */
@FunctionalInterface
public interface IncidentListener {
    void changed(IncidentChange change);
}
