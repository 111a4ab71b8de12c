package dev.keel.core.incident;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a project's incidents show over a period: the causes that keep coming back, the patterns Keel escalated and what they
 * likely share upstream, how long automation took to remediate, and how each remediation policy fared.
 *
 * @param causes the most recurring incidents seen in the period, most episodes first, then most occurrences
 * @param escalations the pattern escalations recorded in the period, oldest first
 * @param policies every policy that acted in the period, by name
 */
public record PatternReport(String project, Instant since, Instant until, List<Cause> causes, List<Escalated> escalations, Remediation remediation,
                            List<PolicyStats> policies) {
    public PatternReport {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        causes = List.copyOf(causes);
        escalations = List.copyOf(escalations);
        Objects.requireNonNull(remediation, "remediation");
        policies = List.copyOf(policies);
    }

    /**
     * One recurring cause: an incident and what it did in the period.
     *
     * @param occurrences the failures counted in the period (stored signals last seen in it; signals older than
     *     {@code incidents.signal-retention} are gone)
     * @param episodes openings and reopenings in the period
     * @param meanTimeBetweenRecurrences the mean time between the starts of consecutive episodes in the period; empty with fewer than two
     * @param objects the objects involved, by role, without the per-occurrence ones (runs, breaches)
     */
    public record Cause(String fingerprint, String incident, String title, String kind, Incident.Status status, long occurrences, int episodes,
                        Optional<Duration> meanTimeBetweenRecurrences, Instant lastSeen, Map<String, List<String>> objects) {
        public Cause {
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(incident, "incident");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(meanTimeBetweenRecurrences, "meanTimeBetweenRecurrences");
            Objects.requireNonNull(lastSeen, "lastSeen");
            objects = Map.copyOf(objects);
        }
    }

    /**
     * A pattern escalation with its evidence.
     *
     * @param rule {@code recurrence}, {@code reopened}, {@code spread} or {@code shared_upstream}
     * @param upstream the likely common upstream object ({@code file /srv/in/orders.csv}), empty when none was found or the rule names none
     * @param evidence why that upstream, one line per claim
     * @param detail the escalation's timeline detail as recorded
     */
    public record Escalated(String incident, String fingerprint, String title, String rule, Instant at, String text, Optional<String> upstream,
                            List<String> evidence, Map<String, Object> detail) {
        public Escalated {
            Objects.requireNonNull(incident, "incident");
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(upstream, "upstream");
            evidence = List.copyOf(evidence);
            detail = Map.copyOf(detail);
        }
    }

    /**
     * Time from an episode's first occurrence to its first automated action that succeeded.
     *
     * @param episodes episodes that started in the period
     * @param remediated those with an action that succeeded before the next episode began
     * @param median the median over remediated episodes (the mean of the two middle values for an even count)
     */
    public record Remediation(int episodes, int remediated, Optional<Duration> median, Optional<Duration> mean) {
        public Remediation {
            Objects.requireNonNull(median, "median");
            Objects.requireNonNull(mean, "mean");
        }
    }

    /**
     * The actions of one policy in the period.
     *
     * @param firings every action it recorded, skipped ones included
     * @param successRate succeeded over succeeded plus failed (skipped firings attempted nothing); empty when nothing was attempted
     * @param actions the distinct actions it took
     */
    public record PolicyStats(String policy, long firings, long succeeded, long failed, long skipped, Optional<Double> successRate,
                              List<String> actions) {
        public PolicyStats {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(successRate, "successRate");
            actions = List.copyOf(actions);
        }
    }

    /** The report as the API answers it: times as ISO-8601, durations as seconds. */
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("project", project);
        json.put("since", since.toString());
        json.put("until", until.toString());
        json.put("causes", causes.stream().map(cause -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("fingerprint", cause.fingerprint());
            row.put("incident", cause.incident());
            row.put("title", cause.title());
            row.put("kind", cause.kind());
            row.put("status", cause.status().label());
            row.put("occurrences", cause.occurrences());
            row.put("episodes", cause.episodes());
            row.put("mean_seconds_between_recurrences", cause.meanTimeBetweenRecurrences().map(PatternReport::seconds).orElse(null));
            row.put("last_seen", cause.lastSeen().toString());
            row.put("objects", cause.objects());
            return row;
        }).toList());
        json.put("escalations", escalations.stream().map(escalated -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("incident", escalated.incident());
            row.put("fingerprint", escalated.fingerprint());
            row.put("title", escalated.title());
            row.put("rule", escalated.rule());
            row.put("at", escalated.at().toString());
            row.put("text", escalated.text());
            row.put("upstream", escalated.upstream().orElse(null));
            row.put("evidence", escalated.evidence());
            row.put("detail", escalated.detail());
            return row;
        }).toList());
        Map<String, Object> remediated = new LinkedHashMap<>();
        remediated.put("episodes", remediation.episodes());
        remediated.put("remediated", remediation.remediated());
        remediated.put("median_seconds", remediation.median().map(PatternReport::seconds).orElse(null));
        remediated.put("mean_seconds", remediation.mean().map(PatternReport::seconds).orElse(null));
        json.put("time_to_remediation", remediated);
        json.put("policies", policies.stream().map(policy -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("policy", policy.policy());
            row.put("firings", policy.firings());
            row.put("succeeded", policy.succeeded());
            row.put("failed", policy.failed());
            row.put("skipped", policy.skipped());
            row.put("success_rate", policy.successRate().orElse(null));
            row.put("actions", policy.actions());
            return row;
        }).toList());
        return json;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
