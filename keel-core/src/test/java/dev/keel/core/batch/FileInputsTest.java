package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.PipelinesConfig;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.TestingDatasetRepository;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ColumnType;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet and CSV files as scoring input: matched under the source roots, read file after file, fingerprinted, refused when hostile. */
class FileInputsTest {
    @TempDir
    Path directory;

    private Path sources;
    private Path keelData;
    private ScoringInputs inputs;

    @BeforeEach
    void wire() throws Exception {
        sources = Files.createDirectories(directory.resolve("sources"));
        keelData = Files.createDirectories(sources.resolve("keel-data"));
        PipelinesConfig settings = new PipelinesConfig(false, ZoneOffset.UTC, sources, keelData.resolve("datasets"), List.of(sources), Map.of(),
                false, false, List.of());
        SourceAccess access = SourceAccess.of(settings, "jdbc:sqlite:" + keelData.resolve("keel.db"), List.of(keelData));
        PipelineService pipelines = new PipelineService(new TestingPipelineRepository(), new TestingRunRepository(), new TestingDatasetRepository(),
                new SnapshotStore(keelData.resolve("datasets")), List.of(), new EnvironmentSecrets(Map.of(), sources), sources, Clock.systemUTC(),
                duration -> { });
        ScoringDestinations none = connection -> {
            throw KeelException.notFound("no connection '" + connection + "' is declared");
        };
        inputs = ScoringInputs.standard(pipelines, access, sources, none);
    }

