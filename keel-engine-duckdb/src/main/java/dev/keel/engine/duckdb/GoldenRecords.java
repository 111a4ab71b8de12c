package dev.keel.engine.duckdb;

import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.StepSpec;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Golden records: one row per cluster, each data column taken from the member its survivorship rule ranks first among the
 * members that hold a value there, with the record that supplied every value ({@code provenance}). One aggregate query over
 * the records joined to their clusters; the per-member ranks a rule needs (completeness, how many members share a value) are
 * window columns of that join.
 */
final class GoldenRecords {
    /** Columns the golden relation adds after the data columns; no data column may be named so. */
    static final List<String> RESERVED = List.of("golden_id", "record_count", "source_count", "sources", "provenance");

    private GoldenRecords() {
    }

    /**
     * Builds the golden relation {@code step} from {@code records} (columns __keel_rid, __keel_source, __keel_record,
     * __keel_priority + data columns) and {@code clusters} (columns __keel_rid BIGINT, cluster_id BIGINT, one row per record).
     *
     * @param matchMerge true for match-merge ({@code source_count} and {@code sources}), false for dedupe ({@code record_count})
     * @param path the step's spec path, for errors
     * @throws DataEngineException BAD_SPEC when the survivorship names a column the records lack, MOST_RECENT is used without
     *     an existing recency column, or a data column has the name of a column golden records add
     */
    static void create(Execution execution, String step, String records, String clusters, List<String> dataColumns,
                       StepSpec.Survivorship survivorship, boolean matchMerge, String path) throws SQLException {
        check(execution, records, dataColumns, survivorship, path);
        execution.execute("CREATE TABLE " + Sql.id(step) + " AS " + query(records, clusters, dataColumns, survivorship, matchMerge));
    }

    private static void check(Execution execution, String records, List<String> dataColumns, StepSpec.Survivorship survivorship,
                              String path) throws SQLException {
        for (String column : survivorship.columns().keySet()) {
            if (!dataColumns.contains(column)) {
                throw new DataEngineException(Kind.BAD_SPEC, path + ".survivorship.columns." + column, "survivorship names column '"
                        + column + "', which the records do not have; columns: " + dataColumns);
            }
        }
        for (String column : dataColumns) {
            if (RESERVED.contains(column)) {
                throw new DataEngineException(Kind.BAD_SPEC, path, "the records have a column '" + column + "', but golden records"
                        + " add a column of that name; names " + RESERVED + " are reserved there; rename it first");
            }
        }
        List<String> recent = dataColumns.stream().filter(column -> survivorship.ruleFor(column) == StepSpec.SurvivorRule.MOST_RECENT)
                .toList();
        if (recent.isEmpty()) {
            return;
        }
        String where = path + ".survivorship.recency-column";
        if (survivorship.recencyColumn().isEmpty()) {
            throw new DataEngineException(Kind.BAD_SPEC, where, "columns " + recent + " survive by most-recent, which needs a"
                    + " recency column; none is given");
        }
        execution.requireColumns(records, List.of(survivorship.recencyColumn()), where);
    }

    private static String query(String records, String clusters, List<String> dataColumns, StepSpec.Survivorship survivorship,
                                boolean matchMerge) {
        List<String> members = new ArrayList<>();
        members.add("r.*");
        members.add("c.cluster_id AS __keel_cluster");
        members.add((dataColumns.isEmpty() ? "0" : dataColumns.stream().map(column -> "(r." + Sql.id(column) + " IS NOT NULL)::INTEGER")
                .collect(Collectors.joining(" + "))) + " AS __keel_complete");
        for (int index = 0; index < dataColumns.size(); index++) {
            if (survivorship.ruleFor(dataColumns.get(index)) == StepSpec.SurvivorRule.MOST_FREQUENT) {
                members.add("count(*) OVER (PARTITION BY c.cluster_id, r." + Sql.id(dataColumns.get(index)) + ") AS " + frequency(index));
            }
        }
        // Each column's winner is picked once, as a pair of its value and its record, by one ordered aggregate.
        List<String> picks = new ArrayList<>();
        picks.add("m.__keel_cluster");
        List<String> selects = new ArrayList<>();
        List<String> provenance = new ArrayList<>();
        for (int index = 0; index < dataColumns.size(); index++) {
            String column = Sql.id(dataColumns.get(index));
            picks.add("first({'v': m." + column + ", 'r': m.__keel_record} ORDER BY " + order(survivorship, dataColumns.get(index), index)
                    + ") FILTER (WHERE m." + column + " IS NOT NULL) AS " + pick(index));
            selects.add("g." + pick(index) + ".v AS " + column);
            provenance.add(Sql.literal(dataColumns.get(index)) + ", g." + pick(index) + ".r");
        }
        picks.add("count(*) AS __keel_count");
        if (matchMerge) {
            picks.add("array_to_string(list_sort(list_distinct(list(m.__keel_source))), ',') AS __keel_sources");
        }
        selects.add("CAST(dense_rank() OVER (ORDER BY g.__keel_cluster) AS BIGINT) AS golden_id");
        if (matchMerge) {
            selects.add("CAST(g.__keel_count AS BIGINT) AS source_count");
            selects.add("CAST(g.__keel_sources AS VARCHAR) AS sources");
        } else {
            selects.add("CAST(g.__keel_count AS BIGINT) AS record_count");
        }
        selects.add(provenance.isEmpty() ? "CAST('{}' AS VARCHAR) AS provenance"
                : "CAST(json_object(" + String.join(", ", provenance) + ") AS VARCHAR) AS provenance");
        return "WITH m AS (SELECT " + String.join(", ", members) + " FROM " + Sql.id(records) + " AS r JOIN " + Sql.id(clusters)
                + " AS c ON r.__keel_rid = c.__keel_rid), g AS (SELECT " + String.join(", ", picks) + " FROM m GROUP BY m.__keel_cluster)"
                + " SELECT " + String.join(", ", selects) + " FROM g ORDER BY golden_id";
    }

    /** The order of the members competing for one column, best first; every order ends on priority and record order. */
    private static String order(StepSpec.Survivorship survivorship, String column, int index) {
        String ties = "m.__keel_priority, m.__keel_rid";
        return switch (survivorship.ruleFor(column)) {
            case FIRST -> "m.__keel_rid";
            case MOST_RECENT -> "m." + Sql.id(survivorship.recencyColumn()) + " DESC NULLS LAST, " + ties;
            case MOST_COMPLETE -> "m.__keel_complete DESC, " + ties;
            case SOURCE_PRIORITY -> ties;
            case MOST_FREQUENT -> "m." + frequency(index) + " DESC, " + ties;
            case LONGEST -> "length(CAST(m." + Sql.id(column) + " AS VARCHAR)) DESC, " + ties;
        };
    }

    private static String pick(int index) {
        return "__keel_pick_" + index;
    }

    private static String frequency(int index) {
        return "__keel_frequency_" + index;
    }
}
