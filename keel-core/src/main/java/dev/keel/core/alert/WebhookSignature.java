package dev.keel.core.alert;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook body: {@code sha256=} and the hex HMAC-SHA256, under the channel's secret, of the timestamp
 * header's value, a full stop, and the body's bytes. A receiver recomputes it, compares in constant time, and refuses
 * timestamps too far from its own clock, so a captured request cannot be replayed later.
 */
public final class WebhookSignature {
    /** The header holding the signature. */
    public static final String SIGNATURE_HEADER = "X-Keel-Signature";
    /** The header holding the signing time in epoch seconds; it is part of the signed content. */
    public static final String TIMESTAMP_HEADER = "X-Keel-Timestamp";

    private WebhookSignature() {
    }

    /** The header value for a body signed at {@code epochSeconds}. */
    public static String sign(String secret, long epochSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** True when the header value is the signature of the body at the timestamp (compared in constant time). */
    public static boolean verify(String secret, String timestampHeader, byte[] body, String signatureHeader) {
        long seconds;
        try {
            seconds = Long.parseLong(timestampHeader);
        } catch (NumberFormatException e) {
            return false;
        }
        byte[] expected = sign(secret, seconds, body).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signatureHeader.getBytes(StandardCharsets.US_ASCII));
    }
}