    /** Writes a Parquet file of the rows of a DuckDB SELECT, in row groups of 2,048. */
    private static Path parquet(Path file, String select) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            statement.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)");
        }
        return file;
    }

    /** Applicants {@code from} to {@code to - 1}: id, f1 = id / 4, ts = 2024-01-01 + id × 500 ms. */
    private static String rows(long from, long to) {
        return "SELECT i::BIGINT AS id, i / 4.0 AS f1, TIMESTAMP '2024-01-01 00:00:00' + to_milliseconds(i * 500) AS ts FROM range(" + from + ", "
                + to + ") t(i)";
    }

    /** A CSV file with header {@code id,name,f1}: ids {@code from} to {@code to - 1}, name 'a' + id, f1 = id × 0.5. */
    private static Path csv(Path file, long from, long to) throws Exception {
        Files.createDirectories(file.getParent());
        try (BufferedWriter writer = Files.newBufferedWriter(file)) {
            writer.write("id,name,f1\n");
            for (long i = from; i < to; i++) {
                writer.write(i + ",a" + i + "," + (i * 0.5) + "\n");
            }
        }
        return file;
    }

    private static ScoringJobSpec.FileInput parquetFiles(String path) {
        return new ScoringJobSpec.FileInput(path, ScoringJobSpec.FileFormat.PARQUET);
    }

    private static ScoringJobSpec.FileInput csvFiles(String path) {
        return new ScoringJobSpec.FileInput(path, ScoringJobSpec.FileFormat.CSV);
    }

    private ScoringInput open(ScoringJobSpec.FileInput input, ScoringInputs.Selection selection) {
        return inputs.open(input, inputs.pin(input, "default"), "default", selection);
    }

    private static ScoringInputs.Selection range(String column, String above, String upTo) {
        return new ScoringInputs.Selection(Optional.of(new ScoringInputs.Watermark(column, Optional.ofNullable(above), upTo)), 0);
    }

    private static List<Long> ids(ScoringInput input, long from) {
        List<Long> ids = new ArrayList<>();
        try (ScoringInput.Cursor cursor = input.rows(from)) {
            for (List<Object[]> chunk = cursor.next(1_000); !chunk.isEmpty(); chunk = cursor.next(1_000)) {
                chunk.forEach(row -> ids.add((Long) row[0]));
            }
        }
        return ids;
    }

    private static void assertRefused(Runnable call, ErrorCode code, String... fragments) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            for (String fragment : fragments) {
                assertThat(e.getMessage()).contains(fragment);
            }
        });
    }

    @Test
    void aGlob_readsTheMatchedFilesSortedByPath_eachInFileRowOrder() throws Exception {
        parquet(sources.resolve("in/part-2.parquet"), "SELECT * FROM (" + rows(200, 230) + ") ORDER BY id DESC");
        parquet(sources.resolve("in/part-10.parquet"), rows(100, 110));
        parquet(sources.resolve("in/part-1.parquet"), rows(0, 5));
        Files.writeString(sources.resolve("in/notes.txt"), "not matched");

        ScoringInput input = open(parquetFiles("in/*.parquet"), ScoringInputs.Selection.ALL);

        List<Long> expected = new ArrayList<>(LongStream.range(0, 5).boxed().toList());
        expected.addAll(LongStream.range(100, 110).boxed().toList());
        expected.addAll(LongStream.range(200, 230).map(i -> 429 - i).boxed().toList());
        assertThat(ids(input, 0)).isEqualTo(expected);
        assertThat(ids(input, 7)).isEqualTo(expected.subList(7, expected.size()));
        assertThat(ids(input, 15)).isEqualTo(expected.subList(15, expected.size()));
        assertThat(ids(input, 45)).isEmpty();
        assertThat(input.count()).hasValue(45);
        assertThat(input.columns()).extracting(ScoringInput.Column::type).containsExactly(ColumnType.INTEGER, ColumnType.DOUBLE,
                ColumnType.TIMESTAMP);
    }

    @Test
    void parquetFiles_streamTwoHundredThousandRowsFromRow12345_equalToAPlainReadOfEachFile() throws Exception {
        Path a = parquet(sources.resolve("big/a.parquet"), "SELECT * FROM (" + rows(0, 90_000) + ") ORDER BY (id * 7919) % 90000");
        Path b = parquet(sources.resolve("big/b.parquet"), rows(90_000, 150_000));
        Path c = parquet(sources.resolve("big/c.parquet"), rows(150_000, 230_000));
        List<Object[]> expected = new ArrayList<>();
        for (Path file : List.of(a, b, c)) {
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("SELECT id, f1 FROM read_parquet('" + file + "', file_row_number = true) ORDER BY"
                         + " file_row_number")) {
                while (result.next()) {
                    expected.add(new Object[] {result.getLong(1), result.getDouble(2)});
                }
            }
        }
        assertThat(expected).hasSize(230_000);

        int row = 12_345;
        try (ScoringInput.Cursor cursor = open(parquetFiles("big/*.parquet"), ScoringInputs.Selection.ALL).rows(row)) {
            for (List<Object[]> chunk = cursor.next(10_000); !chunk.isEmpty(); chunk = cursor.next(10_000)) {
                for (Object[] read : chunk) {
                    assertThat(new Object[] {read[0], read[1]}).as("row %d", row).containsExactly(expected.get(row++));
                }
            }
        }
        assertThat(row).isEqualTo(230_000);
    }

    @Test
    void csvFiles_streamTwoHundredThousandRowsFromRow12345_inTheOrderTheyAreWritten() throws Exception {
        csv(sources.resolve("csv/2024-01.csv"), 0, 120_000);
        csv(sources.resolve("csv/2024-02.csv"), 120_000, 210_000);
        List<String> lines = new ArrayList<>();
        for (String name : List.of("2024-01.csv", "2024-02.csv")) {
            lines.addAll(Files.readAllLines(sources.resolve("csv").resolve(name)).subList(1, Files.readAllLines(sources.resolve("csv").resolve(name)).size()));
        }

        ScoringInput input = open(csvFiles("csv/*.csv"), ScoringInputs.Selection.ALL);
        assertThat(input.columns()).extracting(ScoringInput.Column::type).containsExactly(ColumnType.INTEGER, ColumnType.STRING, ColumnType.DOUBLE);
        assertThat(input.count()).hasValue(210_000);
        int row = 12_345;
        try (ScoringInput.Cursor cursor = input.rows(row)) {
            for (List<Object[]> chunk = cursor.next(10_000); !chunk.isEmpty(); chunk = cursor.next(10_000)) {
                for (Object[] read : chunk) {
                    String[] plain = lines.get(row++).split(",");
                    assertThat(read).containsExactly(Long.parseLong(plain[0]), plain[1], Double.parseDouble(plain[2]));
                }
            }
        }
        assertThat(row).isEqualTo(210_000);
    }

    @Test
    void aWatermarkRange_selectsAcrossFiles_andHighestIsCanonical() throws Exception {
        parquet(sources.resolve("in/a.parquet"), rows(0, 50));
        parquet(sources.resolve("in/b.parquet"), rows(50, 100));
        csv(sources.resolve("csv/a.csv"), 0, 50);
        csv(sources.resolve("csv/b.csv"), 50, 100);
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        ScoringJobSpec.FileInput files = parquetFiles("in/*.parquet");

        assertThat(inputs.highest(files, inputs.pin(files, "default"), "default", "ts")).hasValue(base.plusMillis(99 * 500).toString());
        assertThat(inputs.highest(files, inputs.pin(files, "default"), "default", "id")).hasValue("99");
        ScoringInput selected = open(files, range("ts", base.plusSeconds(20).toString(), base.plusSeconds(30).toString()));
        assertThat(ids(selected, 0)).containsExactlyElementsOf(LongStream.rangeClosed(41, 60).boxed().toList());
        assertThat(ids(selected, 12)).containsExactlyElementsOf(LongStream.rangeClosed(53, 60).boxed().toList());
        assertThat(selected.count()).hasValue(20);

        ScoringJobSpec.FileInput table = csvFiles("csv/*.csv");
        assertThat(inputs.highest(table, inputs.pin(table, "default"), "default", "f1")).hasValue("49.5");
        assertThat(ids(open(table, range("id", "9", "55")), 40)).containsExactly(50L, 51L, 52L, 53L, 54L, 55L);
    }

    @Test
    void theFingerprint_changesWhenAFileChangesOrAppears_andAStalePinIsAConflict() throws Exception {
        Path a = parquet(sources.resolve("in/a.parquet"), rows(0, 10));
        ScoringJobSpec.FileInput files = parquetFiles("in/*.parquet");
        ScoringInputs.Pin pin = inputs.pin(files, "default");

        assertThat(pin.fingerprint()).isNotEmpty().isEqualTo(inputs.pin(files, "default").fingerprint());
        Files.setLastModifiedTime(a, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        ScoringInputs.Pin touched = inputs.pin(files, "default");
        assertThat(touched.fingerprint()).isNotEqualTo(pin.fingerprint());
        assertRefused(() -> inputs.open(files, pin, "default", ScoringInputs.Selection.ALL), ErrorCode.CONFLICT, "changed since");
        parquet(sources.resolve("in/b.parquet"), rows(10, 20));
        assertThat(inputs.pin(files, "default").fingerprint()).isNotEqualTo(touched.fingerprint());
    }

    @Test
    void pathsOutsideTheSourceRoots_areForbiddenNamingThePathAsWritten() throws Exception {
        Path outside = parquet(directory.resolve("outside/secret.parquet"), rows(0, 3));
        Files.createSymbolicLink(sources.resolve("link.parquet"), outside);
        Files.createDirectories(sources.resolve("linked"));
        Files.createSymbolicLink(sources.resolve("linked/secret.parquet"), outside);
        Files.createSymbolicLink(sources.resolve("outdir"), directory.resolve("outside"));
        parquet(keelData.resolve("datasets/snapshot.parquet"), rows(0, 3));

        assertRefused(() -> inputs.pin(parquetFiles("../outside/secret.parquet"), "default"), ErrorCode.FORBIDDEN, "'../outside/secret.parquet'",
                "outside the source roots");
        assertRefused(() -> inputs.pin(parquetFiles(outside.toString()), "default"), ErrorCode.FORBIDDEN, "'" + outside + "'");
        assertRefused(() -> inputs.pin(parquetFiles("link.parquet"), "default"), ErrorCode.FORBIDDEN, "'link.parquet'", "symbolic link");
        assertRefused(() -> inputs.pin(parquetFiles("linked/*.parquet"), "default"), ErrorCode.FORBIDDEN, "linked/secret.parquet",
                "'linked/*.parquet'");
        assertRefused(() -> inputs.pin(parquetFiles("outdir/*.parquet"), "default"), ErrorCode.FORBIDDEN, "'outdir/*.parquet'");
        assertRefused(() -> inputs.pin(parquetFiles("../outside/*.parquet"), "default"), ErrorCode.FORBIDDEN, "'../outside/*.parquet'");
        assertRefused(() -> inputs.pin(parquetFiles("keel-data/datasets/*.parquet"), "default"), ErrorCode.FORBIDDEN, "Keel's own data");
        assertRefused(() -> inputs.open(parquetFiles("../outside/secret.parquet"), new ScoringInputs.Pin(0, ""), "default",
                ScoringInputs.Selection.ALL), ErrorCode.FORBIDDEN);
    }

    @Test
    void aGlobMatchingNothing_andAMissingFile_areNotFound() throws Exception {
        Files.createDirectories(sources.resolve("in"));

        assertRefused(() -> inputs.pin(parquetFiles("in/*.parquet"), "default"), ErrorCode.NOT_FOUND, "'in/*.parquet' matches no file");
        assertRefused(() -> inputs.pin(parquetFiles("nowhere/*.parquet"), "default"), ErrorCode.NOT_FOUND);
        assertRefused(() -> inputs.pin(csvFiles("in/absent.csv"), "default"), ErrorCode.NOT_FOUND, "'in/absent.csv'");
    }

    @Test
    void aCsvWithAMalformedRow_isInvalidInputNamingTheFile() throws Exception {
        Path bad = csv(sources.resolve("bad/values.csv"), 0, 30_000);
        Files.writeString(bad, "zz,azz,1.0\n", java.nio.file.StandardOpenOption.APPEND);
        Path wide = csv(sources.resolve("wide/values.csv"), 0, 30_000);
        Files.writeString(wide, "30000,a,1.0,surplus\n", java.nio.file.StandardOpenOption.APPEND);

        ScoringInput input = open(csvFiles("bad/values.csv"), ScoringInputs.Selection.ALL);
        assertRefused(() -> ids(input, 0), ErrorCode.INVALID_INPUT, "csv files 'bad/values.csv'", "values.csv", "Line: 30002");
        assertRefused(() -> ids(open(csvFiles("wide/*.csv"), ScoringInputs.Selection.ALL), 0), ErrorCode.INVALID_INPUT, "csv files 'wide/*.csv'");
    }

    @Test
    void filesWithDifferentColumns_areInvalidInputNamingBoth() throws Exception {
        csv(sources.resolve("mixed/a.csv"), 0, 10);
        Files.writeString(sources.resolve("mixed/b.csv"), "id,other\n1,2\n");

        assertRefused(() -> open(csvFiles("mixed/*.csv"), ScoringInputs.Selection.ALL), ErrorCode.INVALID_INPUT, "b.csv", "a.csv");
    }

    @Test
    void changedRows_areRefusedForFiles() throws Exception {
        parquet(sources.resolve("in/a.parquet"), rows(0, 3));

        assertRefused(() -> open(parquetFiles("in/a.parquet"), new ScoringInputs.Selection(Optional.empty(), 1)), ErrorCode.INVALID_REQUEST,
                "only dataset inputs");
    }
}
