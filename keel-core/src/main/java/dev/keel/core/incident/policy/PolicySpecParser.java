package dev.keel.core.incident.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.alert.Severity;
import dev.keel.core.data.SpecDocument;
import dev.keel.core.data.SpecError;
import dev.keel.core.data.SpecNode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Signals;
import dev.keel.core.security.ProjectService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a policy spec from YAML or JSON and checks it, naming every error with its path in the file ({@code actions[1].retry.backoff}).
 * Unknown keys are refused; sizes are capped before anything is built.
 */
public final class PolicySpecParser {
    /** The longest spec text accepted, in UTF-8 bytes. */
    public static final int MAX_SPEC_BYTES = 64 * 1024;
    /** The most actions, kinds, object matches and fingerprint fields one policy may declare. */
    public static final int MAX_ACTIONS = 20;
    static final int MAX_KINDS = Signals.KINDS.size();
    static final int MAX_OBJECTS = 20;
    static final int MAX_VALUE = 200;
    static final Duration MAX_WINDOW = Duration.ofDays(30);
    /** Fields a policy may group its signals by, besides object roles. */
    public static final List<String> SIGNAL_FIELDS = List.of("kind", "component", "object_kind", "severity", "cause");
    /** Object roles a policy may match and group on; {@code run} and {@code breach} differ on every occurrence and are left out. */
    public static final List<String> ROLES = List.of("model", "version", "endpoint", "pipeline", "source", "monitor", "dataset", "channel",
            "artifact", "target", "shadow_version");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Set<String> TOP_KEYS = Set.of("name", "project", "description", "when", "actions", "cooldown", "max_per_hour",
            "fingerprint");
    private static final Set<String> WHEN_KEYS = Set.of("kind", "fingerprint", "objects", "severity", "count", "within");

    /** Parses and validates a spec (YAML, or JSON, which is YAML too); never throws for bad input. */
    public SpecDocument.Result<PolicySpec> parse(String text) {
        return SpecDocument.parse(text, MAX_SPEC_BYTES, "a mapping with name, project, when and actions", PolicySpecParser::read);
    }

    /** A spec's policy name and project. */
    public record Identity(String name, String project) {
    }

    /** The name and project a spec names ({@code default} when it names none), read without checking the rest; empty for text that is no spec. */
    public Optional<Identity> identity(String text) {
        Optional<JsonNode> mapping = SpecDocument.mapping(text, MAX_SPEC_BYTES);
        if (mapping.isEmpty() || !mapping.get().path("name").isTextual()) {
            return Optional.empty();
        }
        JsonNode root = mapping.get();
        JsonNode project = root.path("project");
        return Optional.of(new Identity(root.get("name").asText(), project.isTextual() ? project.asText() : ProjectService.DEFAULT));
    }

    /** Parses a spec or throws INVALID_SPEC naming every error's path. */
    public PolicySpec parseOrThrow(String text) {
        return SpecDocument.orThrow(parse(text), "the policy spec");
    }

    /** The exception for a spec's errors, with one field error per path. */
    public static KeelException invalid(List<SpecError> errors) {
        return SpecDocument.invalid("the policy spec", errors);
    }

