package dev.keel.core.security;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys and signatures with the JDK's provider: PEM in and out (SubjectPublicKeyInfo {@code PUBLIC KEY}, PKCS#8
 * {@code PRIVATE KEY}, the forms {@code openssl genpkey -algorithm ed25519} writes), signing and verifying.
 */
public final class Ed25519Keys {
    /** The length of every Ed25519 signature, in bytes. */
    public static final int SIGNATURE_LENGTH = 64;
    private static final String ALGORITHM = "Ed25519";

    private Ed25519Keys() {
    }

    /** A new random key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519", e);
        }
    }

    /**
     * The public key in a PEM {@code PUBLIC KEY} block.
     *
     * @param what names the text in the error, e.g. {@code key file '/etc/keel/release.pub'}
     * @throws KeelException INVALID_REQUEST when the text holds no such block or the key is not Ed25519
     */
    public static PublicKey publicKey(String pem, String what) {
        byte[] der = unpem(pem, "PUBLIC KEY", what);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw invalid(what + " is not an Ed25519 public key (SubjectPublicKeyInfo): " + e.getMessage());
        }
    }

    /**
     * The private key in a PEM {@code PRIVATE KEY} block (PKCS#8).
     *
     * @throws KeelException INVALID_REQUEST when the text holds no such block or the key is not Ed25519
     */
    public static PrivateKey privateKey(String pem, String what) {
        byte[] der = unpem(pem, "PRIVATE KEY", what);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw invalid(what + " is not a PKCS#8 Ed25519 private key: " + e.getMessage());
        }
    }

    /** The public half of a private key: PKCS#8 v1 holds none, so the pair is rebuilt from the 32-byte seed. */
    public static PublicKey publicKeyOf(PrivateKey privateKey) {
        byte[] encoded = privateKey.getEncoded();
        if (encoded == null || encoded.length < 48) {
            throw invalid("expected the PKCS#8 encoding of an Ed25519 private key (48 bytes or more), got "
                    + (encoded == null ? 0 : encoded.length) + " bytes");
        }
        // the PKCS#8 v1 encoding is a 16-byte prefix and the 32-byte seed; v2 appends the public key after the seed
        byte[] seed = Arrays.copyOfRange(encoded, 16, 48);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519", e);
        }
    }

    /** Signs {@code message}; the 64-byte signature. */
    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(message);
            return signer.sign();
        } catch (InvalidKeyException e) {
            throw invalid("the key cannot sign with Ed25519: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519", e);
        }
    }

    /** True when {@code signature} is a valid Ed25519 signature of {@code message} under {@code key}. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (InvalidKeyException | SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify with Ed25519", e);
        }
    }

    /** The first 8 bytes of the SHA-256 of the key's SubjectPublicKeyInfo encoding, in hex: a fingerprint for messages. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** A PEM block of {@code type} around {@code der}, 64 characters a line. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String text, String type, String what) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw invalid(what + " must hold a PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw invalid(what + " holds a PEM block that is not base64");
        }
    }

    private static KeelException invalid(String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message);
    }

    /** A random source that yields one fixed seed: makes the JDK's Ed25519 generator rebuild a key pair from its private half. */
    private static final class FixedSeed extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
