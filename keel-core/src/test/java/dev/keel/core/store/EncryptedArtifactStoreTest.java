package dev.keel.core.store;

import static dev.keel.core.testing.TestingBytes.key;
import static dev.keel.core.testing.TestingBytes.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.RewrapReport;
import dev.keel.spi.ArtifactIntegrityException;
import dev.keel.spi.ArtifactRef;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifact store with encryption at rest: ciphertext on disk, the plaintext's SHA-256 still checked on every read. */
class EncryptedArtifactStoreTest {
    private static final byte[] K1 = key(1);
    private static final byte[] K2 = key(2);

    @TempDir
    Path directory;

    @Test
    void put_thenRead_largeMultiSegmentArtifact_roundTripsAndIsCiphertextOnDisk() throws Exception {
        LocalArtifactStore store = store("k1", Map.of("k1", K1));
        byte[] model = random(5 * Envelope.SEGMENT_SIZE + 321, 1);

        ArtifactRef ref = store.put(new ByteArrayInputStream(model));

        assertThat(ref).isEqualTo(new ArtifactRef(sha256(model), model.length));
        Path file = store.path(ref.sha256());
        assertThat(Envelope.keyId(file)).contains("k1");
        assertThat(Files.size(file)).isGreaterThan(model.length);
        assertThat(Arrays.equals(Files.readAllBytes(file), 0, 4096, model, 0, 4096)).isFalse();
        assertThat(store.read(ref.sha256())).hasValueSatisfying(read -> assertThat(read).isEqualTo(model));
    }

    @Test
    void put_thenRead_emptyArtifact_roundTrips() {
        LocalArtifactStore store = store("k1", Map.of("k1", K1));

        ArtifactRef ref = store.put(InputStream.nullInputStream());

        assertThat(ref.size()).isZero();
        assertThat(store.read(ref.sha256())).hasValueSatisfying(read -> assertThat(read).isEmpty());
    }

    @Test
    void read_tamperedCiphertext_failsWithIntegrityError() throws Exception {
        LocalArtifactStore store = store("k1", Map.of("k1", K1));
        ArtifactRef ref = store.put(new ByteArrayInputStream(random(3 * Envelope.SEGMENT_SIZE, 2)));
        Path file = store.path(ref.sha256());
        byte[] stored = Files.readAllBytes(file);
        stored[stored.length - 1000] ^= 0x10;
        Files.write(file, stored);

        assertThatThrownBy(() -> store.read(ref.sha256())).isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("artifact " + ref.sha256() + " is damaged or altered")
                .hasMessageContaining("segment 2 fails its authentication tag");
    }

    @Test
    void read_anotherArtifactsFileUnderItsName_failsTheHashCheck() throws Exception {
        LocalArtifactStore store = store("k1", Map.of("k1", K1));
        ArtifactRef first = store.put(new ByteArrayInputStream(random(1000, 3)));
        ArtifactRef second = store.put(new ByteArrayInputStream(random(1000, 4)));
        Files.copy(store.path(second.sha256()), store.path(first.sha256()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> store.read(first.sha256())).isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("its bytes hash to " + second.sha256());
    }

    @Test
    void read_legacyPlaintextArtifact_staysReadableAfterEncryptionIsTurnedOn() {
        byte[] model = random(2 * Envelope.SEGMENT_SIZE + 5, 5);
        ArtifactRef legacy = new LocalArtifactStore(directory).put(new ByteArrayInputStream(model));

        LocalArtifactStore encrypting = store("k1", Map.of("k1", K1));

        assertThat(encrypting.read(legacy.sha256())).hasValueSatisfying(read -> assertThat(read).isEqualTo(model));
        assertThat(encrypting.put(new ByteArrayInputStream(model))).isEqualTo(legacy);
    }

    @Test
    void read_encryptedArtifactWithoutItsKey_failsNamingTheKey() {
        ArtifactRef ref = store("k1", Map.of("k1", K1)).put(new ByteArrayInputStream(random(10, 6)));

        assertThatThrownBy(() -> new LocalArtifactStore(directory).read(ref.sha256())).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("encrypted under key 'k1'");
    }

    @Test
    void rewrap_writeUnderK1_activateK2_rewrap_removeK1_stillReadable() throws Exception {
        byte[] model = random(2 * Envelope.SEGMENT_SIZE + 7, 7);
        byte[] other = random(100, 8);
        ArtifactRef ref = store("k1", Map.of("k1", K1)).put(new ByteArrayInputStream(model));
        ArtifactRef legacy = new LocalArtifactStore(directory).put(new ByteArrayInputStream(other));
        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put("k1", K1);
        both.put("k2", K2);
        LocalArtifactStore rotated = store("k2", both);
        ArtifactRef fresh = rotated.put(new ByteArrayInputStream(random(50, 9)));
        assertThat(Envelope.keyId(rotated.path(fresh.sha256()))).contains("k2");

        RewrapReport report = rotated.rewrap();

        assertThat(report).isEqualTo(new RewrapReport("k2", 1, 1, 1, 0, java.util.List.of()));
        LocalArtifactStore k2Only = store("k2", Map.of("k2", K2));
        assertThat(k2Only.read(ref.sha256())).hasValueSatisfying(read -> assertThat(read).isEqualTo(model));
        assertThat(k2Only.read(legacy.sha256())).hasValueSatisfying(read -> assertThat(read).isEqualTo(other));
        assertThat(k2Only.rewrap()).isEqualTo(new RewrapReport("k2", 0, 2, 1, 0, java.util.List.of()));
    }

    @Test
    void rewrap_fileUnderAnUnconfiguredKey_isCountedAsFailedAndTheRestGoOn() throws Exception {
        ArtifactRef lost = store("k1", Map.of("k1", K1)).put(new ByteArrayInputStream(random(10, 10)));
        store("k2", Map.of("k2", K2)).put(new ByteArrayInputStream(random(10, 11)));
        Map<String, byte[]> k2k3 = new LinkedHashMap<>();
        k2k3.put("k2", K2);
        k2k3.put("k3", key(3));

        RewrapReport report = store("k3", k2k3).rewrap();

        assertThat(report.rewrapped()).isEqualTo(1);
        assertThat(report.failed()).isEqualTo(1);
        assertThat(report.failures()).singleElement().asString().contains(lost.sha256()).contains("encrypted under key 'k1'");
    }

    @Test
    void rewrap_encryptionOff_isRefused() {
        assertThatThrownBy(() -> new LocalArtifactStore(directory).rewrap()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("security.encryption.active");
    }

    private LocalArtifactStore store(String active, Map<String, byte[]> keys) {
        return new LocalArtifactStore(directory, new Envelope(EncryptionKeys.of(keys, active)));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

}
