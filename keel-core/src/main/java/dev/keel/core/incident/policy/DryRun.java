package dev.keel.core.incident.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a policy would have done over stored signals, had it been applied: each action with when, on what, and whether it
 * would have run or been held back (and why). Nothing was done.
 *
 * @param signals the stored signal rows replayed
 * @param truncated true when there were more rows than a dry run replays; the answer covers the oldest ones
 */
public record DryRun(String policy, String project, Instant since, Instant until, int signals, boolean truncated, List<Planned> actions) {
    public DryRun {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        actions = List.copyOf(actions);
    }

    /**
     * One action the policy would have taken or held back.
     *
     * @param incident the incident the signals were folded into, or {@code group:FINGERPRINT} for a policy that groups by its own fields
     * @param outcome {@code would_run} or {@code skipped}
     * @param occurrences the matching occurrences in the window when the policy fired
     */
    public record Planned(Instant at, String incident, String action, String target, String outcome, String reason, long occurrences) {
        public Planned {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(incident, "incident");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
