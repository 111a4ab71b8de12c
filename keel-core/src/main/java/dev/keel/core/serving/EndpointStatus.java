package dev.keel.core.serving;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether an endpoint is served as configured, and if not why.
 *
 * @param target the version the endpoint's alias points at, when it resolves
 * @param serving the version its main route serves; differs from {@code target} when the previous version stands in
 * @param problems why it is degraded or down, such as {@code credit:3 cannot be loaded: ...}
 */
public record EndpointStatus(State state, Optional<Integer> target, Optional<Integer> serving, List<String> problems) {
    public EndpointStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(serving, "serving");
        problems = List.copyOf(problems);
    }

    /** How an endpoint is served. */
    public enum State {
        /** Every route is served as configured. */
        SERVING("serving"),
        /** It answers, but not as configured: the previous version stands in for the alias's, or a canary or shadow is missing. */
        DEGRADED("degraded"),
        /** It answers no request (503): no version it may serve could be loaded. */
        DOWN("down");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }
    }
}
