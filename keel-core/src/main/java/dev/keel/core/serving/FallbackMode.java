package dev.keel.core.serving;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.keel.core.error.KeelException;
import java.util.Arrays;
import java.util.List;

/** What answers a request when the model fails, times out or is out of rotation; on the wire by {@link #wireName()}. */
public enum FallbackMode {
    /** Nothing: the request fails. */
    NONE("none"),
    /** The version the alias held before (or the main version when a canary or pinned version failed). */
    PREVIOUS_VERSION("previous-version"),
    /** The configured outputs, shaped and typed as the failed version's signature declares them. */
    DEFAULT_RESPONSE("default-response");

    /** The wire names, in declaration order. */
    public static final List<String> WIRE_NAMES = Arrays.stream(values()).map(FallbackMode::wireName).toList();

    private final String wireName;

    FallbackMode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The mode of a wire name; {@code null} is {@link #NONE}. */
    @JsonCreator
    public static FallbackMode fromWire(String name) {
        if (name == null) {
            return NONE;
        }
        return Arrays.stream(values()).filter(mode -> mode.wireName.equals(name)).findFirst().orElseThrow(() ->
                KeelException.badRequest("fallback.mode is '" + name + "'; expected one of " + WIRE_NAMES));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
