package dev.keel.core.testing;

import dev.keel.core.security.EncryptionKeys;
import java.util.Random;

/** Seeded bytes for tests: encryption keys of the length Keel takes, and content of any size. */
public final class TestingBytes {
    private TestingBytes() {
    }

    /** A key-encryption key, the same for the same seed. */
    public static byte[] key(int seed) {
        return random(EncryptionKeys.KEY_BYTES, seed);
    }

    /** {@code size} bytes, the same for the same seed. */
    public static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
