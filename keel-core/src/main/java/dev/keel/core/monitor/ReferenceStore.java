package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.monitor.stats.CategoricalSummary;
import dev.keel.core.monitor.stats.ColumnSample;
import dev.keel.core.monitor.stats.ColumnSummary;
import dev.keel.core.monitor.stats.NumericSummary;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Reference sets of model versions: uploaded rows (CSV or JSON) kept as one Parquet file per version under
 * {@code <dir>/<model>/v<version>.parquet}, recorded in {@code monitor_references}, summarised per column on first use.
 */
public final class ReferenceStore {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");
    private final Path directory;
    private final Database database;
    private final Clock clock;
    private final int exactMaxValues;
    private final Map<String, ReferenceProfile> cache = new ConcurrentHashMap<>();

    /**
     * @param exactMaxValues a column with at most this many non-missing values keeps its values for exact drift
     */
    public ReferenceStore(Path directory, Database database, Clock clock, int exactMaxValues) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
        KeelException.requireArgument(exactMaxValues >= 0, "exact-drift-max-values is %s; expected >= 0", exactMaxValues);
        this.exactMaxValues = exactMaxValues;
    }

    /** Stores CSV text (header row first) as the reference of the version. */
    public ReferenceProfile uploadCsv(String model, int version, byte[] csv, List<FeatureSpec> features, String actor) {
        KeelException.requireArgument(csv.length > 0, "the reference CSV is empty; expected a header row and data rows");
        return store(model, version, features, "upload:csv", actor, (connection, table) -> {
            Path input = Files.createTempFile("keel-reference", ".csv");
            try {
                Files.write(input, csv);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("CREATE TABLE " + table + " AS SELECT * FROM read_csv(" + literal(input) + ", header = true)");
                }
            } finally {
                Files.deleteIfExists(input);
            }
        });
    }

    /** Stores a dataset snapshot (a Parquet file whose hash was checked) as the reference of the version. */
    public ReferenceProfile fromSnapshot(String model, int version, Path parquet, String label, List<FeatureSpec> features, String actor) {
        return store(model, version, features, label, actor, (connection, table) -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE " + table + " AS SELECT * FROM read_parquet(" + literal(parquet) + ")");
            }
        });
    }

    /** Stores JSON rows (objects of column to value) as the reference of the version. */
    public ReferenceProfile uploadRows(String model, int version, List<Map<String, Object>> rows, List<FeatureSpec> features, String actor) {
        KeelException.requireArgument(!rows.isEmpty(), "field 'rows' is empty; expected at least one reference row");
        Map<String, Boolean> numeric = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            row.forEach((column, value) -> {
                boolean isNumber = value == null || value instanceof Number || value instanceof Boolean;
                numeric.merge(column, isNumber, Boolean::logicalAnd);
            });
        }
        return store(model, version, features, "upload:json", actor, (connection, table) -> {
            List<String> columns = new ArrayList<>(numeric.keySet());
            StringBuilder ddl = new StringBuilder("CREATE TABLE " + table + " (");
            for (int i = 0; i < columns.size(); i++) {
                ddl.append(i == 0 ? "" : ", ").append(quote(columns.get(i))).append(numeric.get(columns.get(i)) ? " DOUBLE" : " VARCHAR");
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute(ddl.append(')').toString());
            }
            String insert = "INSERT INTO " + table + " VALUES (" + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
            try (PreparedStatement statement = connection.prepareStatement(insert)) {
                for (Map<String, Object> row : rows) {
                    for (int i = 0; i < columns.size(); i++) {
                        Object value = row.get(columns.get(i));
                        if (value == null) {
                            statement.setNull(i + 1, numeric.get(columns.get(i)) ? Types.DOUBLE : Types.VARCHAR);
                        } else if (numeric.get(columns.get(i))) {
                            statement.setDouble(i + 1, value instanceof Boolean flag ? (flag ? 1 : 0) : ((Number) value).doubleValue());
                        } else {
                            statement.setString(i + 1, value.toString());
                        }
                    }
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        });
    }

    @FunctionalInterface
    private interface Loader {
        void load(Connection connection, String table) throws SQLException, IOException;
    }

    private ReferenceProfile store(String model, int version, List<FeatureSpec> features, String source, String actor, Loader loader) {
        KeelException.requireArgument(SAFE.matcher(model).matches(), "model name '%s' cannot name a reference file", model);
        Path folder = directory.resolve(model);
        Path target = folder.resolve("v" + version + ".parquet");
        Path temporary = folder.resolve(".v" + version + ".parquet.tmp");
        List<String> columns = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:")) {
            Files.createDirectories(folder);
            loader.load(connection, "reference");
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT * FROM reference LIMIT 0")) {
                ResultSetMetaData meta = rows.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.add(meta.getColumnName(i));
                }
            }
            Set<String> missing = new LinkedHashSet<>();
            for (FeatureSpec feature : features) {
                if (!columns.contains(feature.name())) {
                    missing.add(feature.name());
                }
            }
            if (!missing.isEmpty()) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "the reference of " + model + ":" + version + " lacks the model's features "
                        + missing + "; it has columns " + columns);
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("COPY reference TO " + literal(temporary) + " (FORMAT parquet, COMPRESSION zstd)");
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "cannot read the reference rows: " + e.getMessage().lines().findFirst().orElse(""), e);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot store the reference at '" + target + "': " + e.getMessage(), e);
        }
        ReferenceProfile profile = summarise(model, version, target, source, clock.instant());
        database.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM monitor_references WHERE model = ? AND version = ?", model, version);
            Database.update(connection, "INSERT INTO monitor_references (model, version, path, sha256, row_count, columns_json, source, created_at, "
                    + "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", model, version, directory.relativize(target).toString(), profile.sha256(),
                    profile.rows(), Json.write(columns), source, profile.createdAt(), actor);
            return null;
        });
        cache.put(key(model, version), profile);
        return profile;
    }

    /** The reference of the version, summarised (cached after the first read). */
    public Optional<ReferenceProfile> find(String model, int version) {
        ReferenceProfile cached = cache.get(key(model, version));
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String[]> row = database.queryOne("SELECT path, source, created_at FROM monitor_references WHERE model = ? AND version = ?",
                result -> new String[] {result.getString(1), result.getString(2), Long.toString(result.getLong(3))}, model, version);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        ReferenceProfile profile = summarise(model, version, directory.resolve(row.get()[0]), row.get()[1],
                Instant.ofEpochMilli(Long.parseLong(row.get()[2])));
        cache.put(key(model, version), profile);
        return Optional.of(profile);
    }

    private ReferenceProfile summarise(String model, int version, Path file, String source, Instant createdAt) {
        Map<String, ColumnSummary> summaries = new LinkedHashMap<>();
        Map<String, ColumnSample> samples = new LinkedHashMap<>();
        long count = 0;
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT * FROM read_parquet(" + literal(file) + ")")) {
            ResultSetMetaData meta = rows.getMetaData();
            int width = meta.getColumnCount();
            boolean[] numeric = new boolean[width];
            List<List<Double>> numbers = new ArrayList<>();
            List<List<String>> strings = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                numeric[i] = isNumeric(meta.getColumnType(i + 1));
                numbers.add(new ArrayList<>());
                strings.add(new ArrayList<>());
            }
            while (rows.next()) {
                count++;
                for (int i = 0; i < width; i++) {
                    if (numeric[i]) {
                        double value = rows.getDouble(i + 1);
                        numbers.get(i).add(rows.wasNull() ? Double.NaN : value);
                    } else {
                        strings.get(i).add(rows.getString(i + 1));
                    }
                }
            }
            for (int i = 0; i < width; i++) {
                String name = meta.getColumnName(i + 1);
                if (numeric[i]) {
                    double[] values = numbers.get(i).stream().mapToDouble(Double::doubleValue).toArray();
                    if (java.util.Arrays.stream(values).anyMatch(value -> !Double.isNaN(value))) {
                        summaries.put(name, NumericSummary.ofReference(values));
                        ColumnSample.Numeric sample = ColumnSample.numeric(values);
                        if (sample.size() <= exactMaxValues) {
                            samples.put(name, sample);
                        }
                    }
                } else {
                    summaries.put(name, CategoricalSummary.ofReference(strings.get(i), CategoricalSummary.DEFAULT_MAX_CATEGORIES));
                    ColumnSample.Categorical sample = ColumnSample.categorical(strings.get(i));
                    if (sample.size() <= exactMaxValues) {
                        samples.put(name, sample);
                    }
                }
            }
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot read the reference of " + model + ":" + version + " at '" + file + "': "
                    + e.getMessage(), e);
        }
        return new ReferenceProfile(model, version, sha256(file), count, summaries, source, createdAt, samples);
    }

    private static boolean isNumeric(int type) {
        return switch (type) {
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.INTEGER, Types.BIGINT, Types.SMALLINT, Types.TINYINT, Types.DECIMAL,
                 Types.NUMERIC, Types.BOOLEAN -> true;
            default -> false;
        };
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot hash '" + file + "': " + e.getMessage(), e);
        }
    }

    private static String key(String model, int version) {
        return model + ":" + version;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }
}
