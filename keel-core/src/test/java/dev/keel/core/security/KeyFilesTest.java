package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    @TempDir
    Path directory;

    @Test
    void load_withoutFile_createsARandomKeyReadableByItsOwnerOnly_andReadsTheSameKeyLater() throws Exception {
        Path file = directory.resolve("keys").resolve("pepper.key");

        byte[] first = KeyFiles.load("security.token-pepper", Optional.empty(), file, 32, true);
        byte[] second = KeyFiles.load("security.token-pepper", Optional.empty(), file, 32, false);

        assertThat(first).hasSize(32).isEqualTo(second);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(KeyFiles.load("x", Optional.empty(), directory.resolve("other.key"), 32, true)).isNotEqualTo(first);
    }

    @Test
    void load_givenValue_winsOverTheFile_inHexOrBase64() {
        byte[] key = new byte[32];
        key[0] = 7;
        Path file = directory.resolve("unused.key");

        assertThat(KeyFiles.load("k", Optional.of(HexFormat.of().formatHex(key)), file, 32, true)).isEqualTo(key);
        assertThat(KeyFiles.load("k", Optional.of(java.util.Base64.getEncoder().encodeToString(key)), file, 32, true)).isEqualTo(key);
        assertThat(file).doesNotExist();
    }

    @Test
    void load_shortKey_isRefusedNamingTheSettingAndTheLength() {
        assertThatThrownBy(() -> KeyFiles.load("security.token-pepper", Optional.of("00ff00ff"), directory.resolve("k"), 32, true))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("security.token-pepper").hasMessageContaining("4 bytes").hasMessageContaining("at least 32");
    }

    @Test
    void load_missingFileThatMayNotBeCreated_isRefusedSayingToRestoreIt() {
        assertThatThrownBy(() -> KeyFiles.load("security.token-pepper", Optional.empty(), directory.resolve("lost.key"), 32, false))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("lost.key").hasMessageContaining("restore");
    }
}
