package dev.keel.engine.duckdb;

import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.StepSpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Exact and fuzzy matching: candidate pairs come from a join on the blocking key (never the full cross product), are
 * confirmed by key equality and similarity thresholds, and are closed transitively into clusters.
 */
final class Matcher {
    private final Execution execution;
    private final String path;

    Matcher(Execution execution, String path) {
        this.execution = execution;
        this.path = path;
    }

    long dedupe(StepSpec.Dedupe step) throws SQLException {
        Map<String, String> columns = checkMatching(step.input(), step.matching());
        if (step.keep() == StepSpec.SurvivorRule.MOST_RECENT) {
            execution.requireColumns(step.input(), List.of(step.recencyColumn()), path + ".recency-column");
        }
        String input = Sql.id(step.input());
        String order = switch (step.keep()) {
            case MOST_RECENT -> "t." + Sql.id(step.recencyColumn()) + " DESC NULLS LAST, t.rowid";
            case MOST_COMPLETE -> completeness(columns.keySet().stream().toList(), "t.") + " DESC, t.rowid";
            case FIRST, SOURCE_PRIORITY, MOST_FREQUENT, LONGEST -> "t.rowid";
        };
        String sql;
        if (step.matching().fuzzy().isEmpty()) {
            List<String> keys = step.matching().keys().isEmpty() ? new ArrayList<>(columns.keySet()) : step.matching().keys();
            // PARTITION BY groups NULLs together, as DISTINCT and GROUP BY do: rows that agree on every key, NULLs included, merge.
            String partition = keys.stream().map(key -> "t." + Sql.id(key)).collect(Collectors.joining(", "));
            if (step.matching().keys().isEmpty()) {
                // Whole-row duplicates are identical, so any survivor will do: keep the first, in input order.
                sql = "SELECT * EXCLUDE (__keel_first) FROM (SELECT *, min(rowid) AS __keel_first FROM " + input
                        + " GROUP BY ALL) ORDER BY __keel_first";
            } else {
                // A ranked subquery rather than QUALIFY: DuckDB fails internally on QUALIFY over NULL-holding partitions here.
                sql = "SELECT * EXCLUDE (__keel_rid, __keel_rank) FROM (SELECT t.*, t.rowid AS __keel_rid, row_number() OVER"
                        + " (PARTITION BY " + partition + " ORDER BY " + order + ") AS __keel_rank FROM " + input + " AS t)"
                        + " WHERE __keel_rank = 1 ORDER BY __keel_rid";
            }
        } else {
            String clusters = cluster(input, step.matching());
            sql = "SELECT t.* FROM " + input + " AS t LEFT JOIN " + clusters + " AS c ON t.rowid = c.rid QUALIFY row_number() OVER"
                    + " (PARTITION BY coalesce(c.root, t.rowid) ORDER BY " + order + ") = 1 ORDER BY t.rowid";
        }
        create(step.name(), sql);
        return 0;
    }

