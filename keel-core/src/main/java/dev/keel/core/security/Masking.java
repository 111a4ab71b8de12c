package dev.keel.core.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * How the values of a sensitive column are shown to a principal without {@link Permission#SENSITIVE_READ} in the column's project.
 * Ordered from the least to the most that is withheld.
 */
public enum Masking {
    /**
     * A keyed hash of the value ({@code h:} and 16 hex digits of HMAC-SHA256 under the server's masking key and the project): equal
     * values stay equal within a project, so counts, joins and duplicates can still be seen, but the value cannot be read back or
     * guessed from a list of candidates without the key.
     */
    HASH,
    /** The text {@code ***} in place of every non-null value. */
    REDACT,
    /** JSON null in place of every value: not even whether a value was there is shown. */
    NULL;

    /** The text a redacted value is shown as. */
    public static final String REDACTED = "***";

    /** The name as written in specs and answers, lower case. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The masking named, case-insensitive. */
    public static Optional<Masking> parse(String name) {
        for (Masking masking : values()) {
            if (masking.wireName().equalsIgnoreCase(name)) {
                return Optional.of(masking);
            }
        }
        return Optional.empty();
    }

    /** The masking named, as JSON holds it. */
    @JsonCreator
    static Masking fromJson(String name) {
        return parse(name).orElseThrow(() -> new IllegalArgumentException("masking '" + name + "'; expected hash, redact or null"));
    }

    /** The stricter of the two: what a column marked both ways is shown as. */
    public Masking strictest(Masking other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
