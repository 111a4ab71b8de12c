package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.json.Json;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.StepSpec;
import dev.keel.spi.data.StepSpec.SurvivorRule;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden records built on a real DuckDB from record and cluster tables written by hand: every rule, its ties and provenance. */
class GoldenRecordsTest {
    private static final String PATH = "steps[2]";

    @TempDir
    Path directory;

    private DuckDBConnection duck;
    private Execution execution;

    @BeforeEach
    void open() throws SQLException {
        duck = DriverManager.getConnection("jdbc:duckdb:").unwrap(DuckDBConnection.class);
        execution = new Execution(duck, new PipelinePlan("golden", List.of(), List.of(), List.of(), List.of(), "golden-quarantine"),
                new ExecutionContext("run-1", directory, directory, Instant.EPOCH, reference -> ""));
    }

    @AfterEach
    void close() throws SQLException {
        duck.close();
    }

    @Test
    void first_takesEachColumnFromTheEarliestMemberHoldingAValue_andNamesItInTheProvenance() throws SQLException {
        records("name VARCHAR, city VARCHAR, phone VARCHAR",
                "(0, 'raw', 'a', 0, NULL, 'Paris', NULL)",
                "(1, 'raw', 'b', 0, 'Anne', 'Lyon', NULL)",
                "(2, 'raw', 'c', 0, 'Bob', NULL, '555')");
        clusters(0, 1, 1, 1, 2, 3);

        create(rules(SurvivorRule.FIRST), false, "name", "city", "phone");

        List<Map<String, Object>> golden = rows("golden");
        assertThat(golden).hasSize(2);
        assertThat(golden.get(0)).containsExactly(Map.entry("name", "Anne"), Map.entry("city", "Paris"), entry("phone", null),
                Map.entry("golden_id", 1L), Map.entry("record_count", 2L),
                Map.entry("provenance", "{\"name\":\"b\",\"city\":\"a\",\"phone\":null}"));
        assertThat(golden.get(1)).containsExactly(Map.entry("name", "Bob"), entry("city", null), Map.entry("phone", "555"),
                Map.entry("golden_id", 2L), Map.entry("record_count", 1L),
                Map.entry("provenance", "{\"name\":\"c\",\"city\":null,\"phone\":\"c\"}"));
        assertThat(provenance(golden.get(1))).containsExactly(Map.entry("name", "c"), entry("city", null), Map.entry("phone", "c"));
    }

    @Test
    void mostRecent_prefersTheLatestDatedMemberWithAValue_undatedLast_tiesByPriorityThenRecordOrder() throws SQLException {
        records("name VARCHAR, updated DATE",
                "(0, 'crm', 'crm:1', 1, 'Old', DATE '2020-01-01')",
                "(1, 'erp', 'erp:1', 0, 'New', DATE '2024-01-01')",
                "(2, 'crm', 'crm:2', 1, 'Undated', NULL)",
                "(3, 'erp', 'erp:2', 0, NULL, DATE '2025-01-01')",
                "(4, 'crm', 'crm:3', 1, 'Tie-crm', DATE '2024-05-05')",
                "(5, 'erp', 'erp:3', 0, 'Tie-erp', DATE '2024-05-05')",
                "(6, 'crm', 'crm:4', 1, 'Undated-first', NULL)",
                "(7, 'crm', 'crm:5', 1, 'Undated-second', NULL)");
        clusters(0, 1, 1, 1, 2, 1, 3, 1, 4, 5, 5, 5, 6, 7, 7, 7);

        create(new StepSpec.Survivorship(SurvivorRule.MOST_RECENT, Map.of(), "updated", List.of()), true, "name", "updated");

        List<Map<String, Object>> golden = rows("golden");
        assertThat(golden).extracting(row -> row.get("name")).containsExactly("New", "Tie-erp", "Undated-first");
        assertThat(golden.get(0).get("updated")).isEqualTo(LocalDate.parse("2025-01-01"));
        assertThat(provenance(golden.get(0))).containsExactly(Map.entry("name", "erp:1"), Map.entry("updated", "erp:2"));
        assertThat(provenance(golden.get(1))).containsEntry("name", "erp:3");
        assertThat(provenance(golden.get(2))).containsExactly(Map.entry("name", "crm:4"), entry("updated", null));
        assertThat(golden.get(2).get("updated")).isNull();
        assertThat(golden).extracting(row -> row.get("source_count"), row -> row.get("sources"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4L, "crm,erp"), org.assertj.core.groups.Tuple.tuple(2L, "crm,erp"),
                        org.assertj.core.groups.Tuple.tuple(2L, "crm"));
    }

