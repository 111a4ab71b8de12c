import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the batch-scoring inputs from the real German credit rows (examples/credit-g/credit-g.csv, 1000 rows): the rows one-hot
 * encoded into the forest's 63 features, under the forest's feature names and in its input order (credit_rf_features.txt), once
 * as they are (credit-encoded.parquet, with the class, for training) and then sampled with replacement into files of N rows
 * with an id column (credit-N.parquet). Row i of a sample is credit row hash(i) mod 1000: the same file every time.
 *
 * <p>Usage: {@code java -cp "keel-cli/target/lib/*" MakeInput.java CREDIT_CSV FEATURES_TXT OUT_DIR N...}
 */
public class MakeInput {
    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args[0]);
        List<String> names = Files.readAllLines(Path.of(args[1])).stream().filter(line -> !line.isBlank()).toList();
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        Map<String, List<String>> groups = new LinkedHashMap<>();
        List<String> select = new ArrayList<>();
        for (String name : names) {
            int equals = name.indexOf('=');
            if (equals < 0) {
                select.add("CAST(" + quote(name) + " AS REAL) AS " + quote(name));
            } else {
                String column = name.substring(0, equals);
                String category = name.substring(equals + 1);
                groups.computeIfAbsent(column, c -> new ArrayList<>()).add(name);
                select.add("CAST(" + quote(column) + " = " + literal(category) + " AS REAL) AS " + quote(name));
            }
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duck.createStatement()) {
            statement.execute("CREATE TABLE raw AS SELECT row_number() OVER () - 1 AS credit_row, * FROM read_csv(" + literal(csv.toString())
                    + ", header = true, all_varchar = true)");
            statement.execute("CREATE TABLE encoded AS SELECT credit_row, " + String.join(", ", select)
                    + ", CAST(class = 'bad' AS INTEGER) AS truth FROM raw ORDER BY credit_row");
            // Every categorical value must fall into exactly one of the forest's categories.
            for (Map.Entry<String, List<String>> group : groups.entrySet()) {
                String sum = String.join(" + ", group.getValue().stream().map(MakeInput::quote).toList());
                try (ResultSet bad = statement.executeQuery("SELECT count(*) FROM encoded WHERE " + sum + " <> 1")) {
                    bad.next();
                    if (bad.getLong(1) != 0) {
                        throw new IllegalStateException(bad.getLong(1) + " rows have a value of '" + group.getKey()
                                + "' outside the forest's categories");
                    }
                }
            }
            try (ResultSet count = statement.executeQuery("SELECT count(*) FROM encoded")) {
                count.next();
                if (count.getLong(1) != 1000) {
                    throw new IllegalStateException("expected the 1000 German credit rows, found " + count.getLong(1));
                }
            }
            statement.execute("COPY (SELECT * EXCLUDE (credit_row) FROM encoded ORDER BY credit_row) TO "
                    + literal(out.resolve("credit-encoded.parquet").toString()) + " (FORMAT parquet)");
            String features = String.join(", ", names.stream().map(MakeInput::quote).toList());
            for (int i = 3; i < args.length; i++) {
                long rows = Long.parseLong(args[i]);
                Path file = out.resolve("credit-" + args[i] + ".parquet");
                long started = System.nanoTime();
                statement.execute("COPY (SELECT r.i AS id, " + features + " FROM range(" + rows + ") r(i) JOIN encoded e"
                        + " ON e.credit_row = hash(r.i) % 1000 ORDER BY r.i) TO " + literal(file.toString()) + " (FORMAT parquet)");
                System.out.printf("wrote %s: %,d rows x %d features + id, %,d bytes, %.1f s%n", file, rows, names.size(), Files.size(file),
                        (System.nanoTime() - started) / 1e9);
            }
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
