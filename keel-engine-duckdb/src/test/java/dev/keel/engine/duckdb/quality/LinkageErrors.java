package dev.keel.engine.duckdb.quality;

import dev.keel.spi.data.EngineResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run's errors come from: the true pairs it split (grouped by the rules the injector applied to the two records and
 * by what happened to the pair: never a candidate (no blocking key shared), below the link floor, below the threshold, or
 * linked but lost) and the pairs it merged that
 * are different entities, with their comparison levels from the run's link table.
 */
final class LinkageErrors {
    private LinkageErrors() {
    }

    /** A text report over the case's inputs and the run's clusters and links datasets. */
    static String analyse(QualityCases.Case generated, EngineResult result) {
        Path clusters = staged(result, "-clusters");
        Path links = staged(result, "-links");
        StringBuilder out = new StringBuilder();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            List<String> reads = new ArrayList<>();
            for (Path input : generated.inputs()) {
                String stem = input.getFileName().toString().replaceFirst("\\.csv$", "");
                String key = generated.match() ? "'" + stem + ":' || record_id" : "record_id";
                reads.add("SELECT " + key + " AS rid, entity, coalesce(injected, '') AS injected, name, city, state, latitude, longitude"
                        + " FROM read_csv('" + input.toAbsolutePath() + "', header = true, all_varchar = true)");
            }
            sql.execute("CREATE TABLE truth AS " + String.join(" UNION ALL ", reads));
            sql.execute("CREATE TABLE clusters AS SELECT * EXCLUDE (record_id), record_id AS rid FROM read_parquet('" + clusters + "')");
            List<String> keys = new ArrayList<>();
            try (ResultSet columns = sql.executeQuery("SELECT column_name FROM (DESCRIBE clusters) WHERE column_name LIKE 'key\\_%' ESCAPE '\\'")) {
                while (columns.next()) {
                    keys.add(columns.getString(1));
                }
            }
            // A pair is a candidate when it shares any rule's key (present on both); one below the link floor is not in the links.
            String shared = keys.isEmpty() ? "false" : String.join(" OR ", keys.stream()
                    .map(key -> "coalesce(a." + key + " = b." + key + ", false)").toList());
            sql.execute("CREATE TABLE links AS SELECT * FROM read_parquet('" + links + "')");
            List<String> levels = new ArrayList<>();
            try (ResultSet columns = sql.executeQuery("SELECT column_name FROM (DESCRIBE links) WHERE column_name LIKE '%\\_level' ESCAPE '\\'")) {
                while (columns.next()) {
                    levels.add(columns.getString(1));
                }
            }
            String vector = levels.isEmpty() ? "''" : "concat_ws(' ', " + String.join(", ", levels.stream()
                    .map(level -> "'" + level.replaceFirst("_level$", "") + "=' || coalesce(" + level + ", 'null')").toList()) + ")";
            sql.execute("CREATE TABLE records AS SELECT t.*, c.* EXCLUDE (rid) FROM truth t JOIN clusters c USING (rid)");
            sql.execute("CREATE TABLE pairs AS SELECT a.rid AS left_id, b.rid AS right_id, a.entity = b.entity AS same_entity,"
                    + " a.cluster_id = b.cluster_id AS same_cluster, trim(a.injected || ' ' || b.injected) AS injected,"
                    + " a.name AS left_name, b.name AS right_name, " + shared + " AS candidate"
                    + " FROM records a JOIN records b ON a.rid < b.rid"
                    + " AND (a.entity = b.entity OR a.cluster_id = b.cluster_id)");
            sql.execute("CREATE TABLE judged AS SELECT p.*, coalesce(l.decision, CASE WHEN p.candidate THEN 'below-link-floor'"
                    + " ELSE 'not-a-candidate' END) AS decision, l.probability, l.rule, " + vector + " AS levels FROM pairs p"
                    + " LEFT JOIN links l ON (l.left_id = p.left_id AND l.right_id = p.right_id)"
                    + " OR (l.left_id = p.right_id AND l.right_id = p.left_id)");
            out.append(table(sql, "split true pairs by injected rules and outcome", "SELECT injected, decision, count(*) AS pairs"
                    + " FROM judged WHERE same_entity AND NOT same_cluster GROUP BY ALL ORDER BY pairs DESC LIMIT 15"));
            out.append(table(sql, "split true pairs by levels", "SELECT decision, levels, count(*) AS pairs FROM judged"
                    + " WHERE same_entity AND NOT same_cluster GROUP BY ALL ORDER BY pairs DESC LIMIT 10"));
            out.append(table(sql, "split true pairs, examples", "SELECT left_name, right_name, injected, decision, round(probability, 4)"
                    + " AS p, levels FROM judged WHERE same_entity AND NOT same_cluster ORDER BY hash(left_id || right_id) LIMIT 12"));
            out.append(table(sql, "merged pairs of different entities by outcome", "SELECT decision, count(*) AS pairs FROM judged"
                    + " WHERE NOT same_entity AND same_cluster GROUP BY ALL ORDER BY pairs DESC"));
            out.append(table(sql, "merged pairs of different entities, direct links", "SELECT left_name, right_name, round(probability, 4)"
                    + " AS p, levels FROM judged WHERE NOT same_entity AND same_cluster AND decision = 'linked'"
                    + " ORDER BY probability DESC LIMIT 12"));
        } catch (SQLException e) {
            out.append("error analysis failed: ").append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    private static Path staged(EngineResult result, String suffix) {
        return result.outputs().stream().filter(output -> output.dataset().endsWith(suffix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the run staged no output ending in " + suffix + ": " + result.outputs()))
                .file().toAbsolutePath();
    }

    private static String table(Statement sql, String title, String query) throws SQLException {
        StringBuilder out = new StringBuilder("-- ").append(title).append('\n');
        try (ResultSet rows = sql.executeQuery(query)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                List<String> values = new ArrayList<>();
                for (int c = 1; c <= columns; c++) {
                    values.add(String.valueOf(rows.getObject(c)));
                }
                out.append("  ").append(String.join(" | ", values)).append('\n');
            }
        }
        return out.toString();
    }
}