    @Test
    void mostComplete_prefersTheMemberWithMostValues_tiesByPriority() throws SQLException {
        records("a VARCHAR, b VARCHAR, c VARCHAR",
                "(0, 'x', 'x:1', 0, 'x', NULL, NULL)",
                "(1, 'y', 'y:1', 1, 'y', 'y', NULL)",
                "(2, 'z', 'z:1', 0, NULL, 'z', 'z')");
        clusters(0, 1, 1, 1, 2, 1);

        create(rules(SurvivorRule.MOST_COMPLETE), true, "a", "b", "c");

        Map<String, Object> golden = rows("golden").getFirst();
        assertThat(golden).containsEntry("a", "y").containsEntry("b", "z").containsEntry("c", "z");
        assertThat(provenance(golden)).containsExactly(Map.entry("a", "y:1"), Map.entry("b", "z:1"), Map.entry("c", "z:1"));
        assertThat(golden).containsEntry("sources", "x,y,z").containsEntry("source_count", 3L);
    }

    @Test
    void sourcePriority_prefersTheHighestPriorityInputHoldingAValue_thenRecordOrder() throws SQLException {
        records("name VARCHAR",
                "(0, 'c', 'c:1', 2, 'p2')",
                "(1, 'b', 'b:1', 1, 'p1a')",
                "(2, 'b', 'b:2', 1, 'p1b')",
                "(3, 'a', 'a:1', 0, NULL)");
        clusters(0, 1, 1, 1, 2, 1, 3, 1);

        create(rules(SurvivorRule.SOURCE_PRIORITY), true, "name");

        Map<String, Object> golden = rows("golden").getFirst();
        assertThat(golden).containsEntry("name", "p1a").containsEntry("sources", "a,b,c").containsEntry("source_count", 4L);
        assertThat(provenance(golden)).containsExactly(Map.entry("name", "b:1"));
    }

    @Test
    void mostFrequent_takesTheValueMostMembersHold_nullsNeverCount_tiesByPriorityThenRecordOrder() throws SQLException {
        records("city VARCHAR",
                "(0, 's', 'r0', 1, 'Paris')",
                "(1, 's', 'r1', 0, 'Lyon')",
                "(2, 's', 'r2', 1, 'Paris')",
                "(3, 's', 'r3', 1, 'Lyon')",
                "(4, 's', 'r4', 0, 'Nice')",
                "(5, 's', 'r5', 0, NULL)",
                "(6, 's', 'r6', 0, NULL)",
                "(7, 's', 'r7', 0, NULL)",
                "(8, 's', 'r8', 0, 'A')",
                "(9, 's', 'r9', 1, 'B')",
                "(10, 's', 'r10', 0, 'B')",
                "(11, 's', 'r11', 0, 'C')",
                "(12, 's', 'r12', 0, 'C')");
        clusters(0, 1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 1, 7, 1, 8, 9, 9, 9, 10, 9, 11, 12, 12, 12);

        create(rules(SurvivorRule.MOST_FREQUENT), false, "city");

        List<Map<String, Object>> golden = rows("golden");
        // Paris and Lyon twice each: Lyon's best holder has priority 0. B beats A by count though A has the better holder.
        assertThat(golden).extracting(row -> row.get("city")).containsExactly("Lyon", "B", "C");
        assertThat(golden).extracting(row -> provenance(row).get("city")).containsExactly("r1", "r10", "r11");
        assertThat(golden).extracting(row -> row.get("record_count")).containsExactly(8L, 3L, 2L);
    }

    @Test
    void longest_takesTheLongestValueAsText_forTextAndNumbers_tiesByPriority() throws SQLException {
        records("name VARCHAR, code INTEGER",
                "(0, 's', 'r0', 0, 'LA', 7)",
                "(1, 's', 'r1', 1, 'Los Angeles', 1234)",
                "(2, 's', 'r2', 0, 'Los Angelez', -123)",
                "(3, 's', 'r3', 0, NULL, NULL)");
        clusters(0, 1, 1, 1, 2, 1, 3, 1);

        create(rules(SurvivorRule.LONGEST), false, "name", "code");

        Map<String, Object> golden = rows("golden").getFirst();
        assertThat(golden).containsEntry("name", "Los Angelez").containsEntry("code", -123);
        assertThat(provenance(golden)).containsExactly(Map.entry("name", "r2"), Map.entry("code", "r2"));
    }

