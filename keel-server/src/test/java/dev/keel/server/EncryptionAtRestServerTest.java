package dev.keel.server;

import static dev.keel.core.testing.TestingBytes.key;
import static dev.keel.core.testing.TestingBytes.random;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.Role;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.spi.ArtifactRef;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server configured with two keys, the newer active: new artifacts use it, and the rewrap route moves the older ones to it. */
class EncryptionAtRestServerTest {
    @TempDir
    Path keys;

    @Test
    void rewrapRoute_movesFilesOfTheOldKeyToTheActiveOne_andIsForGlobalAdminsOnly() throws Exception {
        byte[] k1 = key(1);
        Path k1File = Files.writeString(keys.resolve("k1.key"), HexFormat.of().formatHex(k1) + "\n");
        Path k2File = Files.writeString(keys.resolve("k2.key"), HexFormat.of().formatHex(key(2)));
        String config = """
                security:
                  encryption:
                    active: k2
                    keys:
                      - {id: k1, file: '%s'}
                      - {id: k2, file: '%s'}
                """.formatted(k1File, k2File);
        try (TestingServer server = TestingServer.start(StoreKind.SQLITE, config)) {
            LocalArtifactStore artifacts = server.keel().artifacts();
            byte[] fresh = random(3 * Envelope.SEGMENT_SIZE + 1, 3);
            ArtifactRef current = artifacts.put(new ByteArrayInputStream(fresh));
            assertThat(Envelope.keyId(Path.of(artifacts.locate(current.sha256()).orElseThrow()))).contains("k2");
            Path directory = server.keel().config().artifacts().directory();
            byte[] old = random(1000, 4);
            ArtifactRef underK1 = new LocalArtifactStore(directory, new Envelope(EncryptionKeys.of(Map.of("k1", k1), "k1")))
                    .put(new ByteArrayInputStream(old));
            Path oldFile = Path.of(artifacts.locate(underK1.sha256()).orElseThrow());
            assertThat(Envelope.keyId(oldFile)).contains("k1");

            TestingServer.Response refused = server.postJson("/v1/admin/rewrap", server.token("project-admin",
                    Map.of("default", Role.ADMIN)), "{}");
            TestingServer.Response answer = server.postJson("/v1/admin/rewrap", server.adminToken(), "{}");

            assertThat(refused.status()).isEqualTo(403);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonNode body = answer.json();
            assertThat(body.path("activeKey").asText()).isEqualTo("k2");
            assertThat(body.path("artifacts").path("rewrapped").asInt()).isEqualTo(1);
            assertThat(body.path("artifacts").path("current").asInt()).isEqualTo(1);
            assertThat(body.path("artifacts").path("failed").asInt()).isZero();
            assertThat(body.path("snapshots").path("rewrapped").asInt()).isZero();
            assertThat(body.path("alertChannels").isObject()).isTrue();
            assertThat(body.path("total").path("rewrapped").asInt()).isEqualTo(1);
            assertThat(Envelope.keyId(oldFile)).contains("k2");
            assertThat(artifacts.read(underK1.sha256())).hasValueSatisfying(read -> assertThat(read).isEqualTo(old));
            assertThat(artifacts.read(current.sha256())).hasValueSatisfying(read -> assertThat(read).isEqualTo(fresh));
        }
    }

}
