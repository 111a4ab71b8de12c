package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** What a run writes into a table comes back equal, value by value: COPY on PostgreSQL, batched INSERTs on SQLite. */
@OnEachStore
class TableWriterTest {
    private static final List<ScoringPlan.OutputColumn> COLUMNS = List.of(new ScoringPlan.OutputColumn("id", "BIGINT"),
            new ScoringPlan.OutputColumn("name", "TEXT"), new ScoringPlan.OutputColumn("x", "DOUBLE PRECISION"),
            new ScoringPlan.OutputColumn("flag", "BOOLEAN"), new ScoringPlan.OutputColumn("n", "BIGINT"));
    private static final Object[] RUN = {"credit", 3, "run-1", 7, "2026-12-07T03:00:00Z"};
    static final List<String> NASTY = List.of("", "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\.", "end\\",
            "quote\" and 'apostrophe'", "comma, semicolon;", "NULL", "null", "  padded  ", "unicode é ß 漢字 😀", "\\t literally", "a\u0001b",
            "line\r\nbreak", ",\"\t\n\\", "t", "f");

    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened reports;

    @BeforeEach
    void open() {
        reports = TestDatabases.open(kind, directory);
    }

    @AfterEach
    void close() {
        reports.close();
    }

    /** Every type, NULL in each column, the text COPY must escape, and doubles to the last bit. */
    private List<Object[]> rows() {
        List<Object> doubles = new ArrayList<>(List.of(0.1, 1.0 / 3, Math.PI, 0.0, 1e-300, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                Math.nextUp(1.0), 123456789.12345678, -2.5e-8, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
        if (kind == StoreKind.POSTGRES) {
            doubles.add(Double.NaN); // SQLite stores NaN as NULL, and -0.0 as 0
            doubles.add(-0.0);
        }
        List<Long> longs = List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 9_007_199_254_740_993L);
        List<Object[]> rows = new ArrayList<>();
        long id = 0;
        for (String name : NASTY) {
            rows.add(new Object[] {id, name, doubles.get((int) (id % doubles.size())), id % 2 == 0, longs.get((int) (id % longs.size()))});
            id++;
        }
        for (Object x : doubles) {
            rows.add(new Object[] {id, "d" + id, x, id % 3 == 0, id * 1_000_000_007L});
            id++;
        }
        rows.add(new Object[] {id++, null, 1.5, true, 2L});
        rows.add(new Object[] {id++, "no double", null, false, 3L});
        rows.add(new Object[] {id++, "no flag", 2.5, null, 4L});
        rows.add(new Object[] {id++, "no n", 3.5, true, null});
        rows.add(new Object[] {id, null, null, null, null});
        return rows;
    }

    private static List<List<Object>> read(Database database, String table) {
        return database.query("SELECT * FROM \"" + table + "\" ORDER BY id", TableWriterTest::row);
    }

    private static List<Object> row(ResultSet row) throws SQLException {
        List<Object> values = new ArrayList<>();
        long id = row.getLong("id");
        values.add(id);
        String name = row.getString("name");
        values.add(name);
        double x = row.getDouble("x");
        values.add(row.wasNull() ? null : x);
        boolean flag = row.getBoolean("flag");
        values.add(row.wasNull() ? null : flag);
        long n = row.getLong("n");
        values.add(row.wasNull() ? null : n);
        values.add(row.getString("model"));
        values.add(row.getInt("model_version"));
        values.add(row.getString("run_id"));
        values.add(row.getInt("run_chunk"));
        values.add(row.getString("scored_at"));
        return values;
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

    private int write(TableWriter writer, String table, List<Object[]> rows) {
        return reports.database().inTransaction(connection -> {
            writer.create(connection, table);
            return writer.write(connection, table, rows, RUN);
        });
    }

    @Test
    void append_everyTypeAndNastyString_roundTripsEqual() {
        TableWriter writer = new TableWriter(COLUMNS, List.of());
        List<Object[]> rows = rows();

        assertThat(write(writer, "scores", rows)).isEqualTo(rows.size());

        List<List<Object>> read = read(reports.database(), "scores");
        List<List<Object>> expected = expected(rows);
        assertThat(read).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            // Double.equals tells -0.0 from 0.0 and NaN equals NaN: the bits must survive.
            assertThat(read.get(i)).as("row %d", i).isEqualTo(expected.get(i));
        }
    }

    @Test
    void copy_andBatchedInserts_writeTheSameRows() {
        TableWriter writer = new TableWriter(COLUMNS, List.of());
        List<Object[]> rows = rows();
        write(writer, "copied", rows);
        reports.database().inTransaction(connection -> {
            writer.create(connection, "inserted");
            return writer.insert(connection, "inserted", rows, RUN);
        });

        assertThat(read(reports.database(), "copied")).isEqualTo(read(reports.database(), "inserted"));
    }

    @Test
    void upsert_updatesExistingKeys_andTheLastRowOfAKeyInAChunkWins() {
        TableWriter writer = new TableWriter(COLUMNS, List.of("id"));
        write(writer, "scores", List.of(new Object[] {1L, "one", 1.0, true, 10L}, new Object[] {2L, "two", 2.0, false, 20L}));

        write(writer, "scores", List.of(new Object[] {2L, "two\tagain", 2.5, true, 21L}, new Object[] {3L, "three", 3.0, null, 30L},
                new Object[] {3L, "three, last", 3.5, false, 31L}));

        assertThat(read(reports.database(), "scores")).isEqualTo(expected(List.of(new Object[] {1L, "one", 1.0, true, 10L},
                new Object[] {2L, "two\tagain", 2.5, true, 21L}, new Object[] {3L, "three, last", 3.5, false, 31L})));
    }

    @Test
    void manyRows_spanSeveralCopyBuffers() {
        TableWriter writer = new TableWriter(COLUMNS, List.of());
        List<Object[]> rows = new ArrayList<>();
        for (long i = 0; i < 60_000; i++) {
            rows.add(new Object[] {i, "name " + i + " ".repeat((int) (i % 40)), i / 7.0, i % 5 == 0, i * i});
        }

        write(writer, "scores", rows);

        assertThat(read(reports.database(), "scores")).isEqualTo(expected(rows));
    }
}
