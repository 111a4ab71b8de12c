package dev.keel.core.data;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.stream.Collectors;

/** Turns spec errors into the one exception type the HTTP layer maps. */
final class SpecErrors {
    private SpecErrors() {
    }

    static KeelException invalid(List<SpecError> errors) {
        String message = "the pipeline spec has " + errors.size() + (errors.size() == 1 ? " error: " : " errors: ")
                + errors.stream().map(SpecError::toString).collect(Collectors.joining("; "));
        return new KeelException(ErrorCode.INVALID_SPEC, message,
                errors.stream().map(error -> new KeelException.FieldError(error.path(), error.message())).toList());
    }
}
