package dev.keel.core.security;

import static dev.keel.core.testing.TestingBytes.key;
import static dev.keel.core.testing.TestingBytes.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeTest {
    private static final int SEALED = Envelope.SEGMENT_SIZE + Envelope.TAG_BYTES;
    private static final byte[] K1 = key(1);
    private static final byte[] K2 = key(2);

    @TempDir
    Path directory;

    @Test
    void writer_thenOpen_roundTripsManySegmentsAnExactMultipleAndNothing() throws IOException {
        for (int size : new int[] {3 * Envelope.SEGMENT_SIZE + 12_345, 2 * Envelope.SEGMENT_SIZE, 1, 0}) {
            byte[] plaintext = random(size, size);
            Path file = write(envelope("k1", Map.of("k1", K1)), plaintext, "object-" + size);

            assertThat(read(envelope("k1", Map.of("k1", K1)), file)).as("size %d", size).isEqualTo(plaintext);
            int segments = Math.max(1, (size + Envelope.SEGMENT_SIZE - 1) / Envelope.SEGMENT_SIZE);
            assertThat(Files.size(file)).as("size %d", size).isEqualTo(header("k1") + size + (long) segments * Envelope.TAG_BYTES);
        }
    }

    @Test
    void writer_fileOnDiskDoesNotHoldThePlaintext() throws IOException {
        byte[] plaintext = ("customer-id,balance\n" + "4711,1000000\n".repeat(10_000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        Path file = write(envelope("k1", Map.of("k1", K1)), plaintext, "secret.csv");

        byte[] stored = Files.readAllBytes(file);
        assertThat(Envelope.isEncrypted(file)).isTrue();
        assertThat(indexOf(stored, "4711,1000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(-1);
        assertThat(indexOf(stored, "customer-id".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(-1);
    }

    @Test
    void writer_sameBytesTwice_usesAFreshDataKeyEachTime() throws IOException {
        byte[] plaintext = random(1000, 7);
        Envelope envelope = envelope("k1", Map.of("k1", K1));

        byte[] first = Files.readAllBytes(write(envelope, plaintext, "a"));
        byte[] second = Files.readAllBytes(write(envelope, plaintext, "b"));

        assertThat(Arrays.copyOfRange(first, header("k1"), first.length)).isNotEqualTo(Arrays.copyOfRange(second, header("k1"), second.length));
    }

    @Test
    void open_tamperedCiphertext_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(2 * Envelope.SEGMENT_SIZE + 10, 3), "object");
        byte[] stored = Files.readAllBytes(file);
        stored[header("k1") + SEALED + 100] ^= 0x01;
        Files.write(file, stored);

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE))
                .hasMessageContaining("segment 1 fails its authentication tag").hasMessageContaining("it was not used");
    }

    @Test
    void open_fileTruncatedAtASegmentBoundary_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(3 * Envelope.SEGMENT_SIZE + 10, 4), "object");
        byte[] stored = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(stored, header("k1") + 2 * SEALED));

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("segment 1 fails its authentication tag");
    }

    @Test
    void open_fileTruncatedInsideASegment_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(2 * Envelope.SEGMENT_SIZE + 10, 5), "object");
        byte[] stored = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(stored, stored.length - 5));

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("segment 2 fails its authentication tag");
    }

    @Test
    void open_fileCutToItsHeader_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), new byte[0], "object");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), header("k1")));

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("ends inside segment 0 (truncated)");
    }

    @Test
    void open_swappedSegments_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(3 * Envelope.SEGMENT_SIZE + 10, 6), "object");
        byte[] stored = Files.readAllBytes(file);
        int first = header("k1");
        byte[] segmentZero = Arrays.copyOfRange(stored, first, first + SEALED);
        System.arraycopy(stored, first + SEALED, stored, first, SEALED);
        System.arraycopy(segmentZero, 0, stored, first + SEALED, SEALED);
        Files.write(file, stored);

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("segment 0 fails its authentication tag");
    }

    @Test
    void open_segmentAppended_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(2 * Envelope.SEGMENT_SIZE, 7), "object");
        byte[] stored = Files.readAllBytes(file);
        byte[] extended = Arrays.copyOf(stored, stored.length + SEALED);
        System.arraycopy(stored, header("k1"), extended, stored.length, SEALED);
        Files.write(file, extended);

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("segment 1 fails its authentication tag");
    }

    @Test
    void open_alteredNoncePrefixInTheHeader_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(100, 8), "object");
        byte[] stored = Files.readAllBytes(file);
        stored[Envelope.MAGIC.length + 1 + 4] ^= 0x40;
        Files.write(file, stored);

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K1)), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("segment 0 fails its authentication tag");
    }

    @Test
    void open_wrongKeyMaterialUnderTheSameId_failsWithIntegrityError() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(100, 9), "object");

        assertThatThrownBy(() -> read(envelope("k1", Map.of("k1", K2)), file)).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE))
                .hasMessageContaining("its data key does not unwrap under key 'k1'");
    }

    @Test
    void open_keyNotConfigured_failsNamingTheKey() throws IOException {
        Path file = write(envelope("k1", Map.of("k1", K1)), random(100, 10), "object");

        assertThatThrownBy(() -> read(envelope("k2", Map.of("k2", K2)), file)).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("encrypted under key 'k1', which is not among the configured keys [k2]");
        assertThatThrownBy(() -> read(Envelope.plaintext(), file)).isInstanceOf(KeelException.class)
                .hasMessageContaining("encrypted under key 'k1'");
    }

    @Test
    void open_plaintextFile_returnsItsBytesAsTheyAre() throws IOException {
        byte[] plaintext = random(3 * Envelope.SEGMENT_SIZE, 11);
        Path file = Files.write(directory.resolve("legacy"), plaintext);

        assertThat(Envelope.isEncrypted(file)).isFalse();
        assertThat(read(envelope("k1", Map.of("k1", K1)), file)).isEqualTo(plaintext);
        assertThat(read(Envelope.plaintext(), file)).isEqualTo(plaintext);
    }

    @Test
    void writer_encryptionOff_writesPlaintext() throws IOException {
        byte[] plaintext = random(500, 12);

        Path file = write(Envelope.plaintext(), plaintext, "plain");

        assertThat(file).hasBinaryContent(plaintext);
    }

    @Test
    void rewrap_thenOldKeyRemoved_objectStaysReadable() throws IOException {
        byte[] plaintext = random(2 * Envelope.SEGMENT_SIZE + 99, 13);
        Path file = write(envelope("k1", Map.of("k1", K1)), plaintext, "object");
        byte[] before = Files.readAllBytes(file);
        Envelope rotated = envelope("k2", ordered("k1", K1, "k2", K2));
        assertThat(read(rotated, file)).isEqualTo(plaintext);

        assertThat(rotated.rewrap(file, directory)).isEqualTo(Envelope.Rewrap.REWRAPPED);

        assertThat(Envelope.keyId(file)).contains("k2");
        byte[] after = Files.readAllBytes(file);
        assertThat(Arrays.copyOfRange(after, header("k2"), after.length)).as("the sealed segments are copied unchanged")
                .isEqualTo(Arrays.copyOfRange(before, header("k1"), before.length));
        assertThat(read(envelope("k2", Map.of("k2", K2)), file)).isEqualTo(plaintext);
        assertThat(rotated.rewrap(file, directory)).isEqualTo(Envelope.Rewrap.CURRENT);
        try (var left = Files.list(directory)) {
            assertThat(left.map(path -> path.getFileName().toString())).containsExactly("object");
        }
    }

    @Test
    void rewrap_plaintextFile_isLeftAsItIs() throws IOException {
        Path file = Files.write(directory.resolve("legacy"), random(10, 14));

        assertThat(envelope("k1", Map.of("k1", K1)).rewrap(file, directory)).isEqualTo(Envelope.Rewrap.PLAINTEXT);
        assertThat(Envelope.keyId(file)).isEmpty();
    }

    @Test
    void keys_of_refusesShortKeysUnknownActiveAndBadIds() {
        assertThatThrownBy(() -> EncryptionKeys.of(Map.of("k1", new byte[16]), "k1")).hasMessageContaining("holds 16 bytes")
                .hasMessageContaining("openssl rand -hex 32");
        assertThatThrownBy(() -> EncryptionKeys.of(Map.of("k1", K1), "k9")).hasMessageContaining("active encryption key is 'k9'");
        assertThatThrownBy(() -> EncryptionKeys.of(Map.of("k 1", K1), "k 1")).hasMessageContaining("key id 'k 1'");
        assertThatThrownBy(() -> EncryptionKeys.of(ordered("k1", K1, "k2", K1.clone()), "k1")).hasMessageContaining("same key material");
        assertThat(EncryptionKeys.of(Map.of("k1", K1), "k1").toString()).doesNotContain(java.util.HexFormat.of().formatHex(K1));
    }

    @Test
    void sealText_thenOpenText_roundTrips_andPlaintextPassesThrough() {
        Envelope envelope = envelope("k1", Map.of("k1", K1));

        String sealed = envelope.sealText("https://hooks.slack.com/services/T/B/secret");

        assertThat(sealed).startsWith(Envelope.TEXT_PREFIX).doesNotContain("secret");
        assertThat(envelope.openText(sealed, "value")).isEqualTo("https://hooks.slack.com/services/T/B/secret");
        assertThat(envelope.openText("https://example.com/plain", "value")).isEqualTo("https://example.com/plain");
        assertThat(Envelope.plaintext().sealText("as is")).isEqualTo("as is");
        assertThatThrownBy(() -> envelope.openText(Envelope.TEXT_PREFIX + "not base64!", "value")).isInstanceOf(KeelException.class)
                .hasMessageContaining("value is damaged or altered");
    }

    @Test
    void rewrapText_sealsAgainUnderTheActiveKeyOnlyWhenNeeded() {
        String underK1 = envelope("k1", Map.of("k1", K1)).sealText("secret value");
        Envelope rotated = envelope("k2", ordered("k1", K1, "k2", K2));

        String underK2 = rotated.rewrapText(underK1, "value").orElseThrow();

        assertThat(envelope("k2", Map.of("k2", K2)).openText(underK2, "value")).isEqualTo("secret value");
        assertThat(rotated.rewrapText(underK2, "value")).isEmpty();
        assertThat(rotated.rewrapText("plain", "value")).isEmpty();
    }

    private Path write(Envelope envelope, byte[] plaintext, String name) throws IOException {
        Path file = directory.resolve(name);
        try (OutputStream out = envelope.writer(Files.newOutputStream(file))) {
            for (int offset = 0; offset < plaintext.length; offset += 10_000) {
                out.write(plaintext, offset, Math.min(10_000, plaintext.length - offset));
            }
        }
        return file;
    }

    private static byte[] read(Envelope envelope, Path file) throws IOException {
        try (InputStream in = envelope.open(file, "object " + file.getFileName())) {
            return in.readAllBytes();
        }
    }

    private static Envelope envelope(String active, Map<String, byte[]> keys) {
        return new Envelope(EncryptionKeys.of(keys, active));
    }

    private static Map<String, byte[]> ordered(String firstId, byte[] first, String secondId, byte[] second) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put(firstId, first);
        keys.put(secondId, second);
        return keys;
    }

    /** The header's length for a key id: magic, version, segment size, nonce prefix, id, wrapped key (40 bytes). */
    private static int header(String keyId) {
        return Envelope.MAGIC.length + 1 + 4 + Envelope.PREFIX_BYTES + 1 + keyId.length() + 1 + 40;
    }


    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
