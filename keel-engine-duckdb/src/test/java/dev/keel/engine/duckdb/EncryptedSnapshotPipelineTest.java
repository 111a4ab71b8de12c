package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.DataCollection;
import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelinesConfig;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.Trigger;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.Envelope;
import dev.keel.core.store.Database;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.spi.data.DataEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo pipeline with snapshots encrypted at rest: DuckDB reads them through a decrypted copy, across a key rotation. */
class EncryptedSnapshotPipelineTest {
    private static final byte[] K1 = "k1-0123456789abcdef0123456789abc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] K2 = "k2-0123456789abcdef0123456789abc".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path directory;

    @Test
    void pipelineRun_publishesAnEncryptedSnapshot_thatDuckDbReads_acrossARotation() throws Exception {
        Path base = Files.createDirectories(directory.resolve("repo"));
        Files.createDirectories(base.resolve("examples/credit-g"));
        Files.copy(Path.of("..", "examples", "credit-g", "credit-g.csv"), base.resolve("examples/credit-g/credit-g.csv"));
        PipelinesConfig settings = new PipelinesConfig(false, ZoneOffset.UTC, base, directory.resolve("datasets"));
        List<DataEngine> engines = ServiceLoader.load(DataEngine.class).stream().map(ServiceLoader.Provider::get).toList();
        EnvironmentSecrets secrets = new EnvironmentSecrets(Map.of(), base);
        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put("k1", K1);
        both.put("k2", K2);
        try (TestDatabases.TestStore store = TestDatabases.create(StoreKind.SQLITE, directory); Database database = store.openMigrated()) {
            Path stored;
            try (DataCollection data = DataCollection.open(settings, database, engines, secrets, envelope("k1", Map.of("k1", K1)),
                    Clock.systemUTC())) {
                data.service().register(Files.readString(Path.of("..", "examples", "pipelines", "credit-g.yaml")));
                assertThat(data.service().run("credit-g", Trigger.API).status()).isEqualTo(RunStatus.SUCCEEDED);
                DatasetVersion version = data.service().dataset("credit-g-features", 1);
                stored = settings.datasetsDirectory().resolve(version.location());

                assertThat(Envelope.keyId(stored)).contains("k1");
                byte[] onDisk = Files.readAllBytes(stored);
                assertThat(Arrays.copyOfRange(onDisk, 0, 4)).isNotEqualTo("PAR1".getBytes(StandardCharsets.US_ASCII));
                assertThat(Arrays.copyOfRange(onDisk, onDisk.length - 4, onDisk.length)).isNotEqualTo("PAR1".getBytes(StandardCharsets.US_ASCII));
                assertThat(data.service().read("credit-g-features", 1, List.of(), 5).rows()).hasSize(5);
                assertThat(count(data, version.rows())).isEqualTo(1000);
                assertThat(readsLeft(settings)).as("decrypted copies are deleted after use").isEmpty();
            }
            try (DataCollection rotated = DataCollection.open(settings, database, engines, secrets, envelope("k2", both), Clock.systemUTC())) {
                assertThat(rotated.service().rewrapSnapshots().rewrapped()).isEqualTo(1);
            }
            try (DataCollection k2Only = DataCollection.open(settings, database, engines, secrets, envelope("k2", Map.of("k2", K2)),
                    Clock.systemUTC())) {
                assertThat(Envelope.keyId(stored)).contains("k2");
                assertThat(count(k2Only, 1000)).isEqualTo(1000);

                byte[] onDisk = Files.readAllBytes(stored);
                onDisk[onDisk.length / 2] ^= 0x01;
                Files.write(stored, onDisk);
                assertThatThrownBy(() -> k2Only.service().read("credit-g-features", 1, List.of(), 5)).isInstanceOf(KeelException.class)
                        .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE))
                        .hasMessageContaining("fails its authentication tag");
                assertThat(readsLeft(settings)).isEmpty();
            }
        }
    }

    /** Counts the rows of version 1 with DuckDB's own read_parquet over the opened snapshot's path. */
    private static long count(DataCollection data, long expected) throws Exception {
        try (var snapshot = data.openSnapshot("credit-g-features", 1); Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM read_parquet('" + snapshot.path() + "')")) {
            assertThat(snapshot.decrypted()).isTrue();
            result.next();
            assertThat(result.getLong(1)).isEqualTo(expected);
            return result.getLong(1);
        }
    }

    private static List<Path> readsLeft(PipelinesConfig settings) throws Exception {
        Path reads = settings.datasetsDirectory().resolve("staging").resolve(".reads");
        if (!Files.exists(reads)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(reads)) {
            return files.toList();
        }
    }

    private static Envelope envelope(String active, Map<String, byte[]> keys) {
        return new Envelope(EncryptionKeys.of(keys, active));
    }
}
