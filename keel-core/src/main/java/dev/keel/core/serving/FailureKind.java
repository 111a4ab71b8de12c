package dev.keel.core.serving;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** How a model failed a request; on the wire and in the store by {@link #wireName()}. */
public enum FailureKind {
    /** The model raised an error while scoring. */
    ERROR("error"),
    /** The model did not answer within the endpoint's timeout. */
    TIMEOUT("timeout");

    private final String wireName;

    FailureKind(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static FailureKind fromWire(String name) {
        return Arrays.stream(values()).filter(kind -> kind.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown failure kind '" + name + "'"));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
