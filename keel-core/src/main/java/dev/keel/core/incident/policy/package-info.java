/**
 * Remediation policies: conditions on an incident's signals mapped to automated actions (roll an alias back, switch an
 * endpoint to its fallback version, re-run a pipeline with backoff, pause or resume a schedule, stop publishing, raise the
 * severity, notify a channel, retrain).
 *
 * <p>{@link dev.keel.core.incident.policy.PolicyEngine} listens to incident changes and acts on its own thread through the same
 * services the API uses, in the policy's project only, audited with actor {@code policy:NAME}. Every action it takes or skips is
 * stored ({@code policy_actions}, migration V42) and written on the incident's timeline, so that it is idempotent (an incident
 * gets an action on a target once), held by a cool-down per action and target, and capped per policy and hour, across
 * restarts. {@link dev.keel.core.incident.policy.Policies#dryRun} replays stored signals through a policy with the same logic,
 * doing nothing. See {@code docs/policies.md}.
 */
package dev.keel.core.incident.policy;
