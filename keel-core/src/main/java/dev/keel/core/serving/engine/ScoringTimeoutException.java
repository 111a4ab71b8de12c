package dev.keel.core.serving.engine;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;

/** A request was not answered within its timeout; it is dropped if it had not started. */
public final class ScoringTimeoutException extends KeelException {
    private static final long serialVersionUID = 1L;

    ScoringTimeoutException(String modelKey, Duration timeout) {
        super(ErrorCode.UNAVAILABLE, "model '" + modelKey + "' did not answer within " + timeout.toMillis() + " ms");
    }
}
