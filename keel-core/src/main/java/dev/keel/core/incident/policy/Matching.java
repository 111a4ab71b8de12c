package dev.keel.core.incident.policy;

import dev.keel.core.incident.Fingerprints;
import dev.keel.core.incident.Incident;
import dev.keel.core.incident.Observation;
import dev.keel.core.incident.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rules the engine and the dry run share: which signals a policy matches, how it groups them, what each action acts on, and when it holds back. */
final class Matching {
    /** The longest window the engine counts over; a policy's {@code within} is capped at 30 days anyway. */
    static final int MAX_HISTORY = 10_000;

    private Matching() {
    }

    /** Whether the signal is one the policy acts on (its kind, objects and severity), leaving the fingerprint aside. */
    static boolean matches(PolicySpec.When when, Signal signal) {
        if (!when.kinds().contains(signal.kind()) || !signal.severity().atLeast(when.severity())) {
            return false;
        }
        for (Map.Entry<String, String> object : when.objects().entrySet()) {
            if (!object.getValue().equals(signal.object(object.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the observation is one the policy acts on, its incident's fingerprint included. */
    static boolean matches(PolicySpec.When when, Observation observation) {
        return matches(when, observation.signal()) && when.fingerprint().map(observation.fingerprint()::equals).orElse(true);
    }

    /** The policy's own fingerprint of a signal it matches, when it declares {@code fingerprint} fields. */
    static Optional<String> fingerprint(PolicySpec spec, Signal signal) {
        if (spec.fingerprint().isEmpty() || !matches(spec.when(), signal)) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        parts.add("policy");
        parts.add(spec.name());
        for (String field : spec.fingerprint()) {
            parts.add(field);
            parts.add(field(signal, field));
        }
        return Optional.of(Fingerprints.of(parts.toArray(String[]::new)));
    }

    private static String field(Signal signal, String field) {
        return switch (field) {
            case "kind" -> signal.kind();
            case "component" -> signal.component();
            case "object_kind" -> signal.objectKind();
            case "severity" -> signal.severity().label();
            case "cause" -> Fingerprints.normalise(signal.message());
            default -> signal.object(field);
        };
    }

    /** Where a window of occurrences that ends at {@code at} starts; without {@code within}, the incident's current episode. */
    static Instant windowStart(PolicySpec.When when, Instant at, Instant episodeStart) {
        return when.within().map(window -> at.minus(window)).orElse(episodeStart);
    }

    /**
     * What an action acts on, from the signal that set the policy off: a model's alias ({@code model:alias}), an endpoint, a
     * pipeline, a channel or the incident itself. Empty when the signal names no such object.
     */
    static Optional<String> target(PolicyAction action, Signal signal, String incidentId) {
        String target = switch (action) {
            case PolicyAction.Rollback rollback -> signal.object("model").isEmpty() ? "" : signal.object("model") + ":" + rollback.alias();
            case PolicyAction.Fallback ignored -> signal.object("endpoint");
            case PolicyAction.Retry ignored -> signal.object("pipeline");
            case PolicyAction.PauseSchedule ignored -> signal.object("pipeline");
            case PolicyAction.ResumeSchedule ignored -> signal.object("pipeline");
            case PolicyAction.StopPublish ignored -> signal.object("pipeline");
            case PolicyAction.RaiseSeverity ignored -> incidentId;
            case PolicyAction.Notify notify -> notify.channel();
            case PolicyAction.Retrain ignored -> signal.object("model");
        };
        return target.isEmpty() ? Optional.empty() : Optional.of(target);
    }

    /** The object role an action needs, for the message when the signal has none. */
    static String role(PolicyAction action) {
        return switch (action) {
            case PolicyAction.Rollback ignored -> "model";
            case PolicyAction.Fallback ignored -> "endpoint";
            case PolicyAction.Retry ignored -> "pipeline";
            case PolicyAction.PauseSchedule ignored -> "pipeline";
            case PolicyAction.ResumeSchedule ignored -> "pipeline";
            case PolicyAction.StopPublish ignored -> "pipeline";
            case PolicyAction.RaiseSeverity ignored -> "incident";
            case PolicyAction.Notify ignored -> "channel";
            case PolicyAction.Retrain ignored -> "model";
        };
    }

    /**
     * Why the action must not be taken now, or empty when it may: it was taken for this incident already (idempotency), it was
     * taken on this target within the cool-down, or the policy took {@code max_per_hour} actions in the last hour.
     */
    static Optional<String> holdBack(PolicySpec spec, String action, String target, String key, Instant at, Ledger ledger) {
        Optional<ActionRecord> done = ledger.attempted(key);
        if (done.isPresent()) {
            return Optional.of("already done: " + action + " of " + target + " was taken for this incident at " + done.get().at() + " ("
                    + done.get().outcome().label() + ")");
        }
        Optional<Instant> last = ledger.lastAttempt(spec.name(), action, target);
        if (last.isPresent() && at.isBefore(last.get().plus(spec.cooldown()))) {
            return Optional.of("cool-down: " + action + " of " + target + " was taken at " + last.get() + "; the cool-down of "
                    + describe(spec.cooldown()) + " lasts until " + last.get().plus(spec.cooldown()));
        }
        int taken = ledger.attemptsSince(spec.name(), at.minus(Duration.ofHours(1)));
        if (taken >= spec.maxPerHour()) {
            return Optional.of("cap: the policy took " + taken + " actions in the last hour; max_per_hour is " + spec.maxPerHour());
        }
        return Optional.empty();
    }

    /** The reason's category: the text before its first colon ({@code already done}, {@code cool-down}, {@code cap}, …). */
    static String category(String reason) {
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }

    static String describe(Duration duration) {
        if (duration.toSeconds() % 3600 == 0 && !duration.isZero()) {
            return duration.toHours() + "h";
        }
        if (duration.toSeconds() % 60 == 0 && !duration.isZero()) {
            return duration.toMinutes() + "m";
        }
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    /** The incident's current episode's start. */
    static Instant episode(Incident incident) {
        return incident.openedAt();
    }
}
