package dev.keel.core.serving;

import dev.keel.spi.event.EventSink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.Database;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.store.Migrator;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Endpoints, failure records and shadow comparisons round-trip through the store, on SQLite and on PostgreSQL. */
class EndpointStoreTest {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String SCHEMA = "keel_serving_store_test";

    @TempDir
    static Path directory;

    static Stream<String> stores() {
        return Stream.of("sqlite", "postgres");
    }

    private static Database open(String store) throws SQLException {
        if (store.equals("sqlite")) {
            return Database.open("jdbc:sqlite:" + directory.resolve("keel-" + System.nanoTime() + ".db"), "", "", 4);
        }
        try (var connection = DriverManager.getConnection(POSTGRES, "postgres", ""); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            statement.execute("CREATE SCHEMA " + SCHEMA);
        }
        return Database.open(POSTGRES + "?currentSchema=" + SCHEMA, "postgres", "", 4);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void endpointsAndRecords_roundTrip(String store) throws Exception {
        try (Database database = open(store)) {
            new Migrator(database).migrate();
            Clock clock = Clock.systemUTC();
            ProjectService projects = new ProjectService(database, clock);
            projects.ensureDefault();
            new ModelRegistry(database, new LocalArtifactStore(directory.resolve("artifacts")), new ModelRuntimes(List.of()), projects, clock,
                    EventSink.discarding())
                    .createModel("default", "credit", "", PromotionGate.open(), "tester");
            EndpointRepository repository = new EndpointRepository(database);
            EndpointConfig config = new EndpointConfig("credit-risk", "credit", "champion",
                    Optional.of(new EndpointConfig.Canary(EndpointConfig.Target.version(3), 10)), Optional.of(EndpointConfig.Target.alias("challenger")),
                    new EndpointConfig.Batching(true, 16, 2), 8, 32, 500,
                    EndpointConfig.Fallback.parse("default-response", Map.of("probabilities", List.of(0.5, 0.5))));
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Endpoint endpoint = new Endpoint(config, "default", now, "tester", now);

            repository.insert(endpoint);
            Endpoint read = repository.find("credit-risk").orElseThrow();
            Endpoint changed = new Endpoint(EndpointConfig.of("credit-risk", "credit", "challenger"), "default", now, "tester", now.plusSeconds(1));
            repository.update(changed);

            assertThat(read).isEqualTo(endpoint);
            assertThat(repository.list()).containsExactly(changed);
            assertThat(repository.delete("credit-risk")).isTrue();
            assertThat(repository.find("credit-risk")).isEmpty();

            try (ServingRecords records = new ServingRecords(database, 100)) {
                FailureRecord failure = new FailureRecord("f1", "credit-risk", "credit", 2, "r1", FailureKind.TIMEOUT, "too slow",
                        FallbackMode.PREVIOUS_VERSION, now);
                ShadowComparison comparison = new ShadowComparison("s1", "credit-risk", "credit", "r1", 1, 2, "{\"p\":[0.1]}",
                        Optional.of("{\"p\":[0.2]}"), Optional.empty(), now);
                records.failure(failure);
                records.comparison(comparison);
                records.flush();

                assertThat(records.failures("credit-risk", 10)).containsExactly(failure);
                assertThat(records.comparisons("credit-risk", 10)).containsExactly(comparison);
            }
        }
    }
}
