import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the months the retraining benchmark feeds to Keel, in the layout of examples/flights (date, delay, distance, origin,
 * destination): every flight of May and June 2001 into full/, every 4th flight in time order into quarter/. Also exports, per
 * size, the rows the June pipeline run produces (the latest 30 days, the model's 13 features, delayed = delay > 15) as CSV for
 * the scikit-learn side-by-side.
 * Usage: java -cp duckdb_jdbc.jar MonthFiles.java FLIGHTS_3M_PARQUET WORK_DIR DEMO_SAMPLES_DIR
 */
public class MonthFiles {
    static final String[] HUBS = {"ORD", "DFW", "ATL", "LAX", "PHX", "STL", "DTW", "MSP", "LAS", "DEN"};

    public static void main(String[] args) throws Exception {
        String source = args[0].replace("'", "''");
        Path work = Path.of(args[1]);
        Path demo = Path.of(args[2]);
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            for (String size : new String[] {"full", "quarter"}) {
                Path folder = work.resolve(size);
                Files.createDirectories(folder);
                String filter = size.equals("full") ? "" : " AND rn % 4 = 0";
                for (int month : new int[] {5, 6}) {
                    Path target = folder.resolve("flights-2001-0" + month + ".parquet");
                    if (Files.exists(target)) {
                        continue;
                    }
                    statement.execute("COPY (SELECT date, delay, distance, origin, destination FROM (SELECT *, row_number() OVER (ORDER BY date,"
                            + " origin, destination, delay, distance) AS rn FROM '" + source + "') WHERE month(date) = " + month + filter
                            + " ORDER BY rn) TO '" + target.toString().replace("'", "''") + "' (FORMAT parquet, COMPRESSION zstd)");
                }
            }
            for (String size : new String[] {"demo", "quarter", "full"}) {
                Path folder = size.equals("demo") ? demo : work.resolve(size);
                Path csv = work.resolve("june-rows-" + size + ".csv");
                String glob = folder.resolve("flights-2001-*.parquet").toString().replace("'", "''");
                statement.execute("COPY (" + features("'" + glob + "'") + ") TO '" + csv.toString().replace("'", "''") + "' (HEADER, DELIMITER ',')");
            }
        }
    }

    /** The June pipeline run's query (RetrainingDemo.pipeline), over both months as the inbox holds them. */
    static String features(String from) {
        StringBuilder hubs = new StringBuilder();
        for (String hub : HUBS) {
            hubs.append("CAST(origin = '").append(hub).append("' AS DOUBLE) AS from_").append(hub.toLowerCase()).append(", ");
        }
        return "SELECT hour(date) + minute(date) / 60.0 AS dep_hour, CAST(distance AS DOUBLE) AS distance, CAST(dayofweek(date) AS DOUBLE)"
                + " AS day_of_week, " + hubs + "origin, CAST(delay > 15 AS INTEGER) AS delayed FROM " + from
                + " WHERE date > (SELECT max(date) FROM " + from + ") - INTERVAL 30 DAY";
    }
}