    @Test
    void perColumnRules_overrideTheDefault_columnByColumn() throws SQLException {
        records("name VARCHAR, city VARCHAR, updated DATE",
                "(0, 'faa', 'faa:LAX', 0, 'LAX', 'Los Angeles', DATE '2020-01-01')",
                "(1, 'osm', 'osm:4411', 1, 'Los Angeles International', 'LA', DATE '2024-01-01')");
        clusters(0, 1, 1, 1);

        create(new StepSpec.Survivorship(SurvivorRule.SOURCE_PRIORITY, Map.of("name", SurvivorRule.LONGEST, "updated",
                SurvivorRule.MOST_RECENT), "updated", List.of("faa", "osm")), true, "name", "city", "updated");

        Map<String, Object> golden = rows("golden").getFirst();
        assertThat(golden).containsEntry("name", "Los Angeles International").containsEntry("city", "Los Angeles")
                .containsEntry("updated", LocalDate.parse("2024-01-01"));
        assertThat(provenance(golden)).containsExactly(Map.entry("name", "osm:4411"), Map.entry("city", "faa:LAX"),
                Map.entry("updated", "osm:4411"));
    }

    @Test
    void goldenIds_areDenseRanksOfTheClusterIds_inOrder() throws SQLException {
        records("name VARCHAR",
                "(0, 's', 'r0', 0, 'forty')",
                "(1, 's', 'r1', 0, 'five')",
                "(2, 's', 'r2', 0, 'seventeen')",
                "(3, 's', 'r3', 0, 'five again')");
        clusters(0, 40, 1, 5, 2, 17, 3, 5);

        create(rules(SurvivorRule.FIRST), false, "name");

        assertThat(rows("golden")).extracting(row -> row.get("golden_id"), row -> row.get("name"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "five"), org.assertj.core.groups.Tuple.tuple(2L, "seventeen"),
                        org.assertj.core.groups.Tuple.tuple(3L, "forty"));
    }

    @Test
    void columnsWhoseNamesNeedQuoting_keepTheirNamesAndTypes() throws SQLException {
        records("\"Name with \"\"quotes\"\"\" VARCHAR, \"select\" INTEGER, elevation DECIMAL(8, 2), opened DATE, tags VARCHAR[]",
                "(0, 's', 'it''s', 0, 'O''Hare', 3, 201.50, DATE '1944-01-01', ['a', 'b'])",
                "(1, 's', 'r1', 0, NULL, NULL, NULL, NULL, NULL)");
        clusters(0, 1, 1, 1);

        create("golden \"records\"", rules(SurvivorRule.FIRST), false,
                List.of("Name with \"quotes\"", "select", "elevation", "opened", "tags"));

        assertThat(types("golden \"records\"")).containsExactly(Map.entry("Name with \"quotes\"", "VARCHAR"),
                Map.entry("select", "INTEGER"), Map.entry("elevation", "DECIMAL(8,2)"), Map.entry("opened", "DATE"),
                Map.entry("tags", "VARCHAR[]"), Map.entry("golden_id", "BIGINT"), Map.entry("record_count", "BIGINT"),
                Map.entry("provenance", "VARCHAR"));
        Map<String, Object> golden = rows("golden \"records\"").getFirst();
        assertThat(golden).containsEntry("Name with \"quotes\"", "O'Hare").containsEntry("select", 3)
                .containsEntry("elevation", new BigDecimal("201.50")).containsEntry("opened", LocalDate.parse("1944-01-01"));
        assertThat(provenance(golden)).containsEntry("Name with \"quotes\"", "it's").containsEntry("tags", "it's");
    }

    @Test
    void zeroRecords_giveAnEmptyTableWithTheGoldenSchema() throws SQLException {
        records("name VARCHAR, elevation DOUBLE, opened DATE");
        clusters();

        create("dedupe", rules(SurvivorRule.MOST_FREQUENT), false, List.of("name", "elevation", "opened"));
        create("merge", rules(SurvivorRule.LONGEST), true, List.of("name", "elevation", "opened"));

        assertThat(rows("dedupe")).isEmpty();
        assertThat(types("dedupe")).containsExactly(Map.entry("name", "VARCHAR"), Map.entry("elevation", "DOUBLE"),
                Map.entry("opened", "DATE"), Map.entry("golden_id", "BIGINT"), Map.entry("record_count", "BIGINT"),
                Map.entry("provenance", "VARCHAR"));
        assertThat(rows("merge")).isEmpty();
        assertThat(types("merge")).containsExactly(Map.entry("name", "VARCHAR"), Map.entry("elevation", "DOUBLE"),
                Map.entry("opened", "DATE"), Map.entry("golden_id", "BIGINT"), Map.entry("source_count", "BIGINT"),
                Map.entry("sources", "VARCHAR"), Map.entry("provenance", "VARCHAR"));
    }

