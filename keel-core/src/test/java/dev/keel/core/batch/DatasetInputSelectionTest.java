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
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataset inputs of the standard inputs: the project check, counts, watermark ranges compared in the column's type, the highest
 * value as canonical text, and the rows a version holds that an earlier one does not, in file row order.
 */
class DatasetInputSelectionTest {
    private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

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

    /** Publishes version {@code version} of {@code dataset} in {@code project} holding the rows of a DuckDB SELECT. */
    private Path publish(String dataset, int version, String project, String select) throws Exception {
        Path staged = snapshots.newStaging(dataset + version).resolve("out.parquet");
        long rows;
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            statement.execute("COPY (" + select + ") TO '" + staged + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)");
            try (ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM read_parquet('" + staged + "')")) {
                count.next();
                rows = count.getLong(1);
            }
        }
        SnapshotStore.Published published = snapshots.publish(staged);
        datasets.insert(new DatasetVersion(dataset, version, published.sha256(), published.location(), rows, published.bytes(),
                new dev.keel.spi.data.DatasetProfile(rows, List.of()), "intake", 1, "run-" + version, Map.of(), Instant.EPOCH, project));
        return snapshots.open(published.location(), published.sha256()).path();
    }

    /** Rows i in [0, n): id, ts = BASE + i × 500 ms, amount = i × 0.25 (DECIMAL), code = 'c' + i zero-padded, day = 2024-01-01 + i days. */
    private static String typed(int n) {
        return "SELECT i::BIGINT AS id, TIMESTAMP '2024-01-01 00:00:00' + to_milliseconds(i * 500) AS ts, (i * 0.25)::DECIMAL(12, 2) AS amount,"
                + " 'c' || lpad(i::VARCHAR, 6, '0') AS code, DATE '2024-01-01' + i::INTEGER AS day, i * 1.5 AS f1 FROM range(" + n + ") t(i)";
    }

    private static ScoringJobSpec.DatasetInput applicants() {
        return new ScoringJobSpec.DatasetInput("applicants", 0);
    }

    private static ScoringInputs.Selection range(String column, String above, String upTo) {
        return new ScoringInputs.Selection(Optional.of(new ScoringInputs.Watermark(column, Optional.ofNullable(above), upTo)), 0);
    }

    private static List<Object[]> all(ScoringInput input, long from) {
        List<Object[]> rows = new ArrayList<>();
        try (ScoringInput.Cursor cursor = input.rows(from)) {
            for (List<Object[]> chunk = cursor.next(333); !chunk.isEmpty(); chunk = cursor.next(333)) {
                rows.addAll(chunk);
            }
        }
        return rows;
    }

    private static List<Long> ids(List<Object[]> rows) {
        return rows.stream().map(row -> (Long) row[0]).toList();
    }

    @Test
    void aDatasetOfAnotherProject_isForbidden_andAnUnknownOne_isNotFound() throws Exception {
        publish("applicants", 1, "risk", typed(10));
        ScoringInputs.Pin pin = new ScoringInputs.Pin(1, "");

        assertThatThrownBy(() -> inputs.pin(applicants(), "marketing"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("dataset 'applicants' belongs to project 'risk'").hasMessageContaining("'marketing'");
        assertThatThrownBy(() -> inputs.open(applicants(), pin, "marketing", ScoringInputs.Selection.ALL))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> inputs.highest(applicants(), pin, "marketing", "id"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> inputs.pin(new ScoringJobSpec.DatasetInput("nobody", 0), "risk"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("dataset 'nobody' does not exist");
        assertThat(inputs.pin(applicants(), "risk").datasetVersion()).isEqualTo(1);
    }

    @Test
    void count_isTheVersionsRowCount_orTheSelectedRows() throws Exception {
        publish("applicants", 1, "default", typed(3_000));

        ScoringInputs.Pin pin = new ScoringInputs.Pin(1, "");
        assertThat(inputs.open(applicants(), pin, "default", ScoringInputs.Selection.ALL).count()).hasValue(3_000);
        assertThat(inputs.open(applicants(), pin, "default", range("id", "99", "199")).count()).hasValue(100);
    }

    @Test
    void highest_isCanonicalTextInEachColumnsType() throws Exception {
        int n = 1_001;
        publish("applicants", 1, "default", typed(n));
        ScoringInputs.Pin pin = new ScoringInputs.Pin(1, "");

        assertThat(inputs.highest(applicants(), pin, "default", "id")).hasValue(Long.toString(n - 1));
        assertThat(inputs.highest(applicants(), pin, "default", "ts")).hasValue(BASE.plusMillis((n - 1) * 500L).toString());
        assertThat(inputs.highest(applicants(), pin, "default", "amount")).hasValue(new BigDecimal(n - 1).multiply(new BigDecimal("0.25"))
                .setScale(2).toPlainString());
        assertThat(inputs.highest(applicants(), pin, "default", "code")).hasValue(String.format("c%06d", n - 1));
        assertThat(inputs.highest(applicants(), pin, "default", "day")).hasValue(LocalDate.of(2024, 1, 1).plusDays(n - 1).toString());
        assertThat(inputs.highest(applicants(), pin, "default", "f1")).hasValue(Double.toString((n - 1) * 1.5));
        assertThatThrownBy(() -> inputs.highest(applicants(), pin, "default", "missing"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("watermark column 'missing'");
    }

    @Test
    void highest_ofAColumnWithOnlyNulls_isEmpty() throws Exception {
        publish("applicants", 1, "default", "SELECT i::BIGINT AS id, NULL::TIMESTAMP AS ts FROM range(5) t(i)");

        assertThat(inputs.highest(applicants(), new ScoringInputs.Pin(1, ""), "default", "ts")).isEmpty();
    }

    @Test
    void watermarkBounds_compareAsTimeStampsAndNumbers_notAsText() throws Exception {
        publish("applicants", 1, "default", typed(100));
        ScoringInputs.Pin pin = new ScoringInputs.Pin(1, "");

        // As text "…00:05.500Z" sorts before "…00:05Z"; as time stamps it is half a second later.
        String above = BASE.plusSeconds(5).toString();
        String upTo = BASE.plusSeconds(10).toString();
        assertThat(ids(all(inputs.open(applicants(), pin, "default", range("ts", above, upTo)), 0))).containsExactlyElementsOf(
                LongStream.rangeClosed(11, 20).boxed().toList());
        // As text "100" sorts before "9.5".
        assertThat(ids(all(inputs.open(applicants(), pin, "default", range("amount", "9.5", "100")), 0))).containsExactlyElementsOf(
                LongStream.rangeClosed(39, 99).boxed().toList());
        assertThat(ids(all(inputs.open(applicants(), pin, "default", range("day", null, "2024-01-05")), 0))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(ids(all(inputs.open(applicants(), pin, "default", range("code", "c000097", "c999999")), 0))).containsExactly(98L, 99L);
    }

    @Test
    void aWatermarkRange_streamsInFileOrderFromAnyRowOfTheSelection() throws Exception {
        int n = 250_000;
        // File order differs from id order: ids are a permutation of 0..n-1.
        publish("applicants", 1, "default", "SELECT ((i * 7919) % " + n + ")::BIGINT AS id, i::BIGINT AS seq FROM range(" + n + ") t(i)");
        ScoringInput input = inputs.open(applicants(), new ScoringInputs.Pin(1, ""), "default", range("seq", "9999", "240000"));

        List<Long> expected = LongStream.rangeClosed(10_000, 240_000).map(i -> (i * 7919) % n).skip(12_345).boxed().toList();
        List<Long> read = new ArrayList<>();
        try (ScoringInput.Cursor cursor = input.rows(12_345)) {
            for (List<Object[]> chunk = cursor.next(10_000); !chunk.isEmpty(); chunk = cursor.next(10_000)) {
                chunk.forEach(row -> read.add((Long) row[0]));
            }
        }
        assertThat(read).hasSize(expected.size()).isEqualTo(expected);
        assertThat(input.count()).hasValue(230_001);
    }

    @Test
    void changedSince_readsNewAndChangedRows_nullSafe_inThePinnedVersionsFileOrder() throws Exception {
        int n = 210_000;
        // Version 1: ids 0..n-1 in id order; note is NULL for every fifth row.
        Path first = publish("applicants", 1, "default", "SELECT i::BIGINT AS id, i * 0.5 AS f1, CASE WHEN i % 5 = 0 THEN NULL ELSE 'n' || i END"
                + " AS note FROM range(" + n + ") t(i)");
        // Version 2, in another order: every 7th row changed, ids >= n - 100 removed, 500 new rows; NULL notes kept NULL.
        Path second = publish("applicants", 2, "default", "SELECT id, CASE WHEN id % 7 = 3 THEN f1 + 1 ELSE f1 END AS f1, note FROM (SELECT"
                + " i::BIGINT AS id, i * 0.5 AS f1, CASE WHEN i % 5 = 0 THEN NULL ELSE 'n' || i END AS note FROM range(" + (n + 500) + ") t(i)"
                + " WHERE i < " + (n - 100) + " OR i >= " + n + ") ORDER BY (id * 31) % 1009, id");

        List<List<Object>> expected = changedRows(second, first);
        assertThat(expected).hasSizeGreaterThan(30_000);
        ScoringInput input = inputs.open(applicants(), new ScoringInputs.Pin(2, ""), "default", new ScoringInputs.Selection(Optional.empty(), 1));
        List<List<Object>> read = all(input, 12_345).stream().map(Arrays::asList).toList();

        assertThat(read).hasSize(expected.size() - 12_345).isEqualTo(expected.subList(12_345, expected.size()));
        assertThat(input.count()).hasValue(expected.size());
        assertThat(all(input, 0).stream().map(Arrays::asList).toList()).isEqualTo(expected);
    }

    @Test
    void changedSinceThePinnedVersion_readsNothing() throws Exception {
        publish("applicants", 1, "default", typed(50));

        ScoringInput input = inputs.open(applicants(), new ScoringInputs.Pin(1, ""), "default", new ScoringInputs.Selection(Optional.empty(), 1));
        assertThat(all(input, 0)).isEmpty();
        assertThat(input.count()).hasValue(0);
    }

    @Test
    void changedSinceAVersionWithOtherColumns_readsEveryRow() throws Exception {
        publish("applicants", 1, "default", "SELECT i::BIGINT AS id FROM range(40) t(i)");
        publish("applicants", 2, "default", "SELECT i::BIGINT AS id, i * 2 AS f1 FROM range(40) t(i)");

        ScoringInput input = inputs.open(applicants(), new ScoringInputs.Pin(2, ""), "default", new ScoringInputs.Selection(Optional.empty(), 1));
        assertThat(ids(all(input, 0))).containsExactlyElementsOf(LongStream.range(0, 40).boxed().toList());
    }

    @Test
    void changedSinceAMissingVersion_isNotFound() throws Exception {
        publish("applicants", 1, "default", typed(5));

        assertThatThrownBy(() -> inputs.open(applicants(), new ScoringInputs.Pin(1, ""), "default", new ScoringInputs.Selection(Optional.empty(), 7)))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    /** The rows of {@code file} in file order that {@code earlier} does not hold, computed in Java from plain reads of both files. */
    private static List<List<Object>> changedRows(Path file, Path earlier) throws Exception {
        Set<List<Object>> old = new HashSet<>(read(earlier));
        return read(file).stream().filter(row -> !old.contains(row)).toList();
    }

    private static List<List<Object>> read(Path file) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT * EXCLUDE (file_row_number) FROM read_parquet('" + file
                     + "', file_row_number = true) ORDER BY file_row_number")) {
            int width = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= width; i++) {
                    row.add(result.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
