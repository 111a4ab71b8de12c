package dev.keel.core.incident;

import dev.keel.core.alert.Severity;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One failure as the incident package sees it, whatever area published it.
 *
 * @param kind what failed, such as {@code pipeline.run_failed} or {@code endpoint.model_error} (see {@link Signals#KINDS})
 * @param component the area that published it: {@code pipelines}, {@code serving}, {@code monitoring}, {@code registry}, {@code alerts}
 * @param objectKind the kind of object that failed: {@code pipeline}, {@code source}, {@code endpoint}, {@code monitor}, …
 * @param project the project, or empty when the publisher did not know it (then it is found from the model)
 * @param severity how urgent it is by default
 * @param message the failure as the publisher told it, with every id and number in it; {@link Fingerprints} normalises it
 * @param objects the objects involved by role: {@code model}, {@code version}, {@code endpoint}, {@code pipeline}, {@code run},
 *     {@code source}, {@code monitor}, {@code dataset}, {@code channel}, {@code artifact}
 */
public record Signal(String kind, String component, String objectKind, String project, Severity severity, String message,
                     Map<String, String> objects, Instant at) {
    /** The longest message kept; longer ones are cut (they are hostile input as much as anything). */
    public static final int MAX_MESSAGE = 1_000;

    public Signal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(objectKind, "objectKind");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        objects = Map.copyOf(objects);
    }

    /** The same signal in the given project. */
    public Signal inProject(String name) {
        return new Signal(kind, component, objectKind, name, severity, message, objects, at);
    }

    /** The named object, or empty text. */
    public String object(String role) {
        return objects.getOrDefault(role, "");
    }
}
