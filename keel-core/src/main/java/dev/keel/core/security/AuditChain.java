package dev.keel.core.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How audit entries are hashed: HMAC-SHA256 under the audit key over a canonical form in which every column takes part
 * and an absent value differs from an empty one; and the plain SHA-256 of entries written before keyed chaining.
 */
final class AuditChain {
    /** The scheme of entries written before keyed chaining: SHA-256 over the fields joined, absent values as "". */
    static final String LEGACY_SCHEME = "sha256";
    static final String KEYED_PREFIX = "hmac-sha256:";
    private static final String CANONICAL_VERSION = "keel-audit/2";
    private static final JsonFactory JSON = new JsonFactory();
    private static final HexFormat HEX = HexFormat.of();

    private final Mac prototype;
    private final String keyId;

    AuditChain(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the audit key must have at least 32 bytes, got " + key.length);
        }
        this.keyId = keyId(key);
        try {
            this.prototype = Mac.getInstance("HmacSHA256");
            this.prototype.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    /** The first 8 bytes of the key's SHA-256, in hex: names the key without revealing it. */
    static String keyId(byte[] key) {
        return HEX.formatHex(Arrays.copyOf(sha256(key), 8));
    }

    String keyId() {
        return keyId;
    }

    /** The scheme this chain writes: {@code hmac-sha256:<key id>}. */
    String scheme() {
        return KEYED_PREFIX + keyId;
    }

    /** The key id a keyed scheme names, or empty for the legacy scheme and unknown ones. */
    static Optional<String> keyIdOf(String scheme) {
        return scheme.startsWith(KEYED_PREFIX) ? Optional.of(scheme.substring(KEYED_PREFIX.length())) : Optional.empty();
    }

    /** The keyed hash of an entry (its {@code hash} is ignored). */
    String hash(AuditLog.Entry entry) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
        return HEX.formatHex(mac.doFinal(canonical(entry)));
    }

    /**
     * The canonical form: a JSON array of a version tag and every column, absent values as {@code null}, so that no
     * two different rows have the same form.
     */
    static byte[] canonical(AuditLog.Entry entry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartArray();
            generator.writeString(CANONICAL_VERSION);
            generator.writeNumber(entry.seq());
            generator.writeNumber(entry.at().toEpochMilli());
            generator.writeString(entry.actor());
            generator.writeString(entry.action());
            writeOptional(generator, entry.project());
            writeOptional(generator, entry.target());
            generator.writeString(entry.outcome());
            generator.writeNumber(entry.status());
            writeOptional(generator, entry.requestId());
            writeOptional(generator, entry.detail());
            generator.writeString(entry.previousHash());
            generator.writeString(entry.scheme());
            generator.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeOptional(JsonGenerator generator, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            generator.writeString(value.get());
        } else {
            generator.writeNull();
        }
    }

    /** The hash of an entry written before keyed chaining, as it was computed then. */
    static String legacyHash(AuditLog.Entry entry) {
        String canonical = String.join("\u001f", entry.previousHash(), Long.toString(entry.seq()), Long.toString(entry.at().toEpochMilli()),
                entry.actor(), entry.action(), entry.project().orElse(""), entry.target().orElse(""), entry.outcome(),
                Integer.toString(entry.status()), entry.requestId().orElse(""), entry.detail().orElse(""));
        return HEX.formatHex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
