package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningCommandsTest {
    @TempDir
    Path directory;

    @Test
    void keygenSignAndVerify_throughTheApi_andAGuardedAliasTakesOnlyTheSignedVersion() throws Exception {
        Cli.Run generated = run(new String[0], "model", "keygen", "--out", directory.resolve("release").toString());
        Cli.Run other = run(new String[0], "model", "keygen", "--out", directory.resolve("other").toString());
        Cli.Run printed = run(new String[0], "model", "keygen");
        assertThat(generated.code()).as(generated.err()).isZero();
        assertThat(other.code()).isZero();
        assertThat(printed.out()).contains("-----BEGIN PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----");
        assertThat(Files.getPosixFilePermissions(directory.resolve("release.pem"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        KeelConfig config = KeelConfig.parse("""
                data-dir: '%s'
                server: {host: 127.0.0.1, port: 0}
                logging: {requests: false}
                security:
                  signing:
                    keys: {release: '%s'}
                    require-for-aliases: [production]
                """.formatted(directory.resolve("data"), directory.resolve("release.pub")), Map.of());
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            KeelClient api = new KeelClient(url, Optional.of(token));
            api.post("/v1/models", Map.of("name", "credit", "project", "default"));
            byte[] artifact = Files.readAllBytes(Path.of("..", "build", "fixtures", "models", "credit_rf.onnx"));
            api.upload("/v1/models/credit/versions", artifact, Map.of("format", "onnx"));
            api.upload("/v1/models/credit/versions", artifact, Map.of("format", "onnx"));
            String[] client = {"--url", url, "--token", token};

            Cli.Run signed = run(client, "model", "sign", "credit", "1", "--key", directory.resolve("release.pem").toString());
            Cli.Run untrusted = run(client, "model", "sign", "credit", "2", "--key", directory.resolve("other.pem").toString());
            Cli.Run wrongKey = run(client, "model", "sign", "credit", "2", "--key", directory.resolve("other.pem").toString(), "--key-id", "release");
            Cli.Run notAKey = run(client, "model", "sign", "credit", "2", "--key", directory.resolve("release.pub").toString());
            Cli.Run verified = run(client, "model", "verify", "credit", "1", "--public-key", directory.resolve("release.pub").toString());
            Cli.Run otherKey = run(client, "model", "verify", "credit", "1", "--public-key", directory.resolve("other.pub").toString());
            Cli.Run unsigned = run(client, "model", "verify", "credit", "2");
            Cli.Run refused = run(client, "model", "promote", "credit", "production", "2");
            Cli.Run promoted = run(client, "model", "promote", "credit", "production", "1");

            assertThat(signed.code()).as(signed.err()).isZero();
            assertThat(signed.out()).contains("signed credit:1 with key 'release'");
            assertThat(untrusted.code()).isEqualTo(1);
            assertThat(untrusted.err()).contains("'other'", "not a trusted signing key", "[release]");
            assertThat(wrongKey.code()).isEqualTo(1);
            assertThat(wrongKey.err()).contains("not a valid Ed25519 signature by key 'release'");
            assertThat(notAKey.code()).isEqualTo(1);
            assertThat(notAKey.err()).contains("BEGIN PRIVATE KEY");
            assertThat(verified.code()).as(verified.err()).isZero();
            assertThat(verified.out()).contains("key 'release'", ": valid", "a signature verifies here");
            assertThat(otherKey.code()).isEqualTo(1);
            assertThat(otherKey.out()).contains("NO signature verifies here");
            assertThat(unsigned.code()).isEqualTo(1);
            assertThat(unsigned.out()).contains("credit:2 needs no signature", "unsigned");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("needs a valid signature by key 'release'", "unsigned");
            assertThat(promoted.code()).as(promoted.err()).isZero();
        } finally {
            started.server().close();
        }
    }
}
