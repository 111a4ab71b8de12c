package dev.keel.engine.duckdb;

import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.StepSpec;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Golden records: one per cluster, each column's value taken from the member its survivorship rule prefers, with provenance. */
final class GoldenRecords {
    private GoldenRecords() {
    }

    /**
     * Builds the golden relation `step` from `records` (columns __keel_rid, __keel_source, __keel_record, __keel_priority + data
     * columns) and `clusters` (columns __keel_rid BIGINT, cluster_id BIGINT, one row per record).
     */
    static void create(Execution execution, String step, String records, String clusters, List<String> dataColumns,
                       StepSpec.Survivorship survivorship, boolean matchMerge, String path) throws SQLException {
        String recency = survivorship.recencyColumn();
        if (!recency.isEmpty() && !dataColumns.contains(recency)) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".survivorship.recency-column", "column '" + recency
                    + "' does not exist in the step's input; its columns are " + dataColumns);
        }
        String complete = "(" + dataColumns.stream().map(column -> "(m." + Sql.id(column) + " IS NOT NULL)::INTEGER")
                .collect(Collectors.joining(" + ")) + ")";
        List<String> selects = new ArrayList<>();
        List<String> provenance = new ArrayList<>();
        for (String column : dataColumns) {
            String order = switch (survivorship.ruleFor(column)) {
                case FIRST -> "m.__keel_rid";
                case MOST_RECENT -> "m." + Sql.id(recency) + " DESC NULLS LAST, m.__keel_priority, m.__keel_rid";
                case MOST_COMPLETE -> complete + " DESC, m.__keel_priority, m.__keel_rid";
                case LONGEST -> "length(CAST(m." + Sql.id(column) + " AS VARCHAR)) DESC, m.__keel_priority, m.__keel_rid";
                case SOURCE_PRIORITY, MOST_FREQUENT -> "m.__keel_priority, m.__keel_rid";
            };
            String filter = " FILTER (WHERE m." + Sql.id(column) + " IS NOT NULL)";
            selects.add("first(m." + Sql.id(column) + " ORDER BY " + order + ")" + filter + " AS " + Sql.id(column));
            provenance.add(Sql.literal(column) + ", first(m.__keel_record ORDER BY " + order + ")" + filter);
        }
        selects.add("dense_rank() OVER (ORDER BY c.cluster_id)::BIGINT AS golden_id");
        if (matchMerge) {
            selects.add("count(*)::BIGINT AS source_count");
            selects.add("string_agg(DISTINCT m.__keel_source, ',' ORDER BY m.__keel_source) AS sources");
        } else {
            selects.add("count(*)::BIGINT AS record_count");
        }
        selects.add((provenance.isEmpty() ? "'{}'" : "json_object(" + String.join(", ", provenance) + ")::VARCHAR") + " AS provenance");
        execution.execute("CREATE TABLE " + Sql.id(step) + " AS SELECT " + String.join(", ", selects) + " FROM " + records + " AS m JOIN "
                + clusters + " AS c ON c.__keel_rid = m.__keel_rid GROUP BY c.cluster_id ORDER BY golden_id");
    }
}
