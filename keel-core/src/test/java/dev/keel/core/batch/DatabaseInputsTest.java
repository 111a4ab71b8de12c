package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.TestingDatasetRepository;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.spi.data.ColumnType;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Tables and queries of a declared database as scoring input, on a real SQLite file and a real PostgreSQL schema. */
@OnEachStore
class DatabaseInputsTest {
    private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestDatabases.Opened crm;
    private ScoringInputs inputs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        crm = TestDatabases.open(kind, directory);
        PipelineService pipelines = new PipelineService(new TestingPipelineRepository(), new TestingRunRepository(), new TestingDatasetRepository(),
                new SnapshotStore(directory.resolve("data")), List.of(), new EnvironmentSecrets(Map.of(), directory), directory, Clock.systemUTC(),
                duration -> { });
        ScoringDestinations databases = connection -> switch (connection) {
            case "crm" -> crm.database();
            case ScoringDestinations.KEEL -> store.database();
            default -> throw KeelException.notFound("no connection '" + connection + "' is declared");
        };
        inputs = ScoringInputs.standard(pipelines, SourceAccess.confinedTo(directory), directory, databases);
    }

    @AfterEach
    void close() {
        store.close();
        crm.close();
    }

    private boolean postgres() {
        return kind == StoreKind.POSTGRES;
    }

    /**
     * Table {@code applicants} of {@code n} rows inserted in a shuffled order: id, name 'a' + id, f1 = id / 4, active = id even,
     * seq = id, updated = BASE + id × 500 ms (a time stamp on PostgreSQL, ISO text on SQLite).
     */
    private void applicants(int n) {
        Database database = crm.database();
        database.update("CREATE TABLE applicants (id BIGINT NOT NULL, name TEXT, f1 DOUBLE PRECISION, active BOOLEAN, seq INTEGER, updated "
                + (postgres() ? "TIMESTAMP" : "TEXT") + ")");
        if (postgres()) {
            database.update("INSERT INTO applicants SELECT i, 'a' || i, i / 4.0, i % 2 = 0, i, TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL"
                    + " '500 milliseconds' FROM generate_series(0, ? - 1) AS g(i) ORDER BY (i * 7919) % ?", n, n);
        } else {
            database.update("INSERT INTO applicants WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < ? - 1) SELECT i,"
                    + " 'a' || i, i / 4.0, i % 2 = 0, i, strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i * 0.5) || ' seconds') FROM r"
                    + " ORDER BY (i * 7919) % ?", n, n);
        }
    }

    private static ScoringJobSpec.DatabaseInput table(String table, String... orderBy) {
        return new ScoringJobSpec.DatabaseInput("crm", Optional.of(table), Optional.empty(), List.of(orderBy));
    }

    private static ScoringJobSpec.DatabaseInput query(String query, String... orderBy) {
        return new ScoringJobSpec.DatabaseInput("crm", Optional.empty(), Optional.of(query), List.of(orderBy));
    }

    private ScoringInput open(ScoringJobSpec.DatabaseInput input, ScoringInputs.Selection selection) {
        ScoringInputs.Pin pin = inputs.pin(input, "default");
        return inputs.open(input, pin, "default", selection);
    }

    private static ScoringInputs.Selection range(String column, String above, String upTo) {
        return new ScoringInputs.Selection(Optional.of(new ScoringInputs.Watermark(column, Optional.ofNullable(above), upTo)), 0);
    }

    private static List<Object[]> all(ScoringInput input, long from) {
        List<Object[]> rows = new ArrayList<>();
        try (ScoringInput.Cursor cursor = input.rows(from)) {
            for (List<Object[]> chunk = cursor.next(777); !chunk.isEmpty(); chunk = cursor.next(777)) {
                rows.addAll(chunk);
            }
        }
        return rows;
    }

    private static List<Long> ids(List<Object[]> rows) {
        return rows.stream().map(row -> (Long) row[0]).toList();
    }

    @Test
    void aTable_readsItsColumnsInOrderByOrder_fromAnyRow() {
        applicants(1_000);
        ScoringInput input = open(table("applicants", "id"), ScoringInputs.Selection.ALL);

        assertThat(input.columns()).extracting(ScoringInput.Column::name).containsExactly("id", "name", "f1", "active", "seq", "updated");
        assertThat(input.columns()).extracting(ScoringInput.Column::type).startsWith(ColumnType.INTEGER, ColumnType.STRING, ColumnType.DOUBLE,
                ColumnType.BOOLEAN, ColumnType.INTEGER);
        assertThat(input.columns().getLast().type()).isEqualTo(postgres() ? ColumnType.TIMESTAMP : ColumnType.STRING);
        assertThat(input.count()).hasValue(1_000);
        List<Object[]> rows = all(input, 990);
        assertThat(ids(rows)).containsExactlyElementsOf(LongStream.range(990, 1_000).boxed().toList());
        assertThat(rows.getFirst()).startsWith(990L, "a990", 247.5, true, 990L);
        assertThat(rows.get(1)[3]).isEqualTo(false);
        assertThat(rows.getFirst()[5]).isEqualTo(postgres() ? BASE.plusMillis(990 * 500L) : "2024-01-01T00:08:15.000Z");
    }

    @Test
    void aQuery_isWrappedAndOrdered_andTwoOpeningsGiveTheSameRows() {
        applicants(500);
        ScoringJobSpec.DatabaseInput input = query("SELECT id, f1 * 2 AS twice FROM applicants WHERE active -- only the active ones\n;", "id");

        List<Object[]> first = all(open(input, ScoringInputs.Selection.ALL), 0);
        assertThat(ids(first)).containsExactlyElementsOf(LongStream.range(0, 250).map(i -> i * 2).boxed().toList());
        assertThat(first).allSatisfy(row -> assertThat((Double) row[1]).isEqualTo((Long) row[0] / 2.0));
        assertThat(all(open(input, ScoringInputs.Selection.ALL), 100)).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyElementsOf(first.subList(100, 250));
    }

    @Test
    void withoutOrderBy_rowsAreOrderedByEveryColumn() {
        crm.database().update("CREATE TABLE pairs (a INTEGER, b TEXT)");
        crm.database().update("INSERT INTO pairs VALUES (2, 'y'), (1, 'z'), (2, 'x'), (1, 'a')");

        List<Object[]> rows = all(open(table("pairs"), ScoringInputs.Selection.ALL), 1);
        assertThat(rows).extracting(row -> row[0] + ":" + row[1]).containsExactly("1:z", "2:x", "2:y");
    }

    @Test
    void twoHundredThousandRows_streamFromRow12345_equalToAPlainRead() throws Exception {
        int n = 200_000;
        applicants(n);
        List<Object[]> expected = new ArrayList<>();
        crm.database().withConnection(connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, name, f1 FROM applicants ORDER BY id")) {
                statement.setFetchSize(5_000);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        expected.add(new Object[] {result.getLong(1), result.getString(2), result.getDouble(3)});
                    }
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            return null;
        });
        assertThat(expected).hasSize(n);

        long row = 12_345;
        try (ScoringInput.Cursor cursor = open(table("applicants", "id"), ScoringInputs.Selection.ALL).rows(row)) {
            for (List<Object[]> chunk = cursor.next(10_000); !chunk.isEmpty(); chunk = cursor.next(10_000)) {
                for (Object[] read : chunk) {
                    Object[] plain = expected.get((int) row++);
                    assertThat(new Object[] {read[0], read[1], read[2]}).containsExactly(plain);
                }
            }
        }
        assertThat(row).isEqualTo(n);
    }

    @Test
    void keelsOwnStore_isRefusedAsAnInput_andAnUndeclaredConnectionIsNotFound() {
        ScoringJobSpec.DatabaseInput keel = new ScoringJobSpec.DatabaseInput("keel", Optional.of("batch_runs"), Optional.empty(), List.of("id"));
        assertThatThrownBy(() -> inputs.pin(keel, "default"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("Keel's own metadata store");
        assertThatThrownBy(() -> inputs.open(keel, new ScoringInputs.Pin(0, ""), "default", ScoringInputs.Selection.ALL))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> inputs.highest(keel, new ScoringInputs.Pin(0, ""), "default", "id"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        ScoringJobSpec.DatabaseInput other = new ScoringJobSpec.DatabaseInput("warehouse", Optional.of("t"), Optional.empty(), List.of("id"));
        assertThatThrownBy(() -> inputs.pin(other, "default"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void statementsOtherThanOneSelect_areRefused_andTheTableIsUntouched() {
        applicants(10);

        for (String refused : List.of("SELECT * FROM applicants; DELETE FROM applicants", "DELETE FROM applicants",
                "SELECT 1 AS x;; SELECT 2", "UPDATE applicants SET name = 'x'", "/* SELECT */ DROP TABLE applicants")) {
            assertThatThrownBy(() -> open(query(refused, "id"), ScoringInputs.Selection.ALL)).as(refused)
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("input.query");
        }
        assertThat(all(open(query("SELECT id, ';' AS semicolon FROM applicants", "id"), ScoringInputs.Selection.ALL), 0)).hasSize(10)
                .allSatisfy(row -> assertThat(row[1]).isEqualTo(";"));
        assertThat(crm.database().queryOne("SELECT COUNT(*) FROM applicants", result -> result.getLong(1))).hasValue(10L);
    }

    @Test
    void aQueryThatWrites_isRefusedByTheReadOnlyTransaction_andTheConnectionWritesAgainAfterwards() {
        applicants(10);
        if (postgres()) {
            crm.database().update("CREATE SEQUENCE tickets");
            ScoringJobSpec.DatabaseInput writing = query("SELECT nextval('tickets') AS ticket", "ticket");
            assertThatThrownBy(() -> all(open(writing, ScoringInputs.Selection.ALL), 0))
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                    .hasMessageContaining("the query of connection 'crm'").hasMessageContaining("read-only");
            assertThatThrownBy(() -> all(open(query("WITH gone AS (DELETE FROM applicants RETURNING *) SELECT * FROM gone", "id"),
                    ScoringInputs.Selection.ALL), 0)).isInstanceOf(KeelException.class);
        }
        all(open(table("applicants", "id"), ScoringInputs.Selection.ALL), 0);
        // Every connection of the pool was lent out read-only at least once; each still writes.
        for (int i = 0; i < 6; i++) {
            crm.database().update("INSERT INTO applicants (id) VALUES (?)", 100 + i);
        }
        assertThat(crm.database().queryOne("SELECT COUNT(*) FROM applicants", result -> result.getLong(1))).hasValue(16L);
    }

    @Test
    void badSql_isInvalidInput_andAMissingTable_isNotFound_bothNamingTheInput() {
        applicants(3);

        assertThatThrownBy(() -> open(query("SELECT nonsense FROM applicants", "id"), ScoringInputs.Selection.ALL))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("the query of connection 'crm'").hasMessageContaining("nonsense");
        assertThatThrownBy(() -> open(table("absent", "id"), ScoringInputs.Selection.ALL))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("table 'absent' of connection 'crm'");
        assertThatThrownBy(() -> open(table("applicants; DROP TABLE applicants", "id"), ScoringInputs.Selection.ALL))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("input.table");
        assertThatThrownBy(() -> open(table("applicants", "missing"), ScoringInputs.Selection.ALL))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("input.order_by").hasMessageContaining("'missing'");
    }

    @Test
    void aWatermarkRange_isAppliedInTheColumnsType_andHighestIsCanonical() {
        applicants(100);
        ScoringJobSpec.DatabaseInput input = table("applicants", "id");
        ScoringInputs.Pin pin = inputs.pin(input, "default");

        assertThat(inputs.highest(input, pin, "default", "seq")).hasValue("99");
        assertThat(inputs.highest(input, pin, "default", "f1")).hasValue("24.75");
        assertThat(inputs.highest(input, pin, "default", "updated")).hasValue(postgres() ? BASE.plusMillis(99 * 500L).toString()
                : "2024-01-01T00:00:49.500Z");
        // As text "100" sorts before "9"; as numbers it is above.
        assertThat(ids(all(open(input, range("seq", "9", "100")), 0))).containsExactlyElementsOf(LongStream.range(10, 100).boxed().toList());
        ScoringInput recent = open(input, range("seq", "89", "95"));
        assertThat(recent.count()).hasValue(6);
        assertThat(ids(all(recent, 2))).containsExactly(92L, 93L, 94L, 95L);
        if (postgres()) {
            // As text "…00:05.500Z" sorts before "…00:05Z"; as time stamps it is later.
            assertThat(ids(all(open(input, range("updated", BASE.plusSeconds(5).toString(), BASE.plusSeconds(10).toString())), 0)))
                    .containsExactlyElementsOf(LongStream.rangeClosed(11, 20).boxed().toList());
        }
        assertThatThrownBy(() -> inputs.highest(input, pin, "default", "nope"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void aTimeStampWithTimeZone_isReadAsAnInstant() {
        if (!postgres()) {
            return;
        }
        crm.database().update("CREATE TABLE events (id BIGINT, at TIMESTAMPTZ)");
        crm.database().update("INSERT INTO events VALUES (1, '2024-03-01 12:00:00+02'), (2, '2024-03-01 11:30:00+00')");
        ScoringJobSpec.DatabaseInput input = table("events", "id");

        assertThat(inputs.highest(input, inputs.pin(input, "default"), "default", "at")).hasValue("2024-03-01T11:30:00Z");
        assertThat(all(open(input, range("at", "2024-03-01T09:59:59.999Z", "2024-03-01T10:00:00Z")), 0)).extracting(row -> row[1])
                .containsExactly(Instant.parse("2024-03-01T10:00:00Z"));
    }

    @Test
    void highestOfAnEmptyTable_isEmpty() {
        crm.database().update("CREATE TABLE empty_one (id BIGINT)");
        ScoringJobSpec.DatabaseInput input = table("empty_one", "id");

        assertThat(inputs.highest(input, inputs.pin(input, "default"), "default", "id")).isEmpty();
    }

    @Test
    void aConnectionClosedUnderneath_isUnavailable() throws Exception {
        applicants(3);
        ScoringInput input = open(table("applicants", "id"), ScoringInputs.Selection.ALL);
        crm.database().close();

        assertThatThrownBy(() -> input.rows(0)).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
}
