package dev.keel.core.registry;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One declared input feature of a model version: its type, the range or values it may take, and whether it is sensitive.
 *
 * @param type {@code number}, {@code integer}, {@code string} or {@code boolean}
 * @param allowed for strings, the values that may occur (empty: any)
 * @param sensitive personal or confidential data: masked in logs and, later, subject to column-level access
 */
public record FeatureSpec(String name, String type, Optional<Double> min, Optional<Double> max, List<String> allowed,
                          @JsonSetter(nulls = Nulls.AS_EMPTY) boolean sensitive, Optional<String> description) {
    public static final List<String> TYPES = List.of("number", "integer", "string", "boolean");

    public FeatureSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        KeelException.requireArgument(!name.isBlank(), "feature name must not be blank");
        KeelException.requireArgument(TYPES.contains(type), "feature '%s' has type '%s'; expected one of %s", name, type, TYPES);
        min = Objects.requireNonNullElse(min, Optional.empty());
        max = Objects.requireNonNullElse(max, Optional.empty());
        allowed = List.copyOf(Objects.requireNonNullElse(allowed, List.of()));
        description = Objects.requireNonNullElse(description, Optional.empty());
        if (min.isPresent() && max.isPresent()) {
            KeelException.requireArgument(min.get() <= max.get(), "feature '%s' has min %s above max %s", name, min.get(), max.get());
        }
    }

    /** A numeric feature without limits. */
    public static FeatureSpec number(String name) {
        return new FeatureSpec(name, "number", Optional.empty(), Optional.empty(), List.of(), false, Optional.empty());
    }
}
