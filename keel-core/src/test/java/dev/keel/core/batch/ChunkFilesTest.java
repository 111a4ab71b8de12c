package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a chunk's Parquet files hold comes back equal, value by value, through DuckDB. */
class ChunkFilesTest {
    private static final List<ScoringPlan.OutputColumn> COLUMNS = List.of(new ScoringPlan.OutputColumn("id", "BIGINT"),
            new ScoringPlan.OutputColumn("name", "TEXT"), new ScoringPlan.OutputColumn("x", "DOUBLE PRECISION"),
            new ScoringPlan.OutputColumn("flag", "BOOLEAN"), new ScoringPlan.OutputColumn("n", "BIGINT"));
    private static final Object[] RUN = {"credit", 3, "run-1", 7, "2026-12-07T03:00:00Z"};

    @TempDir
    Path directory;

    private static List<Object[]> rows() {
        List<Double> doubles = List.of(0.1, 1.0 / 3, Math.PI, -0.0, 0.0, 1e-300, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                Math.nextUp(1.0), -2.5e-8, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        List<Long> longs = List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 9_007_199_254_740_993L);
        List<String> texts = new ArrayList<>(TableWriterTest.NASTY);
        texts.addAll(List.of("\"", "\"\"", "\"quoted\"", "a,b,c", "\n", "\r\n", "trailing\n"));
        List<Object[]> rows = new ArrayList<>();
        long id = 0;
        for (String name : texts) {
            rows.add(new Object[] {id, name, doubles.get((int) (id % doubles.size())), id % 2 == 0, longs.get((int) (id % longs.size()))});
            id++;
        }
        for (Double x : doubles) {
            rows.add(new Object[] {id, "d" + id, x, id % 3 == 0, id * 1_000_000_007L});
            id++;
        }
        rows.add(new Object[] {id++, null, 1.5, true, 2L});
        rows.add(new Object[] {id++, "no double", null, false, 3L});
        rows.add(new Object[] {id++, "no flag", 2.5, null, 4L});
        rows.add(new Object[] {id, null, null, null, null});
        return rows;
    }

    private static List<List<Object>> read(String from) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT id, name, x, flag, n, model, model_version, run_id, run_chunk, scored_at FROM " + from
                     + " ORDER BY id")) {
            List<List<Object>> rows = new ArrayList<>();
            while (result.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    Object value = result.getObject(i);
                    row.add(value instanceof Integer number && (i == 1 || i == 5) ? number.longValue() : value);
                }
                rows.add(row);
            }
            return rows;
        }
    }

    /** Every file under {@code out}, the partition column typed: its values come from directory names, read as text otherwise. */
    private List<List<Object>> partitions() throws SQLException {
        return read("read_parquet('" + directory.resolve("out") + "/**/*.parquet', hive_partitioning = true, hive_types = {'flag': 'BOOLEAN'})");
    }

    private static List<List<Object>> expected(List<Object[]> rows) {
        List<List<Object>> expected = new ArrayList<>();
        for (Object[] row : rows) {
            List<Object> values = new ArrayList<>(Arrays.asList(row));
            values.addAll(Arrays.asList(RUN));
            expected.add(values);
        }
        return expected;
    }

    @Test
    void everyTypeAndNastyString_roundTripsEqual() throws Exception {
        List<Object[]> rows = rows();
        try (ChunkFiles files = new ChunkFiles(COLUMNS, List.of(), "part-test")) {
            assertThat(files.write(directory.resolve("out"), directory.resolve("tmp"), 7, rows, RUN)).containsExactly(Path.of("part-test-000007.parquet"));
        }

        assertThat(read("read_parquet('" + directory.resolve("out/part-test-000007.parquet") + "')")).isEqualTo(expected(rows));
        assertThat(directory.resolve("tmp")).doesNotExist();
    }

    @Test
    void partitioned_roundTripsEqual_withThePartitionColumnFromTheDirectoryNames() throws Exception {
        List<Object[]> rows = rows();
        try (ChunkFiles files = new ChunkFiles(COLUMNS, List.of("flag"), "part-test")) {
            assertThat(files.write(directory.resolve("out"), directory.resolve("tmp"), 7, rows, RUN)).extracting(Path::toString)
                    .containsExactlyInAnyOrder("flag=true/part-test-000007_0.parquet", "flag=false/part-test-000007_0.parquet",
                            "flag=__HIVE_DEFAULT_PARTITION__/part-test-000007_0.parquet");
        }

        assertThat(partitions()).isEqualTo(expected(rows));
    }

    @Test
    void writingAChunkAgain_replacesItsFiles_andRemovesThoseItNoLongerHas() throws Exception {
        List<Object[]> first = new ArrayList<>();
        first.add(new Object[] {1L, "a", 1.0, true, 1L});
        first.add(new Object[] {2L, "b", 2.0, false, 2L});
        List<Object[]> again = new ArrayList<>();
        again.add(new Object[] {1L, "a2", 1.5, true, 1L});
        List<Object[]> other = new ArrayList<>();
        other.add(new Object[] {3L, "c", 3.0, false, 3L});
        try (ChunkFiles files = new ChunkFiles(COLUMNS, List.of("flag"), "part-test")) {
            files.write(directory.resolve("out"), directory.resolve("tmp"), 0, first, RUN);
            files.write(directory.resolve("out"), directory.resolve("tmp"), 1, other, RUN);

            files.write(directory.resolve("out"), directory.resolve("tmp"), 0, again, RUN);
        }

        List<Object[]> left = new ArrayList<>(again);
        left.addAll(other);
        assertThat(partitions()).isEqualTo(expected(left));
        try (Stream<Path> listed = Files.walk(directory.resolve("out"))) {
            assertThat(listed.filter(Files::isRegularFile).map(file -> directory.resolve("out").relativize(file).toString()).sorted())
                    .containsExactly("flag=false/part-test-000001_0.parquet", "flag=true/part-test-000000_0.parquet");
        }
    }
}
