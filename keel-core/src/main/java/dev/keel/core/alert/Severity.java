package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import java.util.Arrays;
import java.util.Locale;

/** How urgent an alert is, from least to most; routes match on "at least". */
public enum Severity {
    INFO, WARNING, CRITICAL;

    /** True when this severity is the given one or more urgent. */
    public boolean atLeast(Severity minimum) {
        return compareTo(minimum) >= 0;
    }

    /** The lower-case name used in JSON, labels and config. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code info}, {@code warning} or {@code critical} (any case). */
    public static Severity parse(String text) {
        for (Severity severity : values()) {
            if (severity.name().equalsIgnoreCase(text)) {
                return severity;
            }
        }
        throw KeelException.badRequest("severity '" + text + "' is not one of " + Arrays.stream(values()).map(Severity::label).toList());
    }
}
