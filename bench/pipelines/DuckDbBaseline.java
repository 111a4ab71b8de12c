import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same work as bench/pipelines/flights.yaml, written by hand as DuckDB SQL: the limit a pipeline on DuckDB can reach.
 * Reads the dirty Parquet, trims and upper-cases the airport codes, quarantines rows without both codes or with a
 * non-positive distance, removes exact duplicates, writes the snapshot and the quarantine as Parquet, and computes the
 * same profile (counts, nulls, distinct, min/max, mean, quantiles, 10-bin histograms, top values).
 */
public final class DuckDbBaseline {
    private DuckDbBaseline() {
    }

    public static void main(String[] args) throws Exception {
        String input = args[0];
        String out = args[1];
        long start = System.nanoTime();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("CREATE TABLE cleaned AS SELECT date, delay, distance, nullif(upper(trim(origin)), '') AS origin,"
                    + " nullif(upper(trim(destination)), '') AS destination FROM read_parquet('" + input + "')");
            String bad = "origin IS NULL OR destination IS NULL OR distance < 1";
            sql.execute("COPY (SELECT * FROM cleaned WHERE " + bad + ") TO '" + out + "/quarantine.parquet' (FORMAT parquet)");
            sql.execute("CREATE TABLE flights AS SELECT DISTINCT * FROM cleaned WHERE NOT (" + bad + ")");
            sql.execute("COPY flights TO '" + out + "/flights.parquet' (FORMAT parquet, COMPRESSION zstd)");
            long in = scalar(sql, "SELECT count(*) FROM read_parquet('" + input + "')");
            long quarantined = scalar(sql, "SELECT count(*) FROM cleaned WHERE " + bad);
            long rows = scalar(sql, "SELECT count(*) FROM flights");
            profile(sql);
            System.out.printf("duckdb-sql in=%d out=%d quarantined=%d merged=%d seconds_in_process=%.2f%n", in, rows, quarantined,
                    in - rows - quarantined, (System.nanoTime() - start) / 1e9);
        }
    }

    private static long scalar(Statement sql, String query) throws Exception {
        try (ResultSet result = sql.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static void profile(Statement sql) throws Exception {
        Map<String, String> columns = new LinkedHashMap<>();
        try (ResultSet rows = sql.executeQuery("DESCRIBE flights")) {
            while (rows.next()) {
                columns.put(rows.getString(1), rows.getString(2));
            }
        }
        List<String> aggregates = new ArrayList<>();
        for (Map.Entry<String, String> column : columns.entrySet()) {
            String c = column.getKey();
            aggregates.add("count(" + c + "), approx_count_distinct(" + c + "), min(" + c + ")::VARCHAR, max(" + c + ")::VARCHAR");
            if (column.getValue().equals("BIGINT")) {
                aggregates.add("avg(" + c + "), quantile_cont(" + c + ", [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]), min(" + c
                        + ")::DOUBLE, max(" + c + ")::DOUBLE");
            }
        }
        try (ResultSet rows = sql.executeQuery("SELECT count(*), " + String.join(", ", aggregates) + " FROM flights")) {
            rows.next();
        }
        for (Map.Entry<String, String> column : columns.entrySet()) {
            String c = column.getKey();
            if (column.getValue().equals("BIGINT")) {
                try (ResultSet range = sql.executeQuery("SELECT min(" + c + ")::DOUBLE, max(" + c + ")::DOUBLE FROM flights")) {
                    range.next();
                    double low = range.getDouble(1);
                    double width = (range.getDouble(2) - low) / 10;
                    try (ResultSet bins = sql.executeQuery("SELECT least(floor((" + c + " - " + low + ") / " + width
                            + ")::INTEGER, 9) AS b, count(*) FROM flights WHERE " + c + " IS NOT NULL GROUP BY b")) {
                        while (bins.next()) {
                            bins.getLong(2);
                        }
                    }
                }
            }
            if (column.getValue().startsWith("TIMESTAMP")) {
                continue;
            }
            try (ResultSet top = sql.executeQuery("SELECT v::VARCHAR, n FROM (SELECT " + c + " AS v, count(*) AS n FROM flights WHERE "
                    + c + " IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT 10)")) {
                while (top.next()) {
                    top.getLong(2);
                }
            }
        }
    }
}
