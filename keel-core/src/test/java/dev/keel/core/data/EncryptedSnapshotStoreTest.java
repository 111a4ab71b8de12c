package dev.keel.core.data;

import static dev.keel.core.testing.TestingBytes.key;
import static dev.keel.core.testing.TestingBytes.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot files with encryption at rest: published encrypted, opened as a private decrypted copy deleted on close. */
class EncryptedSnapshotStoreTest {
    private static final byte[] K1 = key(1);
    private static final byte[] K2 = key(2);

    @TempDir
    Path directory;

    @Test
    void publish_thenOpen_givesAVerifiedOwnerOnlyCopyThatCloseDeletes() throws Exception {
        SnapshotStore store = store("k1", Map.of("k1", K1));
        byte[] parquet = random(4 * Envelope.SEGMENT_SIZE + 11, 1);
        Path staged = Files.write(store.newStaging("run-1").resolve("out.parquet"), parquet);

        SnapshotStore.Published published = store.publish(staged);

        assertThat(published.sha256()).isEqualTo(SnapshotStore.sha256(Files.write(directory.resolve("expected"), parquet)));
        assertThat(published.bytes()).isEqualTo(parquet.length);
        Path stored = directory.resolve("data").resolve(published.location());
        assertThat(Envelope.keyId(stored)).contains("k1");
        assertThat(staged).doesNotExist();
        assertThat(files(directory.resolve("data/staging/run-1"))).isEmpty();
        Path copy;
        try (SnapshotStore.Snapshot snapshot = store.open(published.location(), published.sha256())) {
            copy = snapshot.path();
            assertThat(snapshot.decrypted()).isTrue();
            assertThat(copy).hasBinaryContent(parquet);
            assertThat(copy).startsWith(directory.resolve("data/staging"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rw-------");
        }
        assertThat(copy).doesNotExist();
    }

    @Test
    void publish_sameBytesAgain_keepsTheStoredFile() throws Exception {
        SnapshotStore store = store("k1", Map.of("k1", K1));
        byte[] parquet = random(1000, 2);
        SnapshotStore.Published first = store.publish(Files.write(store.newStaging("a").resolve("out.parquet"), parquet));
        byte[] stored = Files.readAllBytes(directory.resolve("data").resolve(first.location()));

        SnapshotStore.Published second = store.publish(Files.write(store.newStaging("b").resolve("out.parquet"), parquet));

        assertThat(second).isEqualTo(first);
        assertThat(directory.resolve("data").resolve(first.location())).hasBinaryContent(stored);
    }

    @Test
    void open_tamperedCiphertext_failsWithIntegrityErrorAndLeavesNoCopy() throws Exception {
        SnapshotStore store = store("k1", Map.of("k1", K1));
        SnapshotStore.Published published = store.publish(Files.write(store.newStaging("a").resolve("out.parquet"),
                random(2 * Envelope.SEGMENT_SIZE, 3)));
        Path stored = directory.resolve("data").resolve(published.location());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[200] ^= 0x01;
        Files.write(stored, bytes);

        assertThatThrownBy(() -> store.open(published.location(), published.sha256())).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE))
                .hasMessageContaining("snapshot file '" + published.location() + "' is damaged or altered");
        assertThat(files(directory.resolve("data/staging/.reads"))).isEmpty();
    }

    @Test
    void open_legacyPlaintextSnapshot_isReadInPlace() throws Exception {
        SnapshotStore plain = new SnapshotStore(directory.resolve("data"));
        byte[] parquet = random(500, 4);
        SnapshotStore.Published published = plain.publish(Files.write(plain.newStaging("a").resolve("out.parquet"), parquet));

        try (SnapshotStore.Snapshot snapshot = store("k1", Map.of("k1", K1)).open(published.location(), published.sha256())) {
            assertThat(snapshot.decrypted()).isFalse();
            assertThat(snapshot.path()).isEqualTo(directory.resolve("data").resolve(published.location()));
            assertThat(snapshot.path()).hasBinaryContent(parquet);
        }
        assertThat(directory.resolve("data").resolve(published.location())).exists();
    }

    @Test
    void rewrap_thenOldKeyRemoved_snapshotsStayReadable() throws Exception {
        byte[] parquet = random(Envelope.SEGMENT_SIZE + 1, 5);
        SnapshotStore old = store("k1", Map.of("k1", K1));
        SnapshotStore.Published published = old.publish(Files.write(old.newStaging("a").resolve("out.parquet"), parquet));
        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put("k1", K1);
        both.put("k2", K2);

        assertThat(store("k2", both).rewrap().rewrapped()).isEqualTo(1);

        assertThat(files(directory.resolve("data/staging"))).as("no temporary file is left").containsExactly("a");
        try (SnapshotStore.Snapshot snapshot = store("k2", Map.of("k2", K2)).open(published.location(), published.sha256())) {
            assertThat(snapshot.path()).hasBinaryContent(parquet);
        }
    }

    private SnapshotStore store(String active, Map<String, byte[]> keys) {
        return new SnapshotStore(directory.resolve("data"), new Envelope(EncryptionKeys.of(keys, active)));
    }

    private static List<String> files(Path directory) throws Exception {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> listed = Files.list(directory)) {
            return listed.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

}