    @Test
    void mostRecent_withoutItsRecencyColumn_failsTheSpecAtTheRecencyColumn() throws SQLException {
        records("name VARCHAR, updated DATE", "(0, 's', 'r0', 0, 'a', NULL)");
        clusters(0, 1);

        assertThatThrownBy(() -> create(new StepSpec.Survivorship(SurvivorRule.FIRST, Map.of("name", SurvivorRule.MOST_RECENT),
                "changed", List.of()), false, "name", "updated"))
                .isInstanceOfSatisfying(DataEngineException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DataEngineException.Kind.BAD_SPEC);
                    assertThat(e.path()).isEqualTo(PATH + ".survivorship.recency-column");
                    assertThat(e.getMessage()).contains("'changed'", "does not exist", "updated");
                });
        assertThatThrownBy(() -> create(new StepSpec.Survivorship(SurvivorRule.MOST_RECENT, Map.of(), "", List.of()), false, "name"))
                .isInstanceOfSatisfying(DataEngineException.class, e -> {
                    assertThat(e.path()).isEqualTo(PATH + ".survivorship.recency-column");
                    assertThat(e.getMessage()).contains("[name]", "most-recent", "needs a recency column");
                });
    }

    @Test
    void aRecencyColumnUnusedByAnyRule_isNotRequired() throws SQLException {
        records("name VARCHAR", "(0, 's', 'r0', 0, 'a')");
        clusters(0, 1);

        create(new StepSpec.Survivorship(SurvivorRule.FIRST, Map.of(), "missing", List.of()), false, "name");

        assertThat(rows("golden")).extracting(row -> row.get("name")).containsExactly("a");
    }

    @Test
    void survivorshipOfAnUnknownColumn_orADataColumnNamedLikeAGoldenColumn_failsTheSpec() throws SQLException {
        records("name VARCHAR, provenance VARCHAR", "(0, 's', 'r0', 0, 'a', 'b')");
        clusters(0, 1);

        assertThatThrownBy(() -> create(new StepSpec.Survivorship(SurvivorRule.FIRST, Map.of("nme", SurvivorRule.LONGEST), "",
                List.of()), false, "name"))
                .isInstanceOfSatisfying(DataEngineException.class, e -> {
                    assertThat(e.path()).isEqualTo(PATH + ".survivorship.columns.nme");
                    assertThat(e.getMessage()).contains("'nme'", "[name]");
                });
        assertThatThrownBy(() -> create(rules(SurvivorRule.FIRST), false, "name", "provenance"))
                .isInstanceOfSatisfying(DataEngineException.class, e -> {
                    assertThat(e.path()).isEqualTo(PATH);
                    assertThat(e.getMessage()).contains("'provenance'", "reserved");
                });
    }

    private static StepSpec.Survivorship rules(SurvivorRule rule) {
        return new StepSpec.Survivorship(rule, Map.of(), "", List.of());
    }

    private void create(StepSpec.Survivorship survivorship, boolean matchMerge, String... columns) throws SQLException {
        create("golden", survivorship, matchMerge, List.of(columns));
    }

    private void create(String step, StepSpec.Survivorship survivorship, boolean matchMerge, List<String> columns) throws SQLException {
        GoldenRecords.create(execution, step, "records", "clusters", columns, survivorship, matchMerge, PATH);
    }

    private void records(String columns, String... rows) throws SQLException {
        execution.execute("CREATE TABLE records (__keel_rid BIGINT, __keel_source VARCHAR, __keel_record VARCHAR, __keel_priority INTEGER, "
                + columns + ")");
        if (rows.length > 0) {
            execution.execute("INSERT INTO records VALUES " + String.join(", ", rows));
        }
    }

    /** Pairs of record id and cluster id. */
    private void clusters(long... pairs) throws SQLException {
        execution.execute("CREATE TABLE clusters (__keel_rid BIGINT, cluster_id BIGINT)");
        List<String> rows = new ArrayList<>();
        for (int index = 0; index < pairs.length; index += 2) {
            rows.add("(" + pairs[index] + ", " + pairs[index + 1] + ")");
        }
        if (!rows.isEmpty()) {
            // Inserted newest first, so the output order cannot come from the insertion order.
            execution.execute("INSERT INTO clusters VALUES " + String.join(", ", rows.reversed()));
        }
    }

    private List<Map<String, Object>> rows(String table) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement statement = duck.createStatement(); ResultSet result = statement.executeQuery("SELECT * FROM " + Sql.id(table))) {
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int column = 1; column <= result.getMetaData().getColumnCount(); column++) {
                    Object value = result.getObject(column);
                    row.put(result.getMetaData().getColumnLabel(column), value instanceof java.sql.Date date ? date.toLocalDate() : value);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private Map<String, String> types(String table) throws SQLException {
        return Profiler.columns(duck, Sql.id(table));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> provenance(Map<String, Object> row) {
        return Json.read((String) row.get("provenance"), LinkedHashMap.class);
    }

    private static Map.Entry<String, Object> entry(String key, Object value) {
        return new java.util.AbstractMap.SimpleImmutableEntry<>(key, value);
    }
}
