package dev.keel.core.incident.policy;

import dev.keel.core.alert.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** One automated action of a policy, as its spec declares it; a policy runs its actions in order. */
public sealed interface PolicyAction {
    /** The action names a spec uses, in the order the documentation lists them. */
    List<String> NAMES = List.of("rollback", "fallback", "retry", "pause_schedule", "resume_schedule", "stop_publish", "raise_severity",
            "notify", "retrain");

    /** The action's name in specs, on timelines and in the audit log. */
    String name();

    /** Rolls the incident's model's alias back to its previous holder, the incident as the reason. */
    record Rollback(String alias) implements PolicyAction {
        public Rollback {
            Objects.requireNonNull(alias, "alias");
        }

        @Override
        public String name() {
            return "rollback";
        }
    }

    /** Switches the incident's endpoint to its fallback version (the alias's previous holder), pinned. */
    record Fallback() implements PolicyAction {
        @Override
        public String name() {
            return "fallback";
        }
    }

    /**
     * Re-runs the incident's pipeline up to {@code attempts} times, waiting before attempt {@code n} a random time in
     * {@code [0, min(maxBackoff, backoff * 2^(n-1)))} (exponential backoff with full jitter).
     */
    record Retry(int attempts, Duration backoff, Duration maxBackoff) implements PolicyAction {
        public Retry {
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
        }

        /** The longest wait before attempt {@code attempt} (1-based): {@code min(maxBackoff, backoff * 2^(attempt-1))}. */
        public Duration ceiling(int attempt) {
            long millis = backoff.toMillis();
            for (int i = 1; i < attempt && millis < maxBackoff.toMillis(); i++) {
                millis *= 2;
            }
            return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
        }

        @Override
        public String name() {
            return "retry";
        }
    }

    /** Pauses the incident's pipeline's schedule. */
    record PauseSchedule() implements PolicyAction {
        @Override
        public String name() {
            return "pause_schedule";
        }
    }

    /** Resumes the incident's pipeline's schedule. */
    record ResumeSchedule() implements PolicyAction {
        @Override
        public String name() {
            return "resume_schedule";
        }
    }

    /** Stops the incident's pipeline from publishing its outputs until a person resumes it. */
    record StopPublish() implements PolicyAction {
        @Override
        public String name() {
            return "stop_publish";
        }
    }

    /** Raises the incident's severity. */
    record RaiseSeverity(Severity to) implements PolicyAction {
        public RaiseSeverity {
            Objects.requireNonNull(to, "to");
        }

        @Override
        public String name() {
            return "raise_severity";
        }
    }

    /** Sends the incident as an alert to one channel of the policy's project now. */
    record Notify(String channel) implements PolicyAction {
        public Notify {
            Objects.requireNonNull(channel, "channel");
        }

        @Override
        public String name() {
            return "notify";
        }
    }

    /** Asks the {@link RetrainHook} for a new challenger of the incident's model. */
    record Retrain() implements PolicyAction {
        @Override
        public String name() {
            return "retrain";
        }
    }
}
