import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.Envelope;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

/**
 * Encrypts and decrypts one file with Keel's envelope format, several rounds, and prints MB/s for each direction next to a
 * plain copy of the same file and a plain SHA-256 pass (the check every read already made before encryption).
 */
public final class EnvelopeBench {
    private EnvelopeBench() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path directory = Files.createTempDirectory("keel-envelope-bench");
        Path plain = directory.resolve("plain");
        Path sealed = directory.resolve("sealed");
        Path copy = directory.resolve("copy");
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(plain)) {
            for (int i = 0; i < megabytes; i++) {
                out.write(block);
            }
        }
        byte[] key = new byte[32];
        new Random(2).nextBytes(key);
        Envelope envelope = new Envelope(EncryptionKeys.of(Map.of("bench", key), "bench"));
        byte[] buffer = new byte[1 << 16];
        for (int round = 1; round <= rounds; round++) {
            long start = System.nanoTime();
            try (InputStream in = Files.newInputStream(plain); OutputStream out = Files.newOutputStream(copy)) {
                in.transferTo(out);
            }
            double copyTime = seconds(start);
            start = System.nanoTime();
            String expected = hash(Files.newInputStream(plain), buffer);
            double hashTime = seconds(start);
            start = System.nanoTime();
            try (InputStream in = Files.newInputStream(plain); OutputStream out = envelope.writer(Files.newOutputStream(sealed))) {
                in.transferTo(out);
            }
            double encryptTime = seconds(start);
            start = System.nanoTime();
            String actual = hash(envelope.open(sealed, "bench"), buffer);
            double decryptTime = seconds(start);
            if (!actual.equals(expected)) {
                throw new IllegalStateException("round trip changed the bytes");
            }
            System.out.printf("round %d, %d MiB: copy %.0f MB/s, sha-256 %.0f MB/s, encrypt %.0f MB/s, decrypt+sha-256 %.0f MB/s%n", round,
                    megabytes, mb(megabytes, copyTime), mb(megabytes, hashTime), mb(megabytes, encryptTime), mb(megabytes, decryptTime));
        }
        inMemory(envelope, Math.min(megabytes, 128), rounds, block);
        for (Path file : new Path[] {plain, sealed, copy}) {
            Files.deleteIfExists(file);
        }
        Files.delete(directory);
    }

    /** The crypto alone: sealing to and opening from memory, no file system and no hash. */
    private static void inMemory(Envelope envelope, int megabytes, int rounds, byte[] block) throws Exception {
        byte[] sink = new byte[1 << 16];
        for (int round = 1; round <= rounds; round++) {
            java.io.ByteArrayOutputStream sealed = new java.io.ByteArrayOutputStream(megabytes * (1 << 20) + (1 << 20));
            long start = System.nanoTime();
            try (OutputStream out = envelope.writer(sealed)) {
                for (int i = 0; i < megabytes; i++) {
                    out.write(block);
                }
            }
            double encryptTime = seconds(start);
            byte[] bytes = sealed.toByteArray();
            start = System.nanoTime();
            long read = 0;
            try (InputStream in = envelope.open(new java.io.ByteArrayInputStream(bytes), "bench")) {
                for (int n = in.read(sink); n >= 0; n = in.read(sink)) {
                    read += n;
                }
            }
            double decryptTime = seconds(start);
            if (read != (long) megabytes << 20) {
                throw new IllegalStateException("read " + read + " bytes");
            }
            System.out.printf("in memory, round %d, %d MiB: encrypt %.0f MB/s, decrypt %.0f MB/s%n", round, megabytes,
                    mb(megabytes, encryptTime), mb(megabytes, decryptTime));
        }
    }

    private static String hash(InputStream stream, byte[] buffer) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = stream) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double mb(int megabytes, double seconds) {
        return megabytes * 1.048576 / seconds;
    }
}
