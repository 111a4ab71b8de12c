package dev.keel.engine.duckdb;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.monitor.FeatureRow;
import dev.keel.core.monitor.PredictionLog;
import dev.keel.core.monitor.PredictionLogReader;
import dev.keel.core.monitor.PredictionQuery;
import dev.keel.core.monitor.PredictionRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.duckdb.DuckDBConnection;

/**
 * The prediction log's reader on DuckDB: {@code read_parquet} over the segments with {@code union_by_name} (segments
 * written before {@code input_values} existed read as well), one in-memory DuckDB limited to one thread so that reads never
 * take every core away from serving, a duplicated connection per read. Opened on first use.
 */
public final class DuckDbPredictionLogReader implements PredictionLogReader {
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String COLUMNS =
            "request_id, endpoint, model, version, time_ms, latency_ms, fallback, shadow, inputs, outputs, input_names, input_values";
    private static final int MAX_CACHED_LAYOUTS = 1024;
    private static final int LOOKUP_CHUNK = 1000;

    private final Map<String, FeatureRow.Names> layouts = new ConcurrentHashMap<>();
    private volatile DuckDBConnection duck;

    /** A reader; its DuckDB opens on the first read (the ServiceLoader's constructor). */
    public DuckDbPredictionLogReader() {
    }

    private Connection connection() throws SQLException {
        DuckDBConnection opened = duck;
        if (opened == null) {
            synchronized (this) {
                if (duck == null) {
                    java.util.Properties settings = new java.util.Properties();
                    settings.setProperty("threads", "1");
                    duck = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", settings);
                }
                opened = duck;
            }
        }
        return opened.duplicate();
    }

    private static String from(List<Path> segments) {
        return "read_parquet([" + String.join(", ", segments.stream().map(DuckDbPredictionLogReader::literal).toList())
                + "], union_by_name = true)";
    }

    private static String literal(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    @Override
    public long scan(List<Path> segments, PredictionQuery query, Consumer<PredictionRecord> consumer) {
        if (segments.isEmpty()) {
            return 0;
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM ").append(from(segments)).append(" WHERE model = ? AND time_ms < ?");
        List<Object> parameters = new ArrayList<>(List.of(query.model(), query.to().toEpochMilli()));
        query.from().ifPresent(from -> {
            sql.append(" AND time_ms >= ?");
            parameters.add(from.toEpochMilli());
        });
        if (query.version().isPresent()) {
            sql.append(" AND version = ?");
            parameters.add(query.version().get());
        } else {
            // without a version, the window holds what was served: shadow calls answered no one
            sql.append(" AND NOT shadow");
        }
        if (query.limit().isPresent()) {
            sql.append(" ORDER BY time_ms DESC, request_id LIMIT ").append(query.limit().getAsInt());
        } else {
            sql.append(" ORDER BY time_ms, request_id");
        }
        long count = 0;
        try (Connection connection = connection(); PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    consumer.accept(new PredictionRecord(rows.getString(1), rows.getString(2), rows.getString(3), rows.getInt(4),
                            Instant.ofEpochMilli(rows.getLong(5)), rows.getDouble(6), inputs(rows), Json.read(rows.getString(10), MAP),
                            rows.getBoolean(7), rows.getBoolean(8)));
                    count++;
                }
            }
        } catch (SQLException e) {
            throw unreadable(e);
        }
        return count;
    }

    @Override
    public Map<Integer, Long> versionCounts(List<Path> segments, PredictionQuery query) {
        Map<Integer, Long> counts = new TreeMap<>();
        if (segments.isEmpty()) {
            return counts;
        }
        String sql = "SELECT version, count(*) FROM " + from(segments) + " WHERE model = ? AND time_ms < ? AND time_ms >= ? AND NOT shadow "
                + "GROUP BY version";
        try (Connection connection = connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, query.model());
            statement.setLong(2, query.to().toEpochMilli());
            statement.setLong(3, query.from().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getInt(1), rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw unreadable(e);
        }
        return counts;
    }

    @Override
    public Map<String, Set<PredictionLog.LoggedModel>> loggedModels(List<Path> segments, Collection<String> requestIds) {
        Map<String, Set<PredictionLog.LoggedModel>> models = new HashMap<>();
        List<String> ids = List.copyOf(new LinkedHashSet<>(requestIds));
        if (segments.isEmpty() || ids.isEmpty()) {
            return models;
        }
        String from = from(segments);
        for (int start = 0; start < ids.size(); start += LOOKUP_CHUNK) {
            List<String> chunk = ids.subList(start, Math.min(ids.size(), start + LOOKUP_CHUNK));
            String sql = "SELECT DISTINCT request_id, model, version, shadow FROM " + from + " WHERE request_id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ") ORDER BY shadow, request_id, model, version";
            try (Connection connection = connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) {
                    statement.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        models.computeIfAbsent(rows.getString(1), id -> new LinkedHashSet<>())
                                .add(new PredictionLog.LoggedModel(rows.getString(2), rows.getInt(3)));
                    }
                }
            } catch (SQLException e) {
                throw unreadable(e);
            }
        }
        return models;
    }

    /** The inputs of a scanned row: a {@link FeatureRow} when they were stored as a list of floats, else the JSON map. */
    private Map<String, Object> inputs(ResultSet rows) throws SQLException {
        String names = rows.getString(11);
        if (names == null) {
            return Json.read(rows.getString(9), MAP);
        }
        FeatureRow.Names layout = layouts.get(names);
        if (layout == null) {
            layout = FeatureRow.Names.of(Json.read(names, new TypeReference<List<String>>() {
            }));
            if (layout == null) {
                throw new SQLException("a prediction log segment names a feature twice: " + names);
            }
            if (layouts.size() >= MAX_CACHED_LAYOUTS) {
                layouts.clear();
            }
            layouts.put(names, layout);
        }
        Object[] stored = (Object[]) rows.getArray(12).getArray();
        float[] values = new float[stored.length];
        for (int i = 0; i < stored.length; i++) {
            values[i] = stored[i] == null ? Float.NaN : ((Number) stored[i]).floatValue();
        }
        return new FeatureRow(layout, values);
    }

    private static KeelException unreadable(SQLException e) {
        return new KeelException(ErrorCode.UNAVAILABLE, "cannot read the prediction log: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        if (duck != null) {
            try {
                duck.close();
            } catch (SQLException e) {
                // closing an in-memory database: nothing is lost
            }
            duck = null;
        }
    }
}
