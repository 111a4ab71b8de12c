package dev.keel.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of a spec being read, with its path in the file and the shared list of errors found so far; pipeline specs and
 * remediation policies are read with it.
 */
public final class SpecNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final JsonNode node;
    private final String path;
    private final List<SpecError> errors;

    /** The root (path {@code ""}) or a node at {@code path}; errors found under it are added to {@code errors}. */
    public SpecNode(JsonNode node, String path, List<SpecError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    public String path() {
        return path;
    }

    public JsonNode raw() {
        return node;
    }

    public void error(String message) {
        errors.add(new SpecError(path, message));
    }

    /** Reports an error at this node's path followed by {@code suffix}, such as {@code [2]} or {@code .max_backoff}. */
    public void errorAt(String suffix, String message) {
        errors.add(new SpecError(path + suffix, message));
    }

    public String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        return node.isObject() && node.has(key) && !node.get(key).isNull();
    }

    public boolean isObject() {
        return node.isObject();
    }

    public boolean isArray() {
        return node.isArray();
    }

    public boolean isText() {
        return node.isTextual() || node.isNumber() || node.isBoolean();
    }

    public String text() {
        return node.asText();
    }

    /** Reports keys outside {@code allowed}, naming the allowed ones. */
    public void allowOnly(Set<String> allowed) {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                errors.add(new SpecError(child(name), "unknown key '" + name + "'; expected one of "
                        + allowed.stream().sorted().toList()));
            }
        }
    }

    public Optional<SpecNode> get(String key) {
        return has(key) ? Optional.of(new SpecNode(node.get(key), child(key), errors)) : Optional.empty();
    }

    public Optional<SpecNode> required(String key, String what) {
        Optional<SpecNode> child = get(key);
        if (child.isEmpty()) {
            errors.add(new SpecError(child(key), "missing; expected " + what));
        }
        return child;
    }

    public Optional<String> string(String key) {
        Optional<SpecNode> child = get(key);
        if (child.isPresent() && !child.get().isText()) {
            child.get().error("expected a string");
            return Optional.empty();
        }
        return child.map(SpecNode::text);
    }

    public Optional<String> requiredString(String key, String what) {
        Optional<SpecNode> child = required(key, what);
        if (child.isPresent() && (!child.get().isText() || child.get().text().isBlank())) {
            child.get().error("expected " + what);
            return Optional.empty();
        }
        return child.map(SpecNode::text);
    }

    public boolean bool(String key, boolean fallback) {
        Optional<SpecNode> child = get(key);
        if (child.isEmpty()) {
            return fallback;
        }
        if (!child.get().node.isBoolean()) {
            child.get().error("expected true or false, got '" + child.get().text() + "'");
            return fallback;
        }
        return child.get().node.asBoolean();
    }

    public Optional<Double> number(String key) {
        Optional<SpecNode> child = get(key);
        if (child.isEmpty()) {
            return Optional.empty();
        }
        if (!child.get().node.isNumber()) {
            child.get().error("expected a number, got '" + child.get().text() + "'");
            return Optional.empty();
        }
        return Optional.of(child.get().node.asDouble());
    }

    public int integer(String key, int fallback, int min) {
        Optional<SpecNode> child = get(key);
        if (child.isEmpty()) {
            return fallback;
        }
        if (!child.get().node.canConvertToInt() || !child.get().node.isIntegralNumber() || child.get().node.asInt() < min) {
            child.get().error("expected a whole number >= " + min + ", got '" + child.get().text() + "'");
            return fallback;
        }
        return child.get().node.asInt();
    }

    public Optional<Duration> duration(String key) {
        Optional<SpecNode> child = get(key);
        if (child.isEmpty()) {
            return Optional.empty();
        }
        String text = child.get().text().trim();
        Matcher matcher = DURATION.matcher(text);
        if (matcher.matches()) {
            try {
                long amount = Long.parseLong(matcher.group(1));
                return Optional.of(switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                });
            } catch (NumberFormatException | ArithmeticException e) {
                child.get().error("expected a duration such as 30s, 5m, 2h, 7d or PT5M that fits in a long count of seconds, got '"
                        + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'");
                return Optional.empty();
            }
        }
        try {
            return Optional.of(Duration.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
            child.get().error("expected a duration such as 30s, 5m, 2h, 7d or PT5M, got '" + text + "'");
            return Optional.empty();
        }
    }

    /** A list of strings; a single string is read as a list of one. */
    public List<String> strings(String key) {
        Optional<SpecNode> child = get(key);
        if (child.isEmpty()) {
            return List.of();
        }
        if (child.get().isText()) {
            return List.of(child.get().text());
        }
        List<String> values = new ArrayList<>();
        for (SpecNode element : child.get().elements()) {
            if (element.isText()) {
                values.add(element.text());
            } else {
                element.error("expected a string");
            }
        }
        return values;
    }

    /** The elements of a list node; reports an error and returns nothing when the node is not a list. */
    public List<SpecNode> elements() {
        if (!node.isArray()) {
            error("expected a list");
            return List.of();
        }
        List<SpecNode> elements = new ArrayList<>();
        for (int index = 0; index < node.size(); index++) {
            elements.add(new SpecNode(node.get(index), path + "[" + index + "]", errors));
        }
        return elements;
    }

    /** The members of a mapping node in file order; reports an error when the node is not a mapping. */
    public Map<String, SpecNode> members() {
        Map<String, SpecNode> members = new LinkedHashMap<>();
        if (!node.isObject()) {
            error("expected a mapping of name: value");
            return members;
        }
        node.properties().forEach(entry -> members.put(entry.getKey(),
                new SpecNode(entry.getValue(), child(entry.getKey()), errors)));
        return members;
    }
}
