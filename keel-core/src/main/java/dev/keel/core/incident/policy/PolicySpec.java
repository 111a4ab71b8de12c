package dev.keel.core.incident.policy;

import dev.keel.core.alert.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A remediation policy as its spec declares it: when an incident's signals match {@link When}, run {@link #actions()} in order,
 * each at most once per incident and target, at most once per {@link #cooldown()} per action and target, and at most
 * {@link #maxPerHour()} actions of this policy in any hour.
 *
 * @param fingerprint the fields the policy groups its signals by instead of the default fingerprint; empty for the default
 */
public record PolicySpec(String name, String project, String description, When when, List<PolicyAction> actions, Duration cooldown,
                         int maxPerHour, List<String> fingerprint) {
    public PolicySpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(when, "when");
        actions = List.copyOf(actions);
        Objects.requireNonNull(cooldown, "cooldown");
        fingerprint = List.copyOf(fingerprint);
    }

    /**
     * Which signals the policy acts on and how many of them it takes.
     *
     * @param kinds signal kinds, any of which matches
     * @param fingerprint the incident fingerprint to match, empty for any
     * @param objects exact matches on the signal's objects by role
     * @param severity the least severity that matches
     * @param count how many matching occurrences of one incident it takes
     * @param within the sliding window the occurrences are counted in; empty for the incident's current episode
     */
    public record When(Set<String> kinds, Optional<String> fingerprint, Map<String, String> objects, Severity severity, int count,
                       Optional<Duration> within) {
        public When {
            kinds = Set.copyOf(kinds);
            Objects.requireNonNull(fingerprint, "fingerprint");
            objects = Map.copyOf(new TreeMap<>(objects));
            Objects.requireNonNull(severity, "severity");
            Objects.requireNonNull(within, "within");
        }
    }
}
