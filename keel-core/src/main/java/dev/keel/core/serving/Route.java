package dev.keel.core.serving;

import com.fasterxml.jackson.annotation.JsonValue;

/** Which route of an endpoint a request took; on the wire by {@link #wireName()}. */
public enum Route {
    /** The version the endpoint's alias points at. */
    MAIN("main"),
    /** The canary's version, for its share of requests. */
    CANARY("canary"),
    /** A version the caller named. */
    PINNED("pinned"),
    /** A registered model called by name that no endpoint serves, under the server's default limits. */
    DIRECT("direct");

    private final String wireName;

    Route(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
