package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Expectation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/** The JDBC repositories on a real SQLite file and the real PostgreSQL, after migration V20. */
class JdbcRepositoriesTest {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00.123Z");

    @TempDir
    static Path directory;

    static Stream<Arguments> databases() throws Exception {
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + directory.resolve("keel-" + UUID.randomUUID() + ".db"));
        String schema = "keel_data_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
        postgres.setUser("postgres");
        try (Connection connection = postgres.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        postgres.setCurrentSchema(schema);
        return Stream.of(Arguments.of("sqlite", migrate(sqlite)), Arguments.of("postgresql", migrate(postgres)));
    }

    private static DataSource migrate(DataSource dataSource) throws SQLException, IOException {
        String sql;
        try (InputStream in = JdbcRepositoriesTest.class.getResourceAsStream("/db/migration/V20__pipelines.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String command : sql.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!command.isBlank()) {
                    statement.execute(command);
                }
            }
        }
        return dataSource;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void pipelines_storeVersionsAndListTheLatest(String name, DataSource dataSource) {
        JdbcPipelineRepository pipelines = new JdbcPipelineRepository(dataSource);
        pipelines.insert(new PipelineVersion("a", 1, "pipeline: a", "1".repeat(64), T0));
        pipelines.insert(new PipelineVersion("a", 2, "pipeline: a # v2", "2".repeat(64), T0.plusSeconds(1)));
        pipelines.insert(new PipelineVersion("b", 1, "pipeline: b", "3".repeat(64), T0));

        assertThat(pipelines.latest("a").orElseThrow().version()).isEqualTo(2);
        assertThat(pipelines.find("a", 1).orElseThrow()).isEqualTo(new PipelineVersion("a", 1, "pipeline: a", "1".repeat(64), T0));
        assertThat(pipelines.listLatest()).extracting(PipelineVersion::pipeline, PipelineVersion::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 2), org.assertj.core.groups.Tuple.tuple("b", 1));
        assertThatThrownBy(() -> pipelines.insert(new PipelineVersion("a", 2, "x", "4".repeat(64), T0)))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void runs_roundTripWithStagesAndExpectations(String name, DataSource dataSource) {
        JdbcRunRepository runs = new JdbcRunRepository(dataSource);
        PipelineRun started = PipelineRun.started("run-1", new PipelineVersion("a", 3, "x", "1".repeat(64), T0), Trigger.SCHEDULE, T0);
        runs.insert(started);
        PipelineRun finished = started.withAttempts(2).finish(RunStatus.SUCCEEDED, T0.plusSeconds(5),
                new RowAccounting(10, 7, 1, 2, 0),
                List.of(new EngineResult.StageResult("raw", EngineResult.StageKind.SOURCE, "csv", 10, 9, 1, 0, 12, "f".repeat(64))),
                List.of(new EngineResult.ExpectationResult("age", "raw", Expectation.Action.QUARANTINE, 1, "values outside")),
                List.of("out@1"), Optional.empty());
        runs.update(finished);
        runs.insert(PipelineRun.started("run-2", new PipelineVersion("a", 3, "x", "1".repeat(64), T0), Trigger.API,
                T0.plusSeconds(60)));

        assertThat(runs.find("run-1")).contains(finished);
        assertThat(runs.history("a", 10)).extracting(PipelineRun::id).containsExactly("run-2", "run-1");
        assertThat(runs.withStatus(RunStatus.RUNNING)).extracting(PipelineRun::id).containsExactly("run-2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void datasets_roundTripProfilesAndFindFilesByHash(String name, DataSource dataSource) {
        JdbcDatasetRepository datasets = new JdbcDatasetRepository(dataSource);
        DatasetProfile profile = new DatasetProfile(3, List.of(new DatasetProfile.ColumnProfile("age", "integer", 2, 1, 2,
                Optional.of("19"), Optional.of("75"), Optional.of(47.0), List.of(19.5, 20.0, 30.0, 47.0, 60.0, 70.0, 74.5),
                List.of(new DatasetProfile.Bin(19, 75, 2)), List.of(new DatasetProfile.ValueCount("19", 1)))));
        DatasetVersion first = new DatasetVersion("people", 1, "a".repeat(64), "snapshots/aa/x.parquet", 3, 100, profile, "p", 1, "run-1",
                Map.of("raw", "b".repeat(64)), T0);
        datasets.insert(first);
        datasets.insert(new DatasetVersion("people", 2, "c".repeat(64), "snapshots/cc/y.parquet", 3, 100, profile, "p", 2, "run-2",
                Map.of(), T0));

        assertThat(datasets.find("people", 1)).contains(first);
        assertThat(datasets.latest("people").orElseThrow().version()).isEqualTo(2);
        assertThat(datasets.versions("people")).extracting(DatasetVersion::version).containsExactly(1, 2);
        assertThat(datasets.listLatest()).extracting(DatasetVersion::reference).containsExactly("people@2");
        assertThat(datasets.referencesFile("a".repeat(64))).isTrue();
        assertThat(datasets.referencesFile("d".repeat(64))).isFalse();
    }
}
