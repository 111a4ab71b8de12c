package dev.keel.core.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.keel.core.error.KeelException;
import java.util.Arrays;

/** What happened to an alias in one entry of its history; written on the wire and in the store by {@link #wireName()}. */
public enum AliasAction {
    /** The alias moved to a version. */
    PROMOTE("promote"),
    /** The alias moved back to the holder before its current one. */
    ROLLBACK("rollback"),
    /** A promotion to the version the alias holds already; never stored. */
    UNCHANGED("unchanged"),
    /** A promotion refused because the version did not load or score its smoke row; the alias did not move. */
    REFUSED("refused");

    private final String wireName;

    AliasAction(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** True for the entries that moved the alias. */
    public boolean moved() {
        return this == PROMOTE || this == ROLLBACK;
    }

    @JsonCreator
    public static AliasAction fromWire(String name) {
        return Arrays.stream(values()).filter(action -> action.wireName.equals(name)).findFirst().orElseThrow(() ->
                KeelException.badRequest("alias action is '" + name + "'; expected one of "
                        + Arrays.stream(values()).map(AliasAction::wireName).toList()));
    }
}