    private static PolicySpec read(SpecNode root, List<SpecError> errors) {
        root.allowOnly(TOP_KEYS);
        String name = root.requiredString("name", "the policy name").orElse("unnamed");
        if (root.has("name") && !NAME.matcher(name).matches()) {
            root.get("name").orElseThrow().error("'" + clip(name) + "' is not a valid policy name; use 1-63 lower-case letters, digits, '_' or '-',"
                    + " starting with a letter");
        }
        String project = root.string("project").orElse(ProjectService.DEFAULT);
        if (root.has("project") && !PROJECT.matcher(project).matches()) {
            root.get("project").orElseThrow().error("'" + clip(project) + "' is not a valid project name");
        }
        String description = root.string("description").orElse("");
        if (description.length() > 1_000) {
            root.get("description").orElseThrow().error("expected at most 1000 characters, got " + description.length());
        }
        PolicySpec.When when = root.required("when", "the signals the policy acts on: {kind: ...}").map(PolicySpecParser::when)
                .orElse(null);
        List<PolicyAction> actions = new ArrayList<>();
        root.required("actions", "a list of at least one action").ifPresent(node -> {
            List<SpecNode> elements = node.elements();
            if (node.isArray() && elements.isEmpty()) {
                node.error("expected at least one action, from " + PolicyAction.NAMES);
            }
            if (elements.size() > MAX_ACTIONS) {
                node.error("expected at most " + MAX_ACTIONS + " actions, got " + elements.size());
                return;
            }
            for (SpecNode element : elements) {
                action(element).ifPresent(actions::add);
            }
        });
        Duration cooldown = bounded(root, "cooldown", Duration.ofMinutes(30), Duration.ZERO);
        int maxPerHour = root.integer("max_per_hour", 6, 1);
        if (maxPerHour > 1_000) {
            root.get("max_per_hour").orElseThrow().error("expected at most 1000, got " + maxPerHour);
        }
        List<String> fingerprint = new ArrayList<>();
        root.get("fingerprint").ifPresent(node -> {
            List<String> fields = root.strings("fingerprint");
            if (fields.size() > 10) {
                node.error("expected at most 10 fields, got " + fields.size());
                return;
            }
            List<String> allowed = new ArrayList<>(SIGNAL_FIELDS);
            allowed.addAll(ROLES);
            for (int i = 0; i < fields.size(); i++) {
                String field = fields.get(i);
                if (!allowed.contains(field)) {
                    errors.add(new SpecError(node.isArray() ? node.path() + "[" + i + "]" : node.path(), "'" + clip(field)
                            + "' is not a field to group by; expected one of " + allowed));
                } else if (!fingerprint.contains(field)) {
                    fingerprint.add(field);
                }
            }
            if (fields.isEmpty()) {
                node.error("expected one or a list of fields from " + allowed);
            }
        });
        if (when == null) {
            when = new PolicySpec.When(Set.of(), Optional.empty(), Map.of(), Severity.INFO, 1, Optional.empty());
        }
        return new PolicySpec(name, project, description, when, actions, cooldown, maxPerHour, fingerprint);
    }

    private static PolicySpec.When when(SpecNode node) {
        if (!node.isObject()) {
            node.error("expected a mapping with kind and, optionally, fingerprint, objects, severity, count and within");
            return null;
        }
        node.allowOnly(WHEN_KEYS);
        Set<String> kinds = new LinkedHashSet<>();
        node.required("kind", "one or a list of signal kinds from " + Signals.KINDS.keySet().stream().sorted().toList()).ifPresent(kind -> {
            List<String> values = node.strings("kind");
            if (values.size() > MAX_KINDS) {
                kind.error("expected at most " + MAX_KINDS + " kinds, got " + values.size());
                return;
            }
            for (int i = 0; i < values.size(); i++) {
                if (!Signals.KINDS.containsKey(values.get(i))) {
                    kind.errorAt(kind.isArray() ? "[" + i + "]" : "", "'" + clip(values.get(i)) + "' is not a signal kind; expected one of "
                            + Signals.KINDS.keySet().stream().sorted().toList());
                } else {
                    kinds.add(values.get(i));
                }
            }
            if (values.isEmpty()) {
                kind.error("expected at least one signal kind");
            }
        });
        Optional<String> fingerprint = node.string("fingerprint");
        if (fingerprint.isPresent() && !FINGERPRINT.matcher(fingerprint.get()).matches()) {
            node.get("fingerprint").orElseThrow().error("expected 16 lower-case hex digits (an incident's fingerprint), got '"
                    + clip(fingerprint.get()) + "'");
        }
        Map<String, String> objects = new LinkedHashMap<>();
        node.get("objects").ifPresent(members -> {
            Map<String, SpecNode> entries = members.members();
            if (entries.size() > MAX_OBJECTS) {
                members.error("expected at most " + MAX_OBJECTS + " objects, got " + entries.size());
                return;
            }
            entries.forEach((role, value) -> {
                if (!ROLES.contains(role) && !role.equals("run")) {
                    value.error("'" + clip(role) + "' is not an object role; expected one of " + ROLES);
                } else if (!value.isText() || value.raw().isContainerNode()) {
                    value.error("expected a string");
                } else if (value.text().length() > MAX_VALUE) {
                    value.error("expected at most " + MAX_VALUE + " characters");
                } else {
                    objects.put(role, value.text());
                }
            });
        });
        Severity severity = Severity.INFO;
        Optional<String> severityText = node.string("severity");
        if (severityText.isPresent()) {
            try {
                severity = Severity.parse(severityText.get());
            } catch (KeelException e) {
                node.get("severity").orElseThrow().error("'" + clip(severityText.get()) + "' is not one of [info, warning, critical]");
            }
        }
        int count = node.integer("count", 1, 1);
        if (count > 1_000_000) {
            node.get("count").orElseThrow().error("expected at most 1000000, got " + count);
        }
        Optional<Duration> within = node.has("within") ? Optional.of(bounded(node, "within", Duration.ZERO, Duration.ofSeconds(1)))
                : Optional.empty();
        return new PolicySpec.When(kinds, fingerprint, objects, severity, count, within);
    }

