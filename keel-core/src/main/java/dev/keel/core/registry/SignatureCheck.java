package dev.keel.core.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether one stored signature of a version verifies now: its key must still be trusted and the signature must hold over
 * the version's payload.
 *
 * @param problem why it does not verify; empty when it does
 */
public record SignatureCheck(VersionSignature signature, boolean valid, Optional<String> problem) {
    public SignatureCheck {
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(problem, "problem");
    }
}
