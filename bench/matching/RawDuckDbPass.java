import dev.keel.core.matching.GeoPoint;
import dev.keel.core.matching.Keys;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The raw limit of a linkage pass, written by hand: the candidate pairs of the blocking rules of bench/matching's cities.yaml
 * (each pair once, under the first rule that generates it) and, on every pair, DuckDB's jaro_winkler_similarity of the
 * normalised names, the haversine distance and the equality of country and state. Keys are the ones Keel uses (Double
 * Metaphone and geohash of keel-core's Keys, the same normalisation), computed here in Java since DuckDB has neither.
 * No training, no clustering, no golden records: what a hand-written pipeline that only scores pairs costs.
 *
 * <p>{@code RawDuckDbPass <cities.csv> rules} prints the per-rule counts and timings and a summary line;
 * {@code RawDuckDbPass <cities.csv> defaults} counts the pairs the default blocking rules would generate (no scoring).
 */
public final class RawDuckDbPass {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private RawDuckDbPass() {
    }

    public static void main(String[] args) throws Exception {
        String csv = args[0];
        boolean defaults = args.length > 1 && args[1].equals("defaults");
        long start = System.nanoTime();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("CREATE TABLE records AS SELECT row_number() OVER () - 1 AS rid, * FROM read_csv('" + csv + "', header = true,"
                    + " types = {'record_id': 'VARCHAR', 'entity': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR', 'state': 'VARCHAR',"
                    + " 'country': 'VARCHAR', 'latitude': 'DOUBLE', 'longitude': 'DOUBLE'})");
            long loaded = System.nanoTime();
            List<String> rules = defaults ? List.of("name-sound", "name-tokens", "location-cell") : List.of("sound-region", "tokens-country", "cell");
            List<String> columns = rules.stream().map(rule -> "key_" + rule.replace('-', '_')).toList();
            List<Object[]> records = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("SELECT rid, name, country, latitude, longitude FROM records ORDER BY rid")) {
                while (rows.next()) {
                    records.add(new Object[] {rows.getLong(1), rows.getString(2), rows.getString(3), rows.getObject(4, Double.class),
                        rows.getObject(5, Double.class)});
                }
            }
            long read = System.nanoTime();
            // The keys go back to DuckDB through a file (DuckDB's CSV reader is far faster than row-by-row appends).
            Path keyFile = Files.createTempFile("raw-keys", ".tsv");
            try (BufferedWriter out = Files.newBufferedWriter(keyFile)) {
                out.write("rid\tnorm\t" + String.join("\t", columns) + "\n");
                for (Object[] row : records) {
                    String name = (String) row[1];
                    String country = (String) row[2];
                    Double latitude = (Double) row[3];
                    Double longitude = (Double) row[4];
                    GeoPoint point = latitude == null || longitude == null ? null : new GeoPoint(latitude, longitude);
                    String norm = name == null ? null : normalise(name);
                    String metaphone = name == null ? null : blankAsNull(Keys.doubleMetaphone(name));
                    String tokens = norm == null ? null : blankAsNull(sortedTokens(norm));
                    List<String> keyValues = defaults
                            ? Arrays.asList(metaphone, tokens, point == null ? null : Keys.geohash(point, 5))
                            : Arrays.asList(metaphone == null || point == null ? null : metaphone + "|" + Keys.geohash(point, 3),
                                    tokens == null || country == null ? null : tokens + "|" + country,
                                    point == null ? null : Keys.geohash(point, 6));
                    out.write(Long.toString((long) row[0]));
                    out.write('\t');
                    out.write(norm == null ? "\\N" : norm);
                    for (String key : keyValues) {
                        out.write('\t');
                        out.write(key == null ? "\\N" : key);
                    }
                    out.write('\n');
                }
            }
            StringBuilder keyTypes = new StringBuilder("'rid': 'BIGINT', 'norm': 'VARCHAR'");
            columns.forEach(column -> keyTypes.append(", '").append(column).append("': 'VARCHAR'"));
            sql.execute("CREATE TABLE keys AS SELECT k.*, r.country, r.state, r.latitude, r.longitude FROM read_csv('" + keyFile
                    + "', delim = '\t', header = true, quote = '', escape = '', nullstr = '\\N', types = {" + keyTypes + "}) k"
                    + " JOIN records r USING (rid)");
            Files.delete(keyFile);
            long keyed = System.nanoTime();
            System.err.printf("load %.2f s, read back %.2f s, keys %.2f s%n", (loaded - start) / 1e9, (read - loaded) / 1e9,
                    (keyed - read) / 1e9);
            long totalGenerated = 0;
            long totalCompared = 0;
            double scoreSum = 0;
            long similar = 0;
            for (int i = 0; i < rules.size(); i++) {
                String key = columns.get(i);
                long generated = scalar(sql, "SELECT coalesce(sum(n * (n - 1) / 2), 0)::BIGINT FROM (SELECT count(*) AS n FROM keys WHERE "
                        + key + " IS NOT NULL GROUP BY " + key + ")");
                totalGenerated += generated;
                if (defaults) {
                    System.out.printf("rule %s generated=%d%n", rules.get(i), generated);
                    continue;
                }
                StringBuilder earlier = new StringBuilder();
                for (int j = 0; j < i; j++) {
                    String earlierKey = columns.get(j);
                    // Both present and equal: a NULL on either side must not turn the whole condition NULL (that drops the pair).
                    earlier.append(" AND NOT (a.").append(earlierKey).append(" IS NOT NULL AND b.").append(earlierKey)
                            .append(" IS NOT NULL AND a.").append(earlierKey).append(" = b.").append(earlierKey).append(')');
                }
                long ruleStart = System.nanoTime();
                String query = "SELECT count(*), sum(jw), count(*) FILTER (jw >= 0.92 AND km <= 1), sum(same_country::INT),"
                        + " sum(same_state::INT) FROM (SELECT jaro_winkler_similarity(a.norm, b.norm) AS jw,"
                        + " 2 * 6371.0088 * asin(least(1, sqrt(pow(sin(radians(b.latitude - a.latitude) / 2), 2)"
                        + " + cos(radians(a.latitude)) * cos(radians(b.latitude)) * pow(sin(radians(b.longitude - a.longitude) / 2), 2)))) AS km,"
                        + " a.country = b.country AS same_country, a.state = b.state AS same_state"
                        + " FROM keys a JOIN keys b ON a." + key + " = b." + key + " AND a.rid < b.rid" + earlier + ")";
                try (ResultSet result = sql.executeQuery(query)) {
                    result.next();
                    long compared = result.getLong(1);
                    totalCompared += compared;
                    scoreSum += result.getDouble(2);
                    similar += result.getLong(3);
                    System.out.printf("rule %s generated=%d compared=%d seconds=%.2f%n", rules.get(i), generated, compared,
                            (System.nanoTime() - ruleStart) / 1e9);
                }
            }
            long count = records.size();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "raw-duckdb records=%d generated=%d compared=%d similar=%d jw_sum=%.1f seconds_in_process=%.2f"
                    + " records_per_second=%.0f%n", count, totalGenerated, totalCompared, similar, scoreSum, seconds, count / seconds);
        }
    }

    private static long scalar(Statement sql, String query) throws Exception {
        try (ResultSet result = sql.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** keel-core's normalisation: NFD, combining marks removed, lower case, punctuation and symbols dropped, blanks collapsed. */
    static String normalise(String value) {
        String unaccented = MARKS.matcher(Normalizer.normalize(value, Normalizer.Form.NFD)).replaceAll("");
        String unpunctuated = PUNCTUATION.matcher(unaccented.toLowerCase(Locale.ROOT)).replaceAll("");
        return WHITESPACE.matcher(unpunctuated).replaceAll(" ").strip();
    }

    private static String sortedTokens(String normalised) {
        if (normalised.isEmpty()) {
            return normalised;
        }
        String[] tokens = normalised.split(" ");
        Arrays.sort(tokens);
        return String.join(" ", tokens);
    }

    private static String blankAsNull(String key) {
        return key.isEmpty() ? null : key;
    }
}
