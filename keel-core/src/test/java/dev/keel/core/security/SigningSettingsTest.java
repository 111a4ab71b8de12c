package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningSettingsTest {
    @TempDir
    Path directory;

    private SigningSettings parse(String signing) {
        KeelConfig config = KeelConfig.parse("security:\n  signing:\n" + signing.indent(4), Map.of());
        return SigningSettings.from(config.root().section("security").section("signing"));
    }

    private Path publicKey(String name, KeyPair pair) throws IOException {
        return Files.writeString(directory.resolve(name), Ed25519Keys.pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    @Test
    void keysAndGuardedAliases_areRead() throws IOException {
        KeyPair pair = Ed25519Keys.generate();
        SigningSettings settings = parse("keys:\n  release: '" + publicKey("release.pub", pair) + "'\nrequire-for-aliases: [production]\n");

        assertThat(settings.keys()).containsOnlyKeys("release");
        assertThat(settings.key("release").orElseThrow().key().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        assertThat(settings.guards("production")).isTrue();
        assertThat(settings.guards("champion")).isFalse();
        assertThat(parse("{}").keys()).isEmpty();
    }

    @Test
    void aMissingFile_aPrivateKey_garbage_aBadAliasAndGuardsWithoutKeys_failNamingTheKey() throws IOException {
        Path privateKey = Files.writeString(directory.resolve("release.pem"), Ed25519Keys.pem("PRIVATE KEY",
                Ed25519Keys.generate().getPrivate().getEncoded()));
        Path notAKey = Files.writeString(directory.resolve("bad.pub"), "-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n");
        Path good = publicKey("good.pub", Ed25519Keys.generate());

        assertInvalid(() -> parse("keys:\n  release: '" + directory.resolve("absent.pub") + "'\n"), "'security.signing.keys.release'",
                "absent.pub", "a readable PEM file");
        assertInvalid(() -> parse("keys:\n  release: '" + privateKey + "'\n"), "'security.signing.keys.release'", "BEGIN PUBLIC KEY");
        assertInvalid(() -> parse("keys:\n  release: '" + notAKey + "'\n"), "'security.signing.keys.release'", "not an Ed25519 public key");
        assertInvalid(() -> parse("keys:\n  'bad id!': '" + good + "'\n"), "'security.signing.keys.bad id!'", "key id");
        assertInvalid(() -> parse("keys:\n  release: '" + good + "'\nrequire-for-aliases: [Production]\n"),
                "'security.signing.require-for-aliases'", "alias names");
        assertInvalid(() -> parse("require-for-aliases: [production]\n"), "'security.signing.require-for-aliases'", "names no trusted key");
        assertInvalid(() -> parse("key: x\n"), "unknown configuration key 'security.signing.key'");
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).contains(fragments);
        });
    }
}
