import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** Writes the monthly samples of this folder from flights-3m.parquet: every 40th flight in time order, May and June 2001. */
public class Sample {
    public static void main(String[] args) throws Exception {
        String source = args[0].replace("'", "''");
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            for (int month : new int[] {5, 6}) {
                statement.execute("COPY (SELECT date, delay, distance, origin, destination FROM (SELECT *, row_number() OVER (ORDER BY date,"
                        + " origin, destination, delay, distance) AS rn FROM '" + source + "') WHERE rn % 40 = 0 AND month(date) = " + month
                        + " ORDER BY rn) TO 'flights-2001-0" + month + ".parquet' (FORMAT parquet, COMPRESSION zstd)");
            }
        }
    }
}
