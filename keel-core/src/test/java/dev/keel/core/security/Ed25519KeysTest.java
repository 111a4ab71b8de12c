package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519KeysTest {
    @TempDir
    Path directory;

    @Test
    void pemRoundTrip_signAndVerify_andThePublicHalfIsRebuiltFromThePrivate() {
        KeyPair pair = Ed25519Keys.generate();
        PrivateKey privateKey = Ed25519Keys.privateKey(Ed25519Keys.pem("PRIVATE KEY", pair.getPrivate().getEncoded()), "test");
        PublicKey publicKey = Ed25519Keys.publicKey(Ed25519Keys.pem("PUBLIC KEY", pair.getPublic().getEncoded()), "test");
        byte[] message = "payload".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Ed25519Keys.sign(privateKey, message);

        assertThat(signature).hasSize(Ed25519Keys.SIGNATURE_LENGTH);
        assertThat(Ed25519Keys.verify(publicKey, message, signature)).isTrue();
        assertThat(Ed25519Keys.verify(publicKey, "other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(Ed25519Keys.verify(Ed25519Keys.generate().getPublic(), message, signature)).isFalse();
        assertThat(Ed25519Keys.publicKeyOf(privateKey).getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        assertThatThrownBy(() -> Ed25519Keys.publicKey("no pem here", "field 'key'")).isInstanceOf(KeelException.class)
                .hasMessageContaining("field 'key' must hold a PEM block '-----BEGIN PUBLIC KEY-----'");
    }

    /** The commands docs/security.md gives for signing outside Keel: OpenSSL's keys and signatures are read and verified here. */
    @Test
    void opensslKeysAndSignatures_areAccepted() throws Exception {
        assumeTrue(run(List.of("openssl", "version")) == 0, "openssl is not installed");
        Path key = directory.resolve("release.pem");
        Path pub = directory.resolve("release.pub");
        Path payload = Files.writeString(directory.resolve("payload.json"), "{\"model\":\"churn\",\"version\":3}");
        Path signature = directory.resolve("payload.sig");
        assertThat(run(List.of("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString()))).isZero();
        assertThat(run(List.of("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString()))).isZero();
        assertThat(run(List.of("openssl", "pkeyutl", "-sign", "-inkey", key.toString(), "-rawin", "-in", payload.toString(),
                "-out", signature.toString()))).isZero();

        PrivateKey privateKey = Ed25519Keys.privateKey(Files.readString(key), "release.pem");
        PublicKey publicKey = Ed25519Keys.publicKey(Files.readString(pub), "release.pub");
        assertThat(Ed25519Keys.verify(publicKey, Files.readAllBytes(payload), Files.readAllBytes(signature))).isTrue();
        assertThat(Ed25519Keys.publicKeyOf(privateKey).getEncoded()).isEqualTo(publicKey.getEncoded());
        assertThat(Ed25519Keys.sign(privateKey, Files.readAllBytes(payload))).as("Ed25519 signatures are deterministic")
                .isEqualTo(Files.readAllBytes(signature));
    }

    private int run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("openssl.log").toFile()).start();
        } catch (IOException e) {
            return -1;
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
