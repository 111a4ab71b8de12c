package dev.keel.core.config;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One section of configuration with typed, validated getters; every error names the full key, the value and what is allowed.
 *
 * <p>Values come from the YAML file and are overridden by environment variables: the key {@code server.port} is read from
 * {@code KEEL_SERVER_PORT}, {@code store.pool-size} from {@code KEEL_STORE_POOL_SIZE}.
 */
public final class ConfigNode {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|kb|k|mib|mb|m|gib|gb|g)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private final String path;
    private final Map<String, Object> values;
    private final Map<String, String> environment;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigNode(String path, Map<String, Object> values, Map<String, String> environment) {
        this.path = path;
        this.values = new LinkedHashMap<>(values);
        this.environment = Map.copyOf(environment);
    }

    /** An empty root, for defaults. */
    public static ConfigNode empty() {
        return new ConfigNode("", Map.of(), Map.of());
    }

    /** A root node over parsed YAML and the given environment. */
    public static ConfigNode root(Map<String, Object> values, Map<String, String> environment) {
        return new ConfigNode("", values, environment);
    }

    /** The nested section {@code name}; empty when absent. */
    @SuppressWarnings("unchecked")
    public ConfigNode section(String name) {
        read.add(name);
        Object value = values.get(name);
        if (value == null) {
            return new ConfigNode(key(name), Map.of(), environment);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(name, value, "a section (a mapping of keys to values)");
        }
        return new ConfigNode(key(name), (Map<String, Object>) map, environment);
    }

    /** The raw value of {@code name}, environment first. */
    public Optional<String> string(String name) {
        read.add(name);
        String fromEnvironment = environment.get(environmentName(key(name)));
        if (fromEnvironment != null) {
            return Optional.of(fromEnvironment);
        }
        Object value = values.get(name);
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw invalid(name, value, "a single value");
        }
        return Optional.ofNullable(value).map(Object::toString);
    }

    /**
     * A list of values: a YAML list, or from the environment a comma-separated value; empty when absent.
     */
    public Optional<List<String>> strings(String name) {
        read.add(name);
        String fromEnvironment = environment.get(environmentName(key(name)));
        if (fromEnvironment != null) {
            return Optional.of(java.util.Arrays.stream(fromEnvironment.split(",")).map(String::trim).filter(value -> !value.isEmpty())
                    .toList());
        }
        Object value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof List<?> list) {
            List<String> strings = new java.util.ArrayList<>();
            for (Object element : list) {
                if (element == null || element instanceof Map<?, ?> || element instanceof List<?>) {
                    throw invalid(name, value, "a list of single values");
                }
                strings.add(element.toString());
            }
            return Optional.of(List.copyOf(strings));
        }
        if (value instanceof Map<?, ?>) {
            throw invalid(name, value, "a list of values");
        }
        return Optional.of(List.of(value.toString()));
    }

    /**
     * A list of sections ({@code name: [{...}, {...}]}), each keyed {@code name[i]}; empty when absent. Not read from the
     * environment.
     */
    @SuppressWarnings("unchecked")
    public List<ConfigNode> sections(String name) {
        read.add(name);
        Object value = values.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(name, value, "a list of sections (mappings of keys to values)");
        }
        List<ConfigNode> sections = new java.util.ArrayList<>();
        for (int index = 0; index < list.size(); index++) {
            if (!(list.get(index) instanceof Map<?, ?> map)) {
                throw invalid(name + "[" + index + "]", list.get(index), "a section (a mapping of keys to values)");
            }
            sections.add(new ConfigNode(key(name) + "[" + index + "]", (Map<String, Object>) map, environment));
        }
        return List.copyOf(sections);
    }

    /** The keys of this section, in file order; each counts as read. */
    public List<String> names() {
        read.addAll(values.keySet());
        return List.copyOf(values.keySet());
    }

    public String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    /** An integer in [min, max]. */
    public int integer(String name, int fallback, int min, int max) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.get().trim());
            if (value < min || value > max) {
                throw invalid(name, raw.get(), "an integer from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), "an integer from " + min + " to " + max);
        }
    }

    /** A number in [min, max]. */
    public double number(String name, double fallback, double min, double max) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(raw.get().trim());
            if (!(value >= min && value <= max)) {
                throw invalid(name, raw.get(), "a number from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), "a number from " + min + " to " + max);
        }
    }

    public boolean bool(String name, boolean fallback) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(name, raw.get(), "true or false");
        };
    }

    /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}. */
    public Duration duration(String name, Duration fallback) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        Matcher matcher = DURATION.matcher(raw.get().trim());
        if (!matcher.matches()) {
            throw invalid(name, raw.get(), "a duration such as 250ms, 30s, 5m, 2h or 1d");
        }
        try {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(name, raw.get(), "a duration such as 250ms, 30s, 5m, 2h or 1d that fits in a long count of seconds");
        }
    }

    /** A size in bytes such as {@code 512}, {@code 64kb}, {@code 16mb}, {@code 2gb} ({@code kib}, {@code mib}, {@code gib} too; all powers of 1024). */
    public long size(String name, long fallback) {
        Optional<String> raw = string(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        Matcher matcher = SIZE.matcher(raw.get().trim());
        if (!matcher.matches()) {
            throw invalid(name, raw.get(), "a size such as 512, 64kb, 16mb or 2gb");
        }
        String unit = matcher.group(2) == null ? "b" : matcher.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "kib", "kb", "k" -> 10;
            case "mib", "mb", "m" -> 20;
            case "gib", "gb", "g" -> 30;
            default -> 0;
        };
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(name, raw.get(), "a size such as 512, 64kb, 16mb or 2gb of at most " + Long.MAX_VALUE + " bytes");
        }
    }

    /** One of the allowed words. */
    public String oneOf(String name, String fallback, List<String> allowed) {
        String value = string(name, fallback).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw invalid(name, value, "one of " + String.join(", ", allowed));
        }
        return value;
    }

    /**
     * Fails when the section holds keys nobody read, naming them and the keys that are known; call after reading.
     */
    public void rejectUnknownKeys() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new KeelException(ErrorCode.INVALID_CONFIG, "unknown configuration key '" + key(name)
                        + "'; known keys" + (path.isEmpty() ? "" : " under '" + path + "'") + ": " + String.join(", ", read));
            }
        }
    }

    /**
     * The value of {@code name} as an absolute, normalized path; a value the file system cannot name (a NUL character, for
     * one) is an error naming the key.
     */
    public java.nio.file.Path path(String name, String fallback) {
        String value = string(name, fallback);
        try {
            return java.nio.file.Path.of(value).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw invalid(name, value.replace("\0", "\\0"), "a file system path (" + e.getReason() + ")");
        }
    }

    /** The full dotted key of {@code name}. */
    public String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** An error naming the full key, the value and what is allowed. */
    public KeelException invalid(String name, Object value, String expected) {
        return new KeelException(ErrorCode.INVALID_CONFIG, "invalid configuration: '" + key(name) + "' is '" + value
                + "' but must be " + expected + (key(name).contains("[") ? " (set in the config file)"
                : " (set in the config file or as " + environmentName(key(name)) + ")"));
    }

    static String environmentName(String key) {
        return "KEEL_" + key.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }
}
