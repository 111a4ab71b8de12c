package dev.keel.core.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * An Ed25519 signature attached to a model version: by the trusted key {@code keyId}, over the version's
 * {@link SignaturePayload}. Kept forever, like the version.
 *
 * @param signature the 64-byte signature, base64
 */
public record VersionSignature(String model, int version, String keyId, String signature, Instant createdAt, String createdBy) {
    public VersionSignature {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
    }
}
