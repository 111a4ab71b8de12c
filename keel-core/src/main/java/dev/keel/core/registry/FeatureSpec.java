package dev.keel.core.registry;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Masking;
import dev.keel.core.security.SensitiveColumns;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One declared input feature of a model version: its type, the range or values it may take, and whether it is sensitive.
 *
 * @param type {@code number}, {@code integer}, {@code string} or {@code boolean}
 * @param allowed for strings, the values that may occur (empty: any)
 * @param sensitive personal or confidential data: its values are masked in messages, and for callers without SENSITIVE_READ in the
 *                  model's project wherever they are shown (prediction-log reads, batch-scoring outputs)
 * @param mask how a sensitive feature's values are masked ({@code hash}, {@code redact} or {@code null}); {@code redact} when not
 *             given, and nothing for a feature that is not sensitive
 */
public record FeatureSpec(String name, String type, Optional<Double> min, Optional<Double> max, List<String> allowed,
                          @JsonSetter(nulls = Nulls.AS_EMPTY) boolean sensitive, Optional<String> description, Optional<Masking> mask) {
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
        mask = Objects.requireNonNullElse(mask, Optional.empty());
        KeelException.requireArgument(sensitive || mask.isEmpty(), "feature '%s' has mask '%s' but is not sensitive; set sensitive: true",
                name, mask.map(Masking::wireName).orElse(""));
        if (min.isPresent() && max.isPresent()) {
            KeelException.requireArgument(min.get() <= max.get(), "feature '%s' has min %s above max %s", name, min.get(), max.get());
        }
    }

    /** A feature whose sensitive values are redacted. */
    public FeatureSpec(String name, String type, Optional<Double> min, Optional<Double> max, List<String> allowed, boolean sensitive,
                       Optional<String> description) {
        this(name, type, min, max, allowed, sensitive, description, Optional.empty());
    }

    /** How the feature is masked, if it is sensitive. */
    public Optional<Masking> masking() {
        return sensitive ? Optional.of(mask.orElse(Masking.REDACT)) : Optional.empty();
    }

    /** The sensitive features of a schema with their masking. */
    public static SensitiveColumns sensitive(List<FeatureSpec> features) {
        java.util.Map<String, Masking> columns = new java.util.LinkedHashMap<>();
        features.forEach(feature -> feature.masking().ifPresent(masking -> columns.put(feature.name(), masking)));
        return columns.isEmpty() ? SensitiveColumns.none() : new SensitiveColumns(columns);
    }

    /** A numeric feature without limits. */
    public static FeatureSpec number(String name) {
        return new FeatureSpec(name, "number", Optional.empty(), Optional.empty(), List.of(), false, Optional.empty());
    }
}
