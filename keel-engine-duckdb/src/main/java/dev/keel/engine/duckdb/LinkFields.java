package dev.keel.engine.duckdb;

import dev.keel.core.matching.Comparison;
import dev.keel.core.matching.ComparisonLevel;
import dev.keel.core.matching.GeoPoint;
import dev.keel.core.matching.Keys;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.Linkage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The compared fields and blocking keys of a linkage, compiled for the hot path: which values each record carries (its raw
 * text, normalised text, sorted tokens, number, day or point, computed once per record) and the level a pair of such values
 * falls in, with the semantics of {@link Comparison#levelOf(Object, Object)} but without normalising per pair.
 */
final class LinkFields {
    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

    private final List<Linkage.ComparisonSpec> specs;
    private final List<Comparison> comparisons;
    private final Field[] fields;
    private final List<Linkage.BlockingKey> keys;
    private final int[][] ruleKeys;

    /** What one comparison reads per record. */
    private record Field(Linkage.ComparisonSpec spec, boolean norm, boolean sorted, boolean number, boolean day, boolean point,
                         Linkage.LevelKind[] kinds, double[] values, int[] qs, LevenshteinDistance levenshtein) {
    }

    /** The values of one record, one slot per comparison; {@code raw[k] == null} when comparison k is null for it. */
    static final class Values {
        final String[] raw;
        final String[] norm;
        final String[] sorted;
        final double[] number;
        final long[] day;
        final double[] latitude;
        final double[] longitude;
        final long[] frequency;

        Values(int comparisons) {
            raw = new String[comparisons];
            norm = new String[comparisons];
            sorted = new String[comparisons];
            number = new double[comparisons];
            day = new long[comparisons];
            latitude = new double[comparisons];
            longitude = new double[comparisons];
            frequency = new long[comparisons];
        }

        Values copy() {
            Values copy = new Values(raw.length);
            System.arraycopy(raw, 0, copy.raw, 0, raw.length);
            System.arraycopy(norm, 0, copy.norm, 0, raw.length);
            System.arraycopy(sorted, 0, copy.sorted, 0, raw.length);
            System.arraycopy(number, 0, copy.number, 0, raw.length);
            System.arraycopy(day, 0, copy.day, 0, raw.length);
            System.arraycopy(latitude, 0, copy.latitude, 0, raw.length);
            System.arraycopy(longitude, 0, copy.longitude, 0, raw.length);
            System.arraycopy(frequency, 0, copy.frequency, 0, raw.length);
            return copy;
        }
    }

    LinkFields(Linkage linkage, Map<String, String> columnTypes, String path) {
        this.specs = linkage.comparisons();
        this.fields = new Field[specs.size()];
        this.comparisons = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int k = 0; k < specs.size(); k++) {
            Linkage.ComparisonSpec spec = specs.get(k);
            String where = path + ".linkage.comparisons[" + k + "]";
            if (!names.add(spec.name())) {
                throw new DataEngineException(Kind.BAD_SPEC, where + ".name", "comparison name '" + spec.name() + "' is used twice");
            }
            checkColumns(spec.columns(), columnTypes, where + ".columns");
            fields[k] = compile(spec, columnTypes, where);
            comparisons.add(core(spec, where));
        }
        List<Linkage.BlockingKey> distinct = new ArrayList<>();
        ruleKeys = new int[linkage.blocking().size()][];
        for (int r = 0; r < linkage.blocking().size(); r++) {
            Linkage.BlockingRule rule = linkage.blocking().get(r);
            ruleKeys[r] = new int[rule.keys().size()];
            for (int j = 0; j < rule.keys().size(); j++) {
                Linkage.BlockingKey key = rule.keys().get(j);
                String where = path + ".linkage.blocking[" + r + "].keys[" + j + "]";
                checkColumns(key.columns(), columnTypes, where + ".columns");
                if (key.function() == Linkage.KeyFunction.GEOHASH) {
                    if (key.length() > 12) {
                        throw new DataEngineException(Kind.BAD_SPEC, where + ".length", "a geohash key has 1 to 12 characters, got "
                                + key.length());
                    }
                    for (String column : key.columns()) {
                        requireNumeric(column, columnTypes, where + ".columns", "a geohash key");
                    }
                }
                int index = distinct.indexOf(key);
                if (index < 0) {
                    index = distinct.size();
                    distinct.add(key);
                }
                ruleKeys[r][j] = index;
            }
        }
        this.keys = List.copyOf(distinct);
    }

    private static void checkColumns(List<String> columns, Map<String, String> types, String path) {
        for (int index = 0; index < columns.size(); index++) {
            if (!types.containsKey(columns.get(index))) {
                throw new DataEngineException(Kind.BAD_SPEC, columns.size() > 1 ? path + "[" + index + "]" : path, "column '"
                        + columns.get(index) + "' does not exist in the step's input; its columns are " + types.keySet());
            }
        }
    }

    private static void requireNumeric(String column, Map<String, String> types, String path, String what) {
        String type = Sql.neutralType(types.get(column));
        if (!type.equals("integer") && !type.equals("double")) {
            throw new DataEngineException(Kind.BAD_SPEC, path, what + " needs numbers; column '" + column + "' is " + type);
        }
    }

    private static Field compile(Linkage.ComparisonSpec spec, Map<String, String> types, String where) {
        int size = spec.levels().size();
        Linkage.LevelKind[] kinds = new Linkage.LevelKind[size];
        double[] values = new double[size];
        int[] qs = new int[size];
        boolean norm = spec.termFrequencies();
        boolean sorted = false;
        boolean number = false;
        boolean day = false;
        boolean point = false;
        int maxEdits = -1;
        for (int i = 0; i < size; i++) {
            Linkage.LevelSpec level = spec.levels().get(i);
            kinds[i] = level.kind();
            values[i] = level.value();
            qs[i] = level.q();
            switch (level.kind()) {
                case EXACT -> {
                    // Compares the raw text, which every field carries.
                }
                case NORMALISED, JARO_WINKLER, JACCARD -> norm = true;
                case LEVENSHTEIN -> {
                    norm = true;
                    maxEdits = Math.max(maxEdits, (int) level.value());
                }
                case TOKEN_SORTED -> sorted = true;
                case ABSOLUTE_DIFFERENCE, RELATIVE_DIFFERENCE -> number = true;
                case DAYS_APART -> day = true;
                case KILOMETRES_APART -> point = true;
            }
        }
        String levelsPath = where + ".levels";
        if (number || day) {
            if (spec.columns().size() != 1) {
                throw new DataEngineException(Kind.BAD_SPEC, levelsPath, "comparison '" + spec.name() + "' compares "
                        + (number ? "numbers" : "dates") + " and reads one column, got " + spec.columns());
            }
            String column = spec.columns().getFirst();
            if (number) {
                requireNumeric(column, types, levelsPath, "comparison '" + spec.name() + "' (numeric levels)");
            }
            String type = Sql.neutralType(types.get(column));
            if (day && !type.equals("date") && !type.equals("timestamp")) {
                throw new DataEngineException(Kind.BAD_SPEC, levelsPath, "comparison '" + spec.name() + "' has days-apart levels,"
                        + " which need dates; column '" + column + "' is " + type);
            }
        }
        if (point) {
            if (spec.columns().size() != 2) {
                throw new DataEngineException(Kind.BAD_SPEC, levelsPath, "comparison '" + spec.name() + "' has km levels, which read"
                        + " two columns (latitude, longitude); got " + spec.columns());
            }
            for (String column : spec.columns()) {
                requireNumeric(column, types, where + ".columns", "comparison '" + spec.name() + "' (km levels)");
            }
        }
        return new Field(spec, norm, sorted, number, day, point, kinds, values, qs,
                maxEdits < 0 ? null : new LevenshteinDistance(maxEdits));
    }

    private static Comparison core(Linkage.ComparisonSpec spec, String where) {
        List<ComparisonLevel> levels = new ArrayList<>();
        for (Linkage.LevelSpec level : spec.levels()) {
            levels.add(switch (level.kind()) {
                case EXACT -> new ComparisonLevel.Exact();
                case NORMALISED -> new ComparisonLevel.NormalisedExact();
                case TOKEN_SORTED -> new ComparisonLevel.TokenSortedExact();
                case JARO_WINKLER -> new ComparisonLevel.JaroWinklerAtLeast(level.value());
                case LEVENSHTEIN -> new ComparisonLevel.LevenshteinAtMost((int) level.value());
                case JACCARD -> new ComparisonLevel.JaccardAtLeast(level.value(), level.q());
                case ABSOLUTE_DIFFERENCE -> new ComparisonLevel.AbsoluteDifferenceAtMost(level.value());
                case RELATIVE_DIFFERENCE -> new ComparisonLevel.RelativeDifferenceAtMost(level.value());
                case DAYS_APART -> new ComparisonLevel.DaysApartAtMost((long) level.value());
                case KILOMETRES_APART -> new ComparisonLevel.KilometresApartAtMost(level.value());
            });
        }
        levels.add(new ComparisonLevel.Else());
        try {
            return new Comparison(spec.name(), String.join(",", spec.columns()), levels, spec.termFrequencies());
        } catch (RuntimeException e) {
            throw new DataEngineException(Kind.BAD_SPEC, where, e.getMessage(), e);
        }
    }

    /** The comparisons as the match model knows them. */
    List<Comparison> comparisons() {
        return comparisons;
    }

    int size() {
        return fields.length;
    }

    Linkage.ComparisonSpec spec(int k) {
        return specs.get(k);
    }

    boolean termFrequencies(int k) {
        return fields[k].spec().termFrequencies();
    }

    /** The distinct blocking keys, in the order rules first use them. */
    List<Linkage.BlockingKey> keys() {
        return keys;
    }

    /** The indexes in {@link #keys()} of each rule's keys. */
    int[] ruleKeys(int rule) {
        return ruleKeys[rule];
    }

    /**
     * Which comparisons read a column that rule {@code rule}'s keys read. Every pair the rule generates agrees on its keys, so
     * on those pairs such a comparison tells nothing about matching: EM sees it at the null level there, as Splink fixes the
     * blocked comparisons of a training rule.
     */
    boolean[] blockedBy(int rule) {
        Set<String> columns = new HashSet<>();
        for (int key : ruleKeys[rule]) {
            columns.addAll(keys.get(key).columns());
        }
        boolean[] blocked = new boolean[fields.length];
        for (int k = 0; k < fields.length; k++) {
            blocked[k] = fields[k].spec().columns().stream().anyMatch(columns::contains);
        }
        return blocked;
    }

    // ---- the record pass: what SQL reads per record, what Java adds ----

    /**
     * The expressions the record pass selects from the records (alias {@code t}), in the order {@link #readRecord} reads
     * them: per comparison its raw text and, when its levels need them, number, day or point; then per blocking key its
     * column's text, or latitude and longitude for a geohash.
     */
    List<String> recordExpressions() {
        List<String> expressions = new ArrayList<>();
        for (Field field : fields) {
            List<String> columns = field.spec().columns();
            if (columns.size() == 1) {
                expressions.add("CAST(t." + Sql.id(columns.getFirst()) + " AS VARCHAR)");
            } else {
                expressions.add("CAST(t." + Sql.id(columns.get(0)) + " AS VARCHAR) || ',' || CAST(t." + Sql.id(columns.get(1))
                        + " AS VARCHAR)");
            }
            if (field.number()) {
                expressions.add("CAST(t." + Sql.id(columns.getFirst()) + " AS DOUBLE)");
            }
            if (field.day()) {
                expressions.add("(CAST(t." + Sql.id(columns.getFirst()) + " AS DATE) - DATE '1970-01-01')::BIGINT");
            }
            if (field.point()) {
                expressions.add("CAST(t." + Sql.id(columns.get(0)) + " AS DOUBLE)");
                expressions.add("CAST(t." + Sql.id(columns.get(1)) + " AS DOUBLE)");
            }
        }
        for (Linkage.BlockingKey key : keys) {
            if (key.function() == Linkage.KeyFunction.GEOHASH) {
                expressions.add("CAST(t." + Sql.id(key.columns().get(0)) + " AS DOUBLE)");
                expressions.add("CAST(t." + Sql.id(key.columns().get(1)) + " AS DOUBLE)");
            } else {
                expressions.add("CAST(t." + Sql.id(key.columns().getFirst()) + " AS VARCHAR)");
            }
        }
        return expressions;
    }

    /** Reads one record of the record pass from column {@code column} on into {@code values} and {@code keyValues}. */
    void readRecord(ResultSet row, int column, Values values, String[] keyValues) throws SQLException {
        int at = column;
        for (int k = 0; k < fields.length; k++) {
            Field field = fields[k];
            String raw = row.getString(at++);
            values.raw[k] = raw;
            values.norm[k] = raw != null && field.norm() ? Keys.normalised(raw) : null;
            values.sorted[k] = raw != null && field.sorted() ? sortTokens(field.norm() ? values.norm[k] : Keys.normalised(raw)) : null;
            if (field.number()) {
                values.number[k] = row.getDouble(at++);
            }
            if (field.day()) {
                values.day[k] = row.getLong(at++);
            }
            if (field.point()) {
                values.latitude[k] = row.getDouble(at++);
                values.longitude[k] = row.getDouble(at++);
            }
        }
        for (int j = 0; j < keys.size(); j++) {
            Linkage.BlockingKey key = keys.get(j);
            String value;
            if (key.function() == Linkage.KeyFunction.GEOHASH) {
                double latitude = row.getDouble(at++);
                boolean missing = row.wasNull();
                double longitude = row.getDouble(at++);
                missing |= row.wasNull();
                value = missing || !(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) ? null
                        : Keys.geohash(new GeoPoint(latitude, longitude), key.length());
            } else {
                String text = row.getString(at++);
                value = text == null ? null : switch (key.function()) {
                    case EXACT -> text;
                    case NORMALISED -> Keys.normalised(text);
                    case PREFIX -> Keys.prefix(text, key.length());
                    case SORTED_TOKENS -> Keys.sortedTokens(text);
                    case FIRST_TOKEN -> Keys.firstToken(text);
                    case SOUNDEX -> Keys.soundex(text);
                    case METAPHONE -> Keys.doubleMetaphone(text);
                    case GEOHASH -> throw new IllegalStateException("geohash keys read two numbers");
                };
            }
            // An empty key ("" for a value with no letters) would put unrelated records together: it counts as missing.
            keyValues[j] = value == null || value.isEmpty() ? null : value;
        }
    }

    /** Tokens of a normalised string, sorted and joined by one space, as {@link Keys#sortedTokens} gives them. */
    static String sortTokens(String normalised) {
        if (normalised.isEmpty() || normalised.indexOf(' ') < 0) {
            return normalised;
        }
        String[] tokens = normalised.split(" ");
        Arrays.sort(tokens);
        return String.join(" ", tokens);
    }

    // ---- the features table: its columns, their types, and how a pair query reads them back ----

    /** The feature columns of comparison k in the features table, with their DuckDB types. */
    List<String[]> featureColumns() {
        List<String[]> columns = new ArrayList<>();
        for (int k = 0; k < fields.length; k++) {
            Field field = fields[k];
            columns.add(new String[] {"c" + k + "_raw", "VARCHAR"});
            if (field.norm()) {
                columns.add(new String[] {"c" + k + "_norm", "VARCHAR"});
            }
            if (field.sorted()) {
                columns.add(new String[] {"c" + k + "_sorted", "VARCHAR"});
            }
            if (field.number()) {
                columns.add(new String[] {"c" + k + "_num", "DOUBLE"});
            }
            if (field.day()) {
                columns.add(new String[] {"c" + k + "_day", "BIGINT"});
            }
            if (field.point()) {
                columns.add(new String[] {"c" + k + "_lat", "DOUBLE"});
                columns.add(new String[] {"c" + k + "_lon", "DOUBLE"});
            }
        }
        return columns;
    }

    /** Appends the feature columns of one record, in {@link #featureColumns()} order. */
    void appendFeatures(org.duckdb.DuckDBAppender appender, Values values) throws SQLException {
        for (int k = 0; k < fields.length; k++) {
            Field field = fields[k];
            boolean missing = values.raw[k] == null;
            appendText(appender, values.raw[k]);
            if (field.norm()) {
                appendText(appender, values.norm[k]);
            }
            if (field.sorted()) {
                appendText(appender, values.sorted[k]);
            }
            if (field.number()) {
                appendDouble(appender, missing, values.number[k]);
            }
            if (field.day()) {
                if (missing) {
                    appender.appendNull();
                } else {
                    appender.append(values.day[k]);
                }
            }
            if (field.point()) {
                appendDouble(appender, missing, values.latitude[k]);
                appendDouble(appender, missing, values.longitude[k]);
            }
        }
    }

    private static void appendText(org.duckdb.DuckDBAppender appender, String value) throws SQLException {
        if (value == null) {
            appender.appendNull();
        } else {
            appender.append(value);
        }
    }

    private static void appendDouble(org.duckdb.DuckDBAppender appender, boolean missing, double value) throws SQLException {
        if (missing) {
            appender.appendNull();
        } else {
            appender.append(value);
        }
    }

    /** The columns a pair query selects for one side (alias {@code alias}), in the order {@link #readSide} reads them. */
    List<String> sideColumns(String alias) {
        List<String> columns = new ArrayList<>();
        for (String[] column : featureColumns()) {
            columns.add(alias + "." + column[0]);
        }
        return columns;
    }

    /** The term-frequency counts of the TF comparisons (the count of {@code alias}'s normalised value), in comparison order. */
    List<String> frequencyColumns(String alias) {
        List<String> columns = new ArrayList<>();
        for (int k = 0; k < fields.length; k++) {
            if (fields[k].spec().termFrequencies()) {
                columns.add(alias + ".c" + k + "_tf");
            }
        }
        return columns;
    }

    /** Reads one side of a pair, written by {@link #sideColumns}, from column {@code column}; returns the next column. */
    int readSide(ResultSet row, int column, Values values) throws SQLException {
        int at = column;
        for (int k = 0; k < fields.length; k++) {
            Field field = fields[k];
            values.raw[k] = row.getString(at++);
            if (field.norm()) {
                values.norm[k] = row.getString(at++);
            }
            if (field.sorted()) {
                values.sorted[k] = row.getString(at++);
            }
            if (field.number()) {
                values.number[k] = row.getDouble(at++);
            }
            if (field.day()) {
                values.day[k] = row.getLong(at++);
            }
            if (field.point()) {
                values.latitude[k] = row.getDouble(at++);
                values.longitude[k] = row.getDouble(at++);
            }
        }
        return at;
    }

    // ---- levels ----

    /** The level vector of a pair into {@code levels}. */
    void levels(Values left, Values right, int[] levels) {
        for (int k = 0; k < fields.length; k++) {
            levels[k] = level(k, left, right);
        }
    }

    /** The level of comparison k for a pair: 0 when either side is missing, then the first level that holds, else last. */
    int level(int k, Values left, Values right) {
        if (left.raw[k] == null || right.raw[k] == null) {
            return Comparison.NULL_LEVEL;
        }
        Field field = fields[k];
        double jaroWinkler = Double.NaN;
        int edits = -2;
        double kilometres = Double.NaN;
        for (int i = 0; i < field.kinds().length; i++) {
            double value = field.values()[i];
            boolean holds = switch (field.kinds()[i]) {
                case EXACT -> left.raw[k].equals(right.raw[k]);
                case NORMALISED -> left.norm[k].equals(right.norm[k]);
                case TOKEN_SORTED -> left.sorted[k].equals(right.sorted[k]);
                case JARO_WINKLER -> {
                    if (Double.isNaN(jaroWinkler)) {
                        jaroWinkler = JARO_WINKLER.apply(left.norm[k], right.norm[k]);
                    }
                    yield jaroWinkler >= value;
                }
                case LEVENSHTEIN -> {
                    if (edits == -2) {
                        edits = field.levenshtein().apply(left.norm[k], right.norm[k]);
                    }
                    yield edits >= 0 && edits <= (int) value;
                }
                case JACCARD -> jaccard(left.norm[k], right.norm[k], field.qs()[i]) >= value;
                case ABSOLUTE_DIFFERENCE -> Math.abs(left.number[k] - right.number[k]) <= value;
                case RELATIVE_DIFFERENCE -> {
                    double scale = Math.max(Math.abs(left.number[k]), Math.abs(right.number[k]));
                    yield scale == 0 || Math.abs(left.number[k] - right.number[k]) / scale <= value;
                }
                case DAYS_APART -> Math.abs(left.day[k] - right.day[k]) <= (long) value;
                case KILOMETRES_APART -> {
                    if (Double.isNaN(kilometres)) {
                        kilometres = GeoPoint.kilometres(left.latitude[k], left.longitude[k], right.latitude[k], right.longitude[k]);
                    }
                    yield kilometres <= value;
                }
            };
            if (holds) {
                return i + 1;
            }
        }
        return field.kinds().length + 1;
    }

    /** Whether level {@code level} of comparison k is an exact match that term frequencies adjust. */
    boolean adjusted(int k, int level) {
        return fields[k].spec().termFrequencies() && level >= 1 && level <= fields[k].kinds().length
                && (fields[k].kinds()[level - 1] == Linkage.LevelKind.EXACT || fields[k].kinds()[level - 1] == Linkage.LevelKind.NORMALISED);
    }

    /** Jaccard similarity of two normalised strings' tokens (q = 0) or character q-grams, 1 for two empty sets. */
    static double jaccard(String left, String right, int q) {
        if (q >= 1 && q <= 3) {
            long[] a = grams(left, q);
            long[] b = grams(right, q);
            if (a.length == 0 && b.length == 0) {
                return 1.0;
            }
            int common = 0;
            int i = 0;
            int j = 0;
            while (i < a.length && j < b.length) {
                if (a[i] == b[j]) {
                    common++;
                    i++;
                    j++;
                } else if (a[i] < b[j]) {
                    i++;
                } else {
                    j++;
                }
            }
            return (double) common / (a.length + b.length - common);
        }
        Set<String> a = Keys.grams(left, q);
        Set<String> b = Keys.grams(right, q);
        if (a.isEmpty() && b.isEmpty()) {
            return 1.0;
        }
        long common = a.stream().filter(b::contains).count();
        return (double) common / (a.size() + b.size() - common);
    }

    /** The distinct q-grams (q of 1 to 3) of a normalised string, each packed with its length into a long, sorted. */
    private static long[] grams(String text, int q) {
        if (text.isEmpty()) {
            return new long[0];
        }
        if (text.length() <= q) {
            return new long[] {pack(text, 0, text.length())};
        }
        long[] grams = new long[text.length() - q + 1];
        for (int i = 0; i < grams.length; i++) {
            grams[i] = pack(text, i, q);
        }
        Arrays.sort(grams);
        int distinct = 0;
        for (int i = 0; i < grams.length; i++) {
            if (i == 0 || grams[i] != grams[i - 1]) {
                grams[distinct++] = grams[i];
            }
        }
        return distinct == grams.length ? grams : Arrays.copyOf(grams, distinct);
    }

    private static long pack(String text, int start, int length) {
        long packed = length;
        for (int i = 0; i < length; i++) {
            packed = (packed << 16) | text.charAt(start + i);
        }
        return packed;
    }
}
