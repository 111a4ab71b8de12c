import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Makes the 3M-row flights Parquet realistically dirty, deterministically (hash-based selection, seed 42): 0.5 % of rows
 * lose a key (origin or destination), 2 % get an untrimmed lower-case origin and 2 % an untrimmed lower-case destination,
 * and 1 % of rows are written twice (exact duplicates). Writes flights-dirty.parquet and flights-dirty.csv.
 */
public final class MakeDirty {
    private MakeDirty() {
    }

    public static void main(String[] args) throws Exception {
        String source = args[0];
        String work = args[1];
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("CREATE TABLE base AS SELECT row_number() OVER () AS rn, * FROM read_parquet('" + source + "')");
            sql.execute("""
                    CREATE TABLE dirty AS
                    SELECT rn, date, delay, distance,
                           CASE WHEN h % 1000 < 5 AND h % 2 = 0 THEN NULL
                                WHEN h % 1000 BETWEEN 5 AND 24 THEN ' ' || lower(origin) || ' '
                                ELSE origin END AS origin,
                           CASE WHEN h % 1000 < 5 AND h % 2 = 1 THEN NULL
                                WHEN h % 1000 BETWEEN 25 AND 44 THEN lower(destination) || '  '
                                ELSE destination END AS destination
                    FROM (SELECT *, hash(rn, 42) AS h FROM base)
                    """);
            sql.execute("""
                    CREATE TABLE final AS
                    SELECT date, delay, distance, origin, destination FROM (
                      SELECT rn, 0 AS copy, * EXCLUDE (rn) FROM dirty
                      UNION ALL
                      SELECT rn, 1 AS copy, * EXCLUDE (rn) FROM dirty WHERE hash(rn, 7) % 100 = 0)
                    ORDER BY rn, copy
                    """);
            sql.execute("COPY final TO '" + work + "/flights-dirty.parquet' (FORMAT parquet)");
            sql.execute("COPY final TO '" + work + "/flights-dirty.csv' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')");
            try (ResultSet rows = sql.executeQuery("SELECT count(*), count(*) FILTER (WHERE origin IS NULL OR destination IS NULL),"
                    + " count(*) FILTER (WHERE origin <> trim(origin) OR destination <> trim(destination)) FROM final")) {
                rows.next();
                System.out.println("rows " + rows.getLong(1) + ", missing keys " + rows.getLong(2) + ", untrimmed " + rows.getLong(3));
            }
        }
    }
}
