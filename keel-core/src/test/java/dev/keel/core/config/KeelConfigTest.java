package dev.keel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeelConfigTest {
    @TempDir
    Path directory;

    @Test
    void load_withoutFile_givesDefaults() {
        KeelConfig config = KeelConfig.load(Optional.empty(), Map.of());

        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().maxRequestSize()).isEqualTo(256L << 20);
        assertThat(config.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.dataDirectory()).isEqualTo(Path.of("keel-data").toAbsolutePath().normalize());
        assertThat(config.store().url()).isEqualTo("jdbc:sqlite:" + config.dataDirectory().resolve("keel.db"));
        assertThat(config.store().poolSize()).isEqualTo(8);
        assertThat(config.store().pool().connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.store().pool().maxLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.store().pool().leakThreshold()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.artifacts().directory()).isEqualTo(config.dataDirectory().resolve("artifacts"));
        assertThat(config.artifacts().maxModelSize()).isEqualTo(200L << 20);
        assertThat(config.logging().format()).isEqualTo("plain");
        assertThat(config.logging().requests()).isTrue();
        assertThat(config.security().tokenCacheTtl()).isEqualTo(Duration.ofSeconds(5));
        KeelConfig.Audit audit = config.security().audit();
        assertThat(audit.key()).isEmpty();
        assertThat(audit.keyFile()).isEqualTo(config.dataDirectory().resolve("keys").resolve("audit.key"));
        assertThat(audit.signingKeyFile()).isEqualTo(config.dataDirectory().resolve("keys").resolve("audit-signing.key"));
        assertThat(audit.checkpointFile()).isEqualTo(config.dataDirectory().resolve("audit").resolve("checkpoints.jsonl"));
        assertThat(audit.checkpointInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(audit.checkpointEntries()).isEqualTo(1000);
        assertThat(audit.checkpointWebhook()).isEmpty();
    }

    @Test
    void auditSettings_fromFileAndEnvironment_keyNeverPrinted() {
        KeelConfig config = KeelConfig.parse("""
                security:
                  audit-checkpoint-interval: 10s
                  audit-checkpoint-entries: 0
                  audit-checkpoint-file: %s/cp.jsonl
                  audit-checkpoint-webhook: https://audit.example/checkpoints
                """.formatted(directory), Map.of("KEEL_SECURITY_AUDIT_KEY", "ab".repeat(32)));

        KeelConfig.Audit audit = config.security().audit();
        assertThat(audit.key()).contains("ab".repeat(32));
        assertThat(audit.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(audit.checkpointEntries()).isZero();
        assertThat(audit.checkpointFile()).isEqualTo(directory.resolve("cp.jsonl"));
        assertThat(audit.checkpointWebhook()).hasValueSatisfying(uri -> assertThat(uri.getHost()).isEqualTo("audit.example"));
        assertThat(config.security().toString()).doesNotContain("abab");
    }

    @Test
    void auditSettings_invalidValues_areRefusedNamingTheKey() {
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  audit-checkpoint-interval: 0s\n", Map.of()))
                .hasMessageContaining("security.audit-checkpoint-interval");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  audit-checkpoint-webhook: ftp://x/y\n", Map.of()))
                .hasMessageContaining("security.audit-checkpoint-webhook").hasMessageContaining("http");
    }

    @Test
    void parse_readsEveryTypedValue() {
        KeelConfig config = KeelConfig.parse("""
                server:
                  host: 127.0.0.1
                  port: 9090
                  max-request-size: 64kb
                  shutdown-grace: 250ms
                data-dir: %s
                store:
                  url: jdbc:postgresql://db/keel
                  user: keel
                  pool-size: 3
                artifacts:
                  max-model-size: 2mb
                logging:
                  format: JSON
                  requests: off
                security:
                  token-cache-ttl: 2m
                """.formatted(directory), Map.of());

        assertThat(config.server()).isEqualTo(new KeelConfig.Server("127.0.0.1", 9090, 64 << 10, Duration.ofMillis(250)));
        assertThat(config.dataDirectory()).isEqualTo(directory);
        assertThat(config.store().url()).isEqualTo("jdbc:postgresql://db/keel");
        assertThat(config.store().user()).isEqualTo("keel");
        assertThat(config.store().poolSize()).isEqualTo(3);
        assertThat(config.artifacts().directory()).isEqualTo(directory.resolve("artifacts"));
        assertThat(config.artifacts().maxModelSize()).isEqualTo(2L << 20);
        assertThat(config.logging()).isEqualTo(new KeelConfig.Logging("json", false));
        assertThat(config.security().tokenCacheTtl()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void environment_overridesFileAndDefaults() {
        KeelConfig config = KeelConfig.parse("server:\n  port: 9090\n", Map.of("KEEL_SERVER_PORT", "7070",
                "KEEL_STORE_POOL_SIZE", "2", "KEEL_DATA_DIR", directory.toString(), "KEEL_SERVER_SHUTDOWN_GRACE", "3s"));

        assertThat(config.server().port()).isEqualTo(7070);
        assertThat(config.store().poolSize()).isEqualTo(2);
        assertThat(config.dataDirectory()).isEqualTo(directory);
        assertThat(config.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void load_readsTheFile() throws Exception {
        Path file = Files.writeString(directory.resolve("keel.yaml"), "server:\n  port: 0\n");

        assertThat(KeelConfig.load(Optional.of(file), Map.of()).server().port()).isZero();
    }

    @Test
    void load_missingFile_namesThePath() {
        Path missing = directory.resolve("nope.yaml");

        assertThatThrownBy(() -> KeelConfig.load(Optional.of(missing), Map.of()))
                .isInstanceOf(KeelException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void storePool_readsItsTimeouts_andRefusesALeakThresholdTheLibraryWouldIgnore() {
        KeelConfig config = KeelConfig.parse("store:\n  connection-timeout: 5s\n  max-lifetime: 0s\n  leak-detection: 10s\n", Map.of());

        assertThat(config.store().pool()).isEqualTo(new dev.keel.core.store.Database.Pool(8, Duration.ofSeconds(5), Duration.ZERO,
                Duration.ofSeconds(10)));
        assertThatThrownBy(() -> KeelConfig.parse("store:\n  leak-detection: 500ms\n", Map.of()))
                .hasMessageContaining("leak-detection").hasMessageContaining("at least 2s");
        assertThatThrownBy(() -> KeelConfig.parse("store:\n  max-lifetime: 5s\n", Map.of()))
                .hasMessageContaining("max-lifetime").hasMessageContaining("at least 30s");
    }

    @Test
    void invalidPort_namesKeyValueAndAllowedRange() {
        assertThatThrownBy(() -> KeelConfig.parse("server:\n  port: 70000\n", Map.of()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("'server.port'")
                .hasMessageContaining("'70000'")
                .hasMessageContaining("an integer from 0 to 65535")
                .hasMessageContaining("KEEL_SERVER_PORT");
    }

    @Test
    void invalidEnvironmentValue_namesKeyValueAndAllowed() {
        assertThatThrownBy(() -> KeelConfig.load(Map.of("KEEL_SERVER_PORT", "eighty")))
                .hasMessageContaining("'server.port'")
                .hasMessageContaining("'eighty'")
                .hasMessageContaining("an integer from 0 to 65535");
    }

    @Test
    void invalidDurationSizeBooleanAndChoice_areEachNamed() {
        assertThatThrownBy(() -> KeelConfig.parse("server:\n  shutdown-grace: soon\n", Map.of()))
                .hasMessageContaining("'server.shutdown-grace'").hasMessageContaining("'soon'").hasMessageContaining("a duration");
        assertThatThrownBy(() -> KeelConfig.parse("artifacts:\n  max-model-size: huge\n", Map.of()))
                .hasMessageContaining("'artifacts.max-model-size'").hasMessageContaining("'huge'").hasMessageContaining("a size");
        assertThatThrownBy(() -> KeelConfig.parse("logging:\n  requests: maybe\n", Map.of()))
                .hasMessageContaining("'logging.requests'").hasMessageContaining("'maybe'").hasMessageContaining("true or false");
        assertThatThrownBy(() -> KeelConfig.parse("logging:\n  format: xml\n", Map.of()))
                .hasMessageContaining("'logging.format'").hasMessageContaining("'xml'").hasMessageContaining("one of plain, json");
        assertThatThrownBy(() -> KeelConfig.parse("store:\n  url: jdbc:mysql://db/keel\n", Map.of()))
                .hasMessageContaining("'store.url'").hasMessageContaining("jdbc:mysql://db/keel")
                .hasMessageContaining("jdbc:sqlite: or jdbc:postgresql:");
    }

    @Test
    void unknownKeyInSection_isRejectedWithTheKnownKeys() {
        assertThatThrownBy(() -> KeelConfig.parse("server:\n  prot: 9090\n", Map.of()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("'server.prot'")
                .hasMessageContaining("port");
    }

    @Test
    void unknownTopLevelKey_isRejected() {
        assertThatThrownBy(() -> KeelConfig.parse("sever:\n  port: 9090\n", Map.of()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("'sever'");
    }

    @Test
    void sectionGivenAsScalar_isRejected() {
        assertThatThrownBy(() -> KeelConfig.parse("server: 9090\n", Map.of()))
                .hasMessageContaining("'server'").hasMessageContaining("a section");
    }

    @Test
    void invalidYaml_isRejected() {
        assertThatThrownBy(() -> KeelConfig.parse("server: [\n", Map.of()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void storeToString_hidesThePassword() {
        KeelConfig config = KeelConfig.parse("store:\n  password: hunter2-secret\n", Map.of());

        assertThat(config.store().password()).isEqualTo("hunter2-secret");
        assertThat(config.store().toString()).doesNotContain("hunter2-secret");
    }

    @Test
    void encryption_offByDefault() {
        assertThat(KeelConfig.load(Map.of()).security().encryption().active()).isEmpty();
        assertThat(KeelConfig.load(Map.of()).security().encryption().ids()).isEmpty();
    }

    @Test
    void encryption_keysFromFileAndEnvironment_hexOrBase64_neverPrinted() throws Exception {
        String hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        Path file = Files.writeString(directory.resolve("k1.key"), hex + "\n");
        String base64 = java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hex.replace('0', '1')));

        KeelConfig config = KeelConfig.parse("security:\n  encryption:\n    active: k2\n    keys:\n      - id: k1\n        file: " + file
                + "\n      - id: k2\n        env: KEK_TWO\n", Map.of("KEK_TWO", base64));

        assertThat(config.security().encryption().ids()).containsExactlyInAnyOrder("k1", "k2");
        assertThat(config.security().encryption().active()).contains("k2");
        assertThat(config.security().toString()).contains("k1").doesNotContain(hex).doesNotContain(base64);
    }

    @Test
    void encryption_activeFromTheEnvironment_switchesTheKeyNewObjectsUse() throws Exception {
        Path one = Files.writeString(directory.resolve("k1.key"), "11".repeat(32));
        Path two = Files.writeString(directory.resolve("k2.key"), "22".repeat(32));
        String yaml = "security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, file: " + one + "}\n      - {id: k2, file: " + two + "}\n";

        assertThat(KeelConfig.parse(yaml, Map.of("KEEL_SECURITY_ENCRYPTION_ACTIVE", "k2")).security().encryption().active()).contains("k2");
    }

    @Test
    void encryption_invalidSettings_areRefusedNamingTheKeyAndNeverTheMaterial() throws Exception {
        Path shortKey = Files.writeString(directory.resolve("short.key"), "ab".repeat(16));
        Path good = Files.writeString(directory.resolve("good.key"), "cd".repeat(32));
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, file: " + shortKey + "}\n",
                Map.of())).isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("security.encryption.keys[0].file").hasMessageContaining("holds 16 bytes of key; exactly 32")
                .hasMessageNotContaining("abab");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, env: NOPE}\n", Map.of()))
                .hasMessageContaining("'security.encryption.keys[0].env' names the environment variable NOPE, which is not set");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1}\n", Map.of()))
                .hasMessageContaining("exactly one of 'security.encryption.keys[0].file'").hasMessageContaining("neither is set");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    keys:\n      - {id: k1, file: " + good + "}\n", Map.of()))
                .hasMessageContaining("'security.encryption.active' is ''").hasMessageContaining("one of [k1]");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k9\n    keys:\n      - {id: k1, file: " + good + "}\n",
                Map.of())).hasMessageContaining("'security.encryption.active' is 'k9'").hasMessageContaining("[k1]");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n", Map.of()))
                .hasMessageContaining("'security.encryption.active' is 'k1'").hasMessageContaining("no key is configured");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, file: " + good
                + "}\n      - {id: k1, file: " + good + "}\n", Map.of())).hasMessageContaining("'security.encryption.keys[1].id' is 'k1'");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, file: " + good
                + ", path: x}\n", Map.of())).hasMessageContaining("unknown configuration key 'security.encryption.keys[0].path'");
        assertThatThrownBy(() -> KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, file: "
                + directory.resolve("missing.key") + "}\n", Map.of())).hasMessageContaining("cannot read key file")
                .hasMessageContaining("security.encryption.keys[0].file");
    }

    @Test
    void parse_nulCharacterInAPath_isRefusedNamingTheKeyNotInvalidPathException() {
        // found by KeelConfigFuzzTest: Path.of threw InvalidPathException for a NUL in data-dir
        for (String yaml : new String[] {"data-dir: \"keel\\0data\"\n", "artifacts:\n  dir: \"a\\0b\"\n",
                "security:\n  audit-key-file: \"k\\0\"\n"}) {
            assertThatThrownBy(() -> KeelConfig.parse(yaml, Map.of()))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                        assertThat(e.getMessage()).contains("must be a file system path").contains("\\0");
                    });
        }
    }

    @Test
    void parse_sizeOrDurationPastALong_isRefusedNamingTheKeyNotNumberFormatException() {
        // found by KeelConfigFuzzTest: Long.parseLong threw NumberFormatException for a size of 120 digits
        for (String yaml : new String[] {"server:\n  max-request-size: 99999999999999999999mb\n", "artifacts:\n  max-model-size: 9007199254740993gb\n",
                "server:\n  shutdown-grace: 99999999999999999999s\n", "security:\n  token-cache-ttl: 999999999999999999d\n"}) {
            assertThatThrownBy(() -> KeelConfig.parse(yaml, Map.of()))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                        assertThat(e.getMessage()).containsAnyOf("must be a size", "must be a duration");
                    });
        }
    }
}
