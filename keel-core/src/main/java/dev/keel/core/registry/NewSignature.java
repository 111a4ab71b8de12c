package dev.keel.core.registry;

import com.fasterxml.jackson.annotation.JsonAlias;

/**
 * A signature as a caller gives it, before it is checked.
 *
 * @param keyId the id of a trusted key ({@code security.signing.keys}); {@code key_id} is accepted too
 * @param signature the Ed25519 signature over the version's {@link SignaturePayload}, base64
 */
public record NewSignature(@JsonAlias("key_id") String keyId, String signature) {
}