    long matchMerge(StepSpec.MatchMerge step) throws SQLException {
        List<String> priority = new ArrayList<>(step.survivorship().sourcePriority());
        step.inputs().stream().filter(input -> !priority.contains(input)).forEach(priority::add);
        String union = "__keel_union_" + step.name();
        List<String> parts = new ArrayList<>();
        for (String input : step.inputs()) {
            parts.add("SELECT *, " + Sql.literal(input) + " AS __keel_source, " + priority.indexOf(input)
                    + " AS __keel_priority FROM " + Sql.id(input));
        }
        try {
            execution.execute("CREATE TABLE " + Sql.id(union) + " AS " + String.join(" UNION ALL BY NAME ", parts));
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".inputs", "cannot combine the inputs of '" + step.name() + "': "
                    + SourceLoader.firstLine(e), e);
        }
        Map<String, String> columns = checkMatching(union, step.matching());
        List<String> dataColumns = columns.keySet().stream().filter(column -> !column.startsWith("__keel_")).toList();
        String recency = step.survivorship().recencyColumn();
        if (!recency.isEmpty()) {
            execution.requireColumns(union, List.of(recency), path + ".survivorship.recency-column");
        }
        for (String column : step.survivorship().columns().keySet()) {
            if (!dataColumns.contains(column)) {
                throw new DataEngineException(Kind.BAD_SPEC, path + ".survivorship.columns." + column, "column '" + column
                        + "' is in none of the inputs; columns: " + dataColumns);
            }
        }
        String clusters = cluster(Sql.id(union), step.matching());
        String complete = completeness(dataColumns, "u.");
        List<String> selects = new ArrayList<>();
        selects.add("coalesce(c.root, u.rowid) + 1 AS golden_id");
        for (String column : dataColumns) {
            String order = switch (step.survivorship().ruleFor(column)) {
                case MOST_RECENT -> "u." + Sql.id(recency) + " DESC NULLS LAST, u.__keel_priority, u.rowid";
                case MOST_COMPLETE -> complete + " DESC, u.__keel_priority, u.rowid";
                case SOURCE_PRIORITY, FIRST, MOST_FREQUENT, LONGEST -> "u.__keel_priority, u.rowid";
            };
            selects.add("first(u." + Sql.id(column) + " ORDER BY " + order + ") FILTER (WHERE u." + Sql.id(column)
                    + " IS NOT NULL) AS " + Sql.id(column));
        }
        selects.add("count(*) AS source_count");
        selects.add("string_agg(DISTINCT u.__keel_source, ',' ORDER BY u.__keel_source) AS sources");
        create(step.name(), "SELECT " + String.join(", ", selects) + " FROM " + Sql.id(union) + " AS u LEFT JOIN " + clusters
                + " AS c ON u.rowid = c.rid GROUP BY coalesce(c.root, u.rowid) ORDER BY golden_id");
        execution.execute("DROP TABLE " + Sql.id(union));
        return 0;
    }

    private Map<String, String> checkMatching(String relation, StepSpec.Matching matching) throws SQLException {
        execution.requireColumns(relation, matching.keys(), path + ".keys");
        for (int index = 0; index < matching.fuzzy().size(); index++) {
            execution.requireColumns(relation, List.of(matching.fuzzy().get(index).column()), path + ".fuzzy[" + index + "].column");
        }
        return execution.requireColumns(relation, matching.blocking().columns(), path + ".blocking.columns");
    }

    private static String completeness(List<String> columns, String alias) {
        return "(" + columns.stream().map(column -> "(" + alias + Sql.id(column) + " IS NOT NULL)::INTEGER")
                .collect(Collectors.joining(" + ")) + ")";
    }

    /** Finds matching pairs within blocks and returns a temp table mapping each matched row id to its cluster's root. */
    private String cluster(String relation, StepSpec.Matching matching) throws SQLException {
        List<String> join = new ArrayList<>();
        // NULL-safe equality: a NULL key or blocking value matches a NULL, as in DISTINCT and GROUP BY.
        for (String column : matching.blocking().columns()) {
            join.add("a." + Sql.id(column) + " IS NOT DISTINCT FROM b." + Sql.id(column));
        }
        for (String key : matching.keys()) {
            join.add("a." + Sql.id(key) + " IS NOT DISTINCT FROM b." + Sql.id(key));
        }
        int prefix = matching.blocking().prefixLength();
        List<String> where = new ArrayList<>();
        for (StepSpec.FuzzyMatch fuzzy : matching.fuzzy()) {
            String left = "lower(CAST(a." + Sql.id(fuzzy.column()) + " AS VARCHAR))";
            String right = "lower(CAST(b." + Sql.id(fuzzy.column()) + " AS VARCHAR))";
            if (prefix > 0) {
                join.add("left(" + left + ", " + prefix + ") = left(" + right + ", " + prefix + ")");
            }
            String similarity = switch (fuzzy.similarity()) {
                case JARO_WINKLER -> "jaro_winkler_similarity(" + left + ", " + right + ")";
                case LEVENSHTEIN -> "1.0 - levenshtein(" + left + ", " + right + ")::DOUBLE / greatest(length(" + left + "), length("
                        + right + "), 1)";
            };
            where.add(similarity + " >= " + fuzzy.threshold());
        }
        if (join.isEmpty()) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".blocking", "matching needs keys or blocking so that it does not"
                    + " compare every pair of rows");
        }
        String sql = "SELECT a.rowid, b.rowid FROM " + relation + " AS a JOIN " + relation + " AS b ON " + String.join(" AND ", join)
                + " AND a.rowid < b.rowid" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where));
        UnionFind sets = new UnionFind();
        try (Statement statement = execution.connection().createStatement(); ResultSet pairs = statement.executeQuery(sql)) {
            while (pairs.next()) {
                sets.union(pairs.getLong(1), pairs.getLong(2));
            }
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path, "matching failed: " + SourceLoader.firstLine(e), e);
        }
        String table = "__keel_clusters";
        execution.writeClusters(table, sets.clusters());
        return table;
    }

    private void create(String name, String sql) throws SQLException {
        try {
            execution.execute("CREATE TABLE " + Sql.id(name) + " AS " + sql);
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path, "step '" + name + "' failed: " + SourceLoader.firstLine(e), e);
        }
    }
}
