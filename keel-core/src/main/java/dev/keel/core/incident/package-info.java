/**
 * Error handling: failure events folded into incidents, remediation policies that act on them, and the analysis of
 * recurring patterns.
 *
 * <p>Every area publishes its failures as {@link dev.keel.spi.event.KeelEvent}s. {@link dev.keel.core.incident.IncidentSink}
 * turns each into a {@link dev.keel.core.incident.Signal}, counts equal ones in memory for a short flush interval, and writes
 * them to the store's durable channel ({@code incident_signals}); each signal's
 * {@link dev.keel.core.incident.Fingerprints fingerprint} names the incident it is folded into. Incidents are project-scoped,
 * have a status (open, acknowledged, resolved; reopened when their fingerprint comes back) and a timeline of events, status
 * changes and automated actions.
 *
 * <p>{@link dev.keel.core.incident.Patterns} looks for what one incident at a time cannot show: a fingerprint that keeps
 * recurring, one that comes back after it was resolved, one cause that fails several pipelines, endpoints or monitors. Its
 * {@link dev.keel.core.incident.Escalation} records such a pattern on the timeline with its evidence and raises the severity;
 * {@link dev.keel.core.incident.Upstreams} names the likely common upstream object from what Keel stores about pipelines,
 * datasets and models, only when that links the failing objects.
 */
package dev.keel.core.incident;
