package dev.keel.core.data;

import java.util.Objects;

/**
 * One problem in a pipeline spec.
 *
 * @param path where in the file, for example {@code steps[2].columns.age.cast}
 * @param message what is wrong and what was expected
 */
public record SpecError(String path, String message) {
    public SpecError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return (path.isEmpty() ? "(spec)" : path) + ": " + message;
    }
}
