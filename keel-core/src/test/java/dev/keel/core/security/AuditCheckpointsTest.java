package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCheckpointsTest {
    @TempDir
    Path directory;

    private Path file() {
        return directory.resolve("audit").resolve("checkpoints.jsonl");
    }

    private Path keyFile() {
        return directory.resolve("keys").resolve("audit-signing.key");
    }

    @Test
    void open_createsAnOwnerOnlyPkcs8KeyAndExportsItsPublicKey_andReopensTheSameKey() throws Exception {
        AuditCheckpoints first = AuditCheckpoints.open(file(), keyFile());
        AuditCheckpoints second = AuditCheckpoints.open(file(), keyFile());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile()))).isEqualTo("rw-------");
        assertThat(Files.readString(keyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
        Path publicKey = directory.resolve("keys").resolve("audit-signing.pub");
        assertThat(AuditCheckpoints.publicKeyFile(keyFile())).isEqualTo(publicKey);
        assertThat(Files.readString(publicKey)).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(second.signingKeyId()).isEqualTo(first.signingKeyId()).hasSize(16);
        AuditCheckpoints.Checkpoint written = first.write(7, "ab".repeat(32), "00112233aabbccdd", 0, Instant.parse("2026-12-01T10:00:00.123456Z"));
        assertThat(second.signatureValid(written)).isTrue();
        assertThat(second.read().checkpoints()).containsExactly(written);
        assertThat(written.at()).isEqualTo(Instant.parse("2026-12-01T10:00:00.123Z"));
    }

    @Test
    void signature_verifiesWithTheExportedPublicKeyAlone() throws Exception {
        AuditCheckpoints checkpoints = AuditCheckpoints.open(file(), keyFile());
        AuditCheckpoints.Checkpoint written = checkpoints.write(3, "cd".repeat(32), "00112233aabbccdd", 1, Instant.parse("2026-12-01T10:00:00Z"));
        String pem = Files.readString(AuditCheckpoints.publicKeyFile(keyFile()), StandardCharsets.US_ASCII);
        byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", ""));

        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
        verifier.update(("[\"keel-audit-checkpoint/1\",3,\"" + "cd".repeat(32) + "\",\"00112233aabbccdd\",1,\"2026-12-01T10:00:00Z\",\""
                + written.signingKeyId() + "\"]").getBytes(StandardCharsets.UTF_8));

        assertThat(verifier.verify(Base64.getDecoder().decode(written.signature()))).isTrue();
    }

    @Test
    void open_missingKeyWhileCheckpointsExist_isRefusedNamingTheSetting() throws Exception {
        AuditCheckpoints.open(file(), keyFile()).write(1, "ab".repeat(32), "00112233aabbccdd", 0, Instant.EPOCH);
        Files.delete(keyFile());

        assertThatThrownBy(() -> AuditCheckpoints.open(file(), keyFile())).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).contains("security.audit-signing-key-file", "restore");
        });
    }

    @Test
    void read_reportsAnUnreadableLine() throws Exception {
        AuditCheckpoints checkpoints = AuditCheckpoints.open(file(), keyFile());
        checkpoints.write(1, "ab".repeat(32), "00112233aabbccdd", 0, Instant.EPOCH);
        Files.writeString(file(), "{\"seq\": \"x\"}\n", java.nio.file.StandardOpenOption.APPEND);

        AuditCheckpoints.Read read = checkpoints.read();

        assertThat(read.checkpoints()).hasSize(1);
        assertThat(read.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("line 2"));
    }
}