    private static Optional<PolicyAction> action(SpecNode element) {
        if (!element.isObject() || element.raw().size() != 1) {
            element.error("expected one action as {name: {parameters}}, such as {rollback: {alias: champion}}; actions are "
                    + PolicyAction.NAMES);
            return Optional.empty();
        }
        String name = element.raw().fieldNames().next();
        if (!PolicyAction.NAMES.contains(name)) {
            element.get(name).ifPresentOrElse(node -> node.error("unknown action '" + clip(name) + "'; expected one of " + PolicyAction.NAMES),
                    () -> element.error("unknown action '" + clip(name) + "'; expected one of " + PolicyAction.NAMES));
            return Optional.empty();
        }
        SpecNode parameters = element.get(name).orElse(null);
        if (parameters == null) {
            // `- fallback:` with nothing after it reads as null: no parameters
            parameters = new SpecNode(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), element.child(name),
                    new ArrayList<>());
        }
        if (!parameters.isObject()) {
            parameters.error("expected a mapping of parameters ({} for none)");
            return Optional.empty();
        }
        SpecNode node = parameters;
        return Optional.ofNullable(switch (name) {
            case "rollback" -> {
                node.allowOnly(Set.of("alias"));
                String alias = node.string("alias").orElse("champion");
                if (!ALIAS.matcher(alias).matches() || alias.equals("latest")) {
                    node.get("alias").orElseThrow().error("'" + clip(alias) + "' is not an alias; use lower-case letters, digits, '_' or '-'");
                }
                yield new PolicyAction.Rollback(alias);
            }
            case "fallback" -> none(node, new PolicyAction.Fallback());
            case "retry" -> {
                node.allowOnly(Set.of("attempts", "backoff", "max_backoff"));
                int attempts = node.integer("attempts", 3, 1);
                if (attempts > 10) {
                    node.get("attempts").orElseThrow().error("expected at most 10 attempts, got " + attempts);
                }
                Duration backoff = bounded(node, "backoff", Duration.ofSeconds(30), Duration.ofSeconds(1));
                Duration max = bounded(node, "max_backoff", Duration.ofMinutes(10), Duration.ofSeconds(1));
                if (max.compareTo(backoff) < 0) {
                    node.errorAt(node.has("max_backoff") ? ".max_backoff" : "", "max_backoff " + max + " is shorter than backoff " + backoff);
                }
                yield new PolicyAction.Retry(attempts, backoff, max);
            }
            case "pause_schedule" -> none(node, new PolicyAction.PauseSchedule());
            case "resume_schedule" -> none(node, new PolicyAction.ResumeSchedule());
            case "stop_publish" -> none(node, new PolicyAction.StopPublish());
            case "raise_severity" -> {
                node.allowOnly(Set.of("to"));
                Optional<String> to = node.requiredString("to", "the severity to raise to: warning or critical");
                Severity severity = Severity.CRITICAL;
                if (to.isPresent()) {
                    try {
                        severity = Severity.parse(to.get());
                    } catch (KeelException e) {
                        node.get("to").orElseThrow().error("'" + clip(to.get()) + "' is not one of [info, warning, critical]");
                    }
                }
                yield new PolicyAction.RaiseSeverity(severity);
            }
            case "notify" -> {
                node.allowOnly(Set.of("channel"));
                String channel = node.requiredString("channel", "the name of an alert channel of the policy's project").orElse("");
                if (channel.length() > MAX_VALUE) {
                    node.get("channel").orElseThrow().error("expected at most " + MAX_VALUE + " characters");
                }
                yield new PolicyAction.Notify(channel);
            }
            case "retrain" -> none(node, new PolicyAction.Retrain());
            default -> null;
        });
    }

    private static PolicyAction none(SpecNode node, PolicyAction action) {
        node.allowOnly(Set.of());
        return action;
    }

    /** A duration of at least {@code min} and at most {@link #MAX_WINDOW}, or {@code fallback} when absent or wrong. */
    private static Duration bounded(SpecNode node, String key, Duration fallback, Duration min) {
        Optional<Duration> value = node.duration(key);
        if (value.isEmpty()) {
            return fallback;
        }
        if (value.get().compareTo(min) < 0 || value.get().compareTo(MAX_WINDOW) > 0) {
            node.get(key).orElseThrow().error("expected a duration from " + min + " to 30d, got '" + clip(node.get(key).orElseThrow().text()) + "'");
            return fallback;
        }
        return value.get();
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
