package dev.keel.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.ArtifactIntegrityException;
import dev.keel.spi.ArtifactRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {
    @TempDir
    Path directory;

    @Test
    void put_namesTheArtifactByItsSha256() throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(directory);
        byte[] bytes = "a model".getBytes(StandardCharsets.UTF_8);

        ArtifactRef ref = store.put(new ByteArrayInputStream(bytes));

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(ref).isEqualTo(new ArtifactRef(expected, bytes.length));
        assertThat(directory.resolve(expected.substring(0, 2)).resolve(expected.substring(2, 4)).resolve(expected)).hasBinaryContent(bytes);
        assertThat(store.contains(expected)).isTrue();
        assertThat(store.read(expected)).hasValueSatisfying(read -> assertThat(read).isEqualTo(bytes));
        assertThat(store.locate(expected)).isPresent();
    }

    @Test
    void put_sameContentTwice_keepsOneFile() throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(directory);

        ArtifactRef first = store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}));
        ArtifactRef second = store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}));

        assertThat(second).isEqualTo(first);
        assertThat(regularFiles()).hasSize(1);
    }

    @Test
    void put_failingStream_leavesNoFileBehind() throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(directory);
        InputStream failing = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 1000) {
                    return 7;
                }
                throw new IOException("connection reset");
            }
        };

        assertThatThrownBy(() -> store.put(failing)).hasMessageContaining("connection reset");
        assertThat(regularFiles()).isEmpty();
    }

    @Test
    void read_tamperedArtifact_failsAndNeverReturnsTheBytes() throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(directory);
        ArtifactRef ref = store.put(new ByteArrayInputStream("original".getBytes(StandardCharsets.UTF_8)));
        Path file = store.path(ref.sha256());
        Files.writeString(file, "tampered");

        assertThatThrownBy(() -> store.read(ref.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining(ref.sha256());
    }

    @Test
    void read_unknownArtifact_isEmpty() {
        LocalArtifactStore store = new LocalArtifactStore(directory);

        assertThat(store.read("ab".repeat(32))).isEmpty();
        assertThat(store.contains("ab".repeat(32))).isFalse();
    }

    @Test
    void read_malformedId_isRefusedBeforeTouchingTheDisk() {
        LocalArtifactStore store = new LocalArtifactStore(directory);

        assertThatThrownBy(() -> store.read("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 lower-case hex digits");
    }

    @Test
    void sweepStaging_removesPartialFiles() throws Exception {
        LocalArtifactStore store = new LocalArtifactStore(directory);
        Files.writeString(directory.resolve("tmp").resolve("crashed.part"), "half a model");

        store.sweepStaging();

        assertThat(regularFiles()).isEmpty();
    }

    private java.util.List<Path> regularFiles() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
