package dev.keel.core.security;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption keys (KEKs) of encryption at rest, by id, and the id of the one new objects are wrapped with. With no
 * active key nothing new is encrypted, and objects written under a listed key stay readable.
 */
public final class EncryptionKeys {
    /** A KEK is an AES-256 key. */
    public static final int KEY_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final EncryptionKeys NONE = new EncryptionKeys(Map.of(), Optional.empty());

    private final Map<String, SecretKey> keys;
    private final Optional<String> active;

    private EncryptionKeys(Map<String, SecretKey> keys, Optional<String> active) {
        this.keys = keys;
        this.active = active;
    }

    /** No keys: objects are written in plaintext and encrypted ones cannot be read. */
    public static EncryptionKeys none() {
        return NONE;
    }

    /**
     * Keys by id, {@code active} among them.
     *
     * @throws KeelException INVALID_CONFIG when an id is not 1 to 64 of {@code A-Z a-z 0-9 . _ -}, a key is not 32 bytes, two
     *     ids hold the same key material, or {@code active} is not one of the ids
     */
    public static EncryptionKeys of(Map<String, byte[]> material, String active) {
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(active, "active");
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> entry : material.entrySet()) {
            String id = entry.getKey();
            requireId(id);
            if (entry.getValue().length != KEY_BYTES) {
                throw new KeelException(ErrorCode.INVALID_CONFIG, "encryption key '" + id + "' holds " + entry.getValue().length
                        + " bytes; an AES-256 key is exactly " + KEY_BYTES + " (generate one with: openssl rand -hex 32)");
            }
            for (Map.Entry<String, SecretKey> other : keys.entrySet()) {
                if (Arrays.equals(other.getValue().getEncoded(), entry.getValue())) {
                    throw new KeelException(ErrorCode.INVALID_CONFIG, "encryption keys '" + other.getKey() + "' and '" + id
                            + "' hold the same key material; each key id must name a different key");
                }
            }
            keys.put(id, new SecretKeySpec(entry.getValue(), "AES"));
        }
        if (!keys.containsKey(active)) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "the active encryption key is '" + active + "' but the configured keys are "
                    + keys.keySet() + "; set security.encryption.active to one of them");
        }
        return new EncryptionKeys(Map.copyOf(keys), Optional.of(active));
    }

    static void requireId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "encryption key id '" + id + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    /** The id new objects are wrapped with; empty when encryption is off. */
    public Optional<String> active() {
        return active;
    }

    /** The ids of every configured key. */
    public Set<String> ids() {
        return keys.keySet();
    }

    Optional<SecretKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public String toString() {
        return "EncryptionKeys[ids=" + keys.keySet() + ", active=" + active.orElse("none") + "]";
    }
}
