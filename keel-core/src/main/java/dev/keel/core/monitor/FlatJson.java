package dev.keel.core.monitor;

import dev.keel.core.json.Json;
import java.util.Map;

/**
 * Writes the prediction log's small maps of numbers, strings and booleans (and maps or lists of those) as JSON without a
 * general-purpose serializer; anything else goes to Jackson. The log writes one such map per input and output row, so
 * this sits on the write path of every prediction.
 */
final class FlatJson {
    private FlatJson() {
    }

    static String write(Map<String, Object> map) {
        StringBuilder out = new StringBuilder(32 + map.size() * 24);
        return append(out, map, 0) ? out.toString() : Json.write(map);
    }

    private static boolean append(StringBuilder out, Map<?, ?> map, int depth) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                return false;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            Json.appendString(out, key);
            out.append(':');
            if (!value(out, entry.getValue(), depth)) {
                return false;
            }
        }
        out.append('}');
        return true;
    }

    static boolean value(StringBuilder out, Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String text -> Json.appendString(out, text);
            case Boolean flag -> out.append(flag.booleanValue());
            case Integer number -> out.append(number.intValue());
            case Long number -> out.append(number.longValue());
            case Short number -> out.append(number.shortValue());
            case Byte number -> out.append(number.byteValue());
            case Double number -> {
                if (!Double.isFinite(number)) {
                    return false;
                }
                out.append(number.doubleValue());
            }
            case Float number -> {
                if (!Float.isFinite(number)) {
                    return false;
                }
                out.append(number.floatValue());
            }
            case Map<?, ?> nested -> {
                if (depth > 0 || !append(out, nested, depth + 1)) {
                    return false;
                }
            }
            case java.util.List<?> list -> {
                if (depth > 0) {
                    return false;
                }
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    if (list.get(i) instanceof Map<?, ?> || list.get(i) instanceof java.util.List<?> || !value(out, list.get(i), depth + 1)) {
                        return false;
                    }
                }
                out.append(']');
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
