package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.TestingDatasetRepository;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ColumnType;
import dev.keel.spi.data.DatasetProfile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keel datasets as scoring input: versions resolved through the pipelines, snapshot Parquet streamed from a given row. */
class DatasetScoringInputsTest {
    @TempDir
    Path directory;

    private final TestingDatasetRepository datasets = new TestingDatasetRepository();
    private SnapshotStore snapshots;
    private ScoringInputs inputs;

    @BeforeEach
    void wire() {
        snapshots = new SnapshotStore(directory.resolve("data"));
        PipelineService pipelines = new PipelineService(new TestingPipelineRepository(), new TestingRunRepository(), datasets, snapshots,
                List.of(), new EnvironmentSecrets(Map.of(), directory), directory, Clock.systemUTC(), duration -> { });
        inputs = ScoringInputs.datasets(pipelines);
    }

    private void publish(int version, int rows) throws Exception {
        publish(version, rows, 122_880);
    }

    private void publish(int version, int rows, int rowGroupSize) throws Exception {
        Path staged = snapshots.newStaging("v" + version).resolve("out.parquet");
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            statement.execute("COPY (SELECT i::BIGINT AS id, (i * 0.5)::DOUBLE AS f1, i % 2 = 0 AS even, 'n' || i AS name FROM range(" + rows
                    + ") t(i)) TO '" + staged + "' (FORMAT parquet, ROW_GROUP_SIZE " + rowGroupSize + ")");
        }
        SnapshotStore.Published published = snapshots.publish(staged);
        datasets.insert(new DatasetVersion("applicants", version, published.sha256(), published.location(), rows, published.bytes(),
                new DatasetProfile(rows, List.of()), "intake", 1, "run-" + version, Map.of(), Instant.EPOCH, "default"));
    }

    @Test
    void latest_resolvesToTheNewestVersion_andRowsStreamFromTheGivenRow() throws Exception {
        publish(1, 5);
        publish(2, 3000);

        assertThat(inputs.pin(new ScoringJobSpec.DatasetInput("applicants", 0), "default").datasetVersion()).isEqualTo(2);
        assertThat(inputs.pin(new ScoringJobSpec.DatasetInput("applicants", 1), "default").datasetVersion()).isEqualTo(1);
        ScoringInput input = open(inputs, 2);
        assertThat(input.columns()).extracting(ScoringInput.Column::type)
                .containsExactly(ColumnType.INTEGER, ColumnType.DOUBLE, ColumnType.BOOLEAN, ColumnType.STRING);
        try (ScoringInput.Cursor cursor = input.rows(2500)) {
            List<Object[]> first = cursor.next(400);
            List<Object[]> rest = cursor.next(400);
            assertThat(first).hasSize(400);
            assertThat(first.getFirst()).containsExactly(2500L, 1250.0, true, "n2500");
            assertThat(rest).hasSize(100);
            assertThat(rest.getLast()[0]).isEqualTo(2999L);
            assertThat(cursor.next(400)).isEmpty();
        }
    }

    @Test
    void manyRowGroups_streamInFileOrderFromAnyRow() throws Exception {
        publish(1, 200_000, 2_048);

        long expected = 12_345;
        try (ScoringInput.Cursor cursor = open(inputs, 1).rows(expected)) {
            for (List<Object[]> chunk = cursor.next(7_000); !chunk.isEmpty(); chunk = cursor.next(7_000)) {
                for (Object[] row : chunk) {
                    assertThat(row[0]).isEqualTo(expected++);
                }
            }
        }
        assertThat(expected).isEqualTo(200_000);
    }

    @Test
    void missingVersion_isNotFound() throws Exception {
        publish(1, 5);

        assertThatThrownBy(() -> inputs.pin(new ScoringJobSpec.DatasetInput("applicants", 4), "default"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("dataset 'applicants' has no version 4");
    }

    private static ScoringInput open(ScoringInputs inputs, int version) {
        return inputs.open(new ScoringJobSpec.DatasetInput("applicants", 0), new ScoringInputs.Pin(version, ""), "default", ScoringInputs.Selection.ALL);
    }
}
