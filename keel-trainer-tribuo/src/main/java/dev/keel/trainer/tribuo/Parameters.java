package dev.keel.trainer.tribuo;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;

/** Reads typed values out of a trainer's string parameter map, failing with a message that names the key, the value and what is allowed. */
final class Parameters {
    private Parameters() {
    }

    static void requireKnownKeys(Map<String, String> parameters, Set<String> allowed) {
        for (String key : parameters.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown parameter '" + key + "'; allowed: " + new TreeSet<>(allowed));
            }
        }
    }

    static int integer(Map<String, String> parameters, String key, int defaultValue, int min, int max) {
        String text = parameters.get(key);
        if (text == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            value = Long.MIN_VALUE;
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("parameter '" + key + "' must be an integer in [" + min + ", " + max + "], got '"
                    + text + "'");
        }
        return (int) value;
    }

    /**
     * A finite number for which {@code allowed} holds; {@code range} describes the allowed values in the failure message,
     * such as {@code (0, 1]}.
     */
    static double number(Map<String, String> parameters, String key, double defaultValue, DoublePredicate allowed, String range) {
        String text = parameters.get(key);
        if (text == null) {
            return defaultValue;
        }
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!Double.isFinite(value) || !allowed.test(value)) {
            throw new IllegalArgumentException("parameter '" + key + "' must be a number in " + range + ", got '" + text + "'");
        }
        return value;
    }

    static long seed(Map<String, String> parameters, String key, long defaultSeed) {
        String text = parameters.get(key);
        if (text == null) {
            return defaultSeed;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter '" + key + "' must be an integer in [" + Long.MIN_VALUE + ", "
                    + Long.MAX_VALUE + "], got '" + text + "'", e);
        }
    }
}
