package dev.keel.core.incident;

/**
 * Told of every committed change to an incident: alerts, remediation policies and pattern analysis listen. Called on the
 * thread that made the change (the incident sink's, or a request's); must return quickly, handing slow work to its own thread.
 */
@FunctionalInterface
public interface IncidentListener {
    void changed(IncidentChange change);
}
