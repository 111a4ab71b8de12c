package dev.keel.core.testing;

import dev.keel.core.error.ErrorCategory;
import dev.keel.core.error.KeelException;
import java.util.Set;

/**
 * The property every fuzz test checks of a parser that an outsider can reach: it returns a value, or refuses the input with a
 * {@link KeelException} of a client-error category and a message; any other throwable (a NullPointerException, a
 * StackOverflowError, a Jackson exception leaking out) is a finding, and so is a refusal mapped to a 5xx.
 */
public final class ParsedOrRefused {
    /** The categories of a refusal of bad input: 400, 422 and 413. */
    public static final Set<ErrorCategory> CLIENT_ERRORS = Set.of(ErrorCategory.BAD_INPUT, ErrorCategory.UNPROCESSABLE, ErrorCategory.TOO_LARGE);

    private ParsedOrRefused() {
    }

    /** A parse to run; may throw anything, which is what is checked. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /** Runs the parse; returns normally when it parsed or refused the input as bad input, else throws the finding. */
    public static void check(Parse parse) throws Exception {
        try {
            parse.run();
        } catch (KeelException refusal) {
            if (!CLIENT_ERRORS.contains(refusal.code().category())) {
                throw new AssertionError("bad input was refused with " + refusal.code() + " (" + refusal.code().category()
                        + "), not a client error: " + refusal.getMessage(), refusal);
            }
            if (refusal.getMessage() == null || refusal.getMessage().isBlank()) {
                throw new AssertionError("bad input was refused with " + refusal.code() + " but no message", refusal);
            }
        }
    }
}
