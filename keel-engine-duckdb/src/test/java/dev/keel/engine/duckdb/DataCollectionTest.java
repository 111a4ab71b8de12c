package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.data.DataCollection;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.PipelinesConfig;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.Trigger;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Data collection as the server wires it: metadata in SQLite or PostgreSQL, the engine found by ServiceLoader. */
@OnEachStore
class DataCollectionTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    @Test
    void open_runsTheDemoPipelineAndKeepsItsHistoryAcrossRestarts() throws Exception {
        Path base = Files.createDirectories(directory.resolve("repo"));
        Files.createDirectories(base.resolve("examples/credit-g"));
        Files.copy(Path.of("..", "examples", "credit-g", "credit-g.csv"), base.resolve("examples/credit-g/credit-g.csv"));
        PipelinesConfig settings = new PipelinesConfig(true, ZoneOffset.UTC, base, directory.resolve("datasets"));
        List<dev.keel.spi.data.DataEngine> engines = ServiceLoader.load(dev.keel.spi.data.DataEngine.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertThat(engines).extracting(dev.keel.spi.data.DataEngine::name).containsExactly("duckdb");
        try (TestDatabases.TestStore store = TestDatabases.create(kind, directory); Database database = store.openMigrated()) {
            String runId;
            try (DataCollection data = DataCollection.open(settings, database, engines, new EnvironmentSecrets(Map.of(), base),
                    Clock.systemUTC())) {
                assertThat(data.scheduler().running()).isTrue();
                data.service().register(Files.readString(Path.of("..", "examples", "pipelines", "credit-g.yaml")));
                PipelineRun run = data.service().run("credit-g", Trigger.API);
                assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
                runId = run.id();
                // The schedule is "0 2 * * *": the scheduler knows the next firing.
                assertThat(data.scheduler().nextFireTimes()).containsKey("credit-g");
            }
            try (DataCollection reopened = DataCollection.open(settings, database, engines, new EnvironmentSecrets(Map.of(), base),
                    Clock.systemUTC())) {
                assertThat(reopened.service().runById(runId).accounting().rowsOut()).isEqualTo(1000);
                assertThat(reopened.service().datasets()).extracting(version -> version.reference()).containsExactly("credit-g-features@1");
                try (var snapshot = reopened.openSnapshot("credit-g-features", 1)) {
                    assertThat(snapshot.path()).exists();
                }
            }
        }
    }
}
