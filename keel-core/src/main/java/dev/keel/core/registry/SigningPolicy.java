package dev.keel.core.registry;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Objects;

/**
 * A model's own signature requirement: when {@code required}, every promotion and every load of any of its versions needs a
 * valid signature by one of {@code keys} (any trusted key when empty).
 */
public record SigningPolicy(@JsonSetter(nulls = Nulls.AS_EMPTY) boolean required, List<String> keys) {
    public SigningPolicy {
        keys = List.copyOf(Objects.requireNonNullElse(keys, List.of()));
        KeelException.requireArgument(required || keys.isEmpty(),
                "field 'keys' lists %s but 'required' is false; keys only name who may sign a model that requires signatures", keys);
    }

    /** No requirement of the model's own. */
    public static SigningPolicy none() {
        return new SigningPolicy(false, List.of());
    }
}
