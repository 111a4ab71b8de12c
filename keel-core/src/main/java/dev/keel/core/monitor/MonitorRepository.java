package dev.keel.core.monitor;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The SQL of monitors, their results and their breaches; nothing else touches these tables. */
final class MonitorRepository {
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String MONITOR_COLUMNS = "id, project, spec, state, last_value, last_evaluated_at, created_at, created_by";
    private static final String BREACH_COLUMNS = "id, monitor_id, monitor_name, project, model, model_version, kind, statistic, target, value, "
            + "limit_value, window_from, window_to, detected_at, detail";
    private final Database database;

    MonitorRepository(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    void insert(Monitor monitor) {
        try {
            database.update("INSERT INTO monitors (id, name, project, model, spec, state, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    monitor.id(), monitor.spec().name(), monitor.project(), monitor.spec().model(), Json.write(monitor.spec()), monitor.state(),
                    monitor.createdAt(), monitor.createdBy());
        } catch (KeelException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) {
                throw new KeelException(ErrorCode.ALREADY_EXISTS, "a monitor named '" + monitor.spec().name() + "' exists already");
            }
            throw e;
        }
    }

    void replaceSpec(String id, MonitorSpec spec) {
        database.update("UPDATE monitors SET spec = ?, name = ? WHERE id = ?", Json.write(spec), spec.name(), id);
    }

    boolean delete(String id) {
        return database.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM monitor_results WHERE monitor_id = ?", id);
            return Database.update(connection, "DELETE FROM monitors WHERE id = ?", id) > 0;
        });
    }

    List<Monitor> list() {
        return database.query("SELECT " + MONITOR_COLUMNS + " FROM monitors ORDER BY created_at, id", MonitorRepository::monitor);
    }

    Optional<Monitor> find(String idOrName) {
        return database.queryOne("SELECT " + MONITOR_COLUMNS + " FROM monitors WHERE id = ? OR name = ?", MonitorRepository::monitor,
                idOrName, idOrName);
    }

    /** Stores a result and the monitor's new state, and the breach when there is one, in one transaction. */
    void record(MonitorResult result, Optional<Breach> breach) {
        database.inTransaction(connection -> {
            Database.update(connection, "INSERT INTO monitor_results (monitor_id, evaluated_at, window_from, window_to, model_version, sample_size, "
                    + "state, value, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", result.monitorId(), result.evaluatedAt(), millis(result.windowFrom()),
                    result.windowTo(), result.modelVersion(), result.sampleSize(), result.state(), result.value(), Json.write(result.detail()));
            Database.update(connection, "UPDATE monitors SET state = ?, last_value = ?, last_evaluated_at = ? WHERE id = ?", result.state(),
                    result.value(), result.evaluatedAt(), result.monitorId());
            if (breach.isPresent()) {
                Breach event = breach.get();
                Database.update(connection, "INSERT INTO monitor_breaches (" + BREACH_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        event.id(), event.monitorId(), event.monitorName(), event.project(), event.model(), event.modelVersion(), event.kind(),
                        event.statistic(), event.target(), event.value(), event.limit(), millis(event.windowFrom()), event.windowTo(), event.detectedAt(),
                        Json.write(event.detail()));
            }
            return null;
        });
    }

    List<MonitorResult> results(String monitorId, Optional<Instant> from, Optional<Instant> to, int limit) {
        return database.query("SELECT monitor_id, evaluated_at, window_from, window_to, model_version, sample_size, state, value, detail "
                + "FROM monitor_results WHERE monitor_id = ? AND evaluated_at >= ? AND evaluated_at < ? ORDER BY evaluated_at DESC LIMIT " + limit,
                row -> new MonitorResult(row.getString(1), Instant.ofEpochMilli(row.getLong(2)), Database.instant(row, "window_from"),
                        Instant.ofEpochMilli(row.getLong(4)), optionalInt(row, 5), row.getLong(6), row.getString(7), optionalDouble(row, 8),
                        Json.read(row.getString(9), MAP)),
                monitorId, from.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE), to.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE));
    }

    List<Breach> breaches(Optional<String> model, Optional<String> monitorId, Optional<Instant> since, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + BREACH_COLUMNS + " FROM monitor_breaches WHERE detected_at >= ?");
        List<Object> parameters = new java.util.ArrayList<>(List.of(since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE)));
        model.ifPresent(name -> {
            sql.append(" AND model = ?");
            parameters.add(name);
        });
        monitorId.ifPresent(id -> {
            sql.append(" AND monitor_id = ?");
            parameters.add(id);
        });
        sql.append(" ORDER BY detected_at DESC, id LIMIT ").append(limit);
        return database.query(sql.toString(), MonitorRepository::breach, parameters.toArray());
    }

    private static Long millis(Optional<Instant> instant) {
        return instant.map(Instant::toEpochMilli).orElse(null);
    }

    private static Monitor monitor(ResultSet row) throws SQLException {
        return new Monitor(row.getString(1), row.getString(2), Json.read(row.getString(3), MonitorSpec.class), row.getString(4),
                optionalDouble(row, 5), Database.instant(row, "last_evaluated_at"), Instant.ofEpochMilli(row.getLong(7)), row.getString(8));
    }

    private static Breach breach(ResultSet row) throws SQLException {
        return new Breach(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5), optionalInt(row, 6),
                row.getString(7), row.getString(8), row.getString(9), optionalDouble(row, 10), row.getDouble(11),
                Database.instant(row, "window_from"), Instant.ofEpochMilli(row.getLong(13)), Instant.ofEpochMilli(row.getLong(14)),
                Json.read(row.getString(15), MAP));
    }

    private static Optional<Double> optionalDouble(ResultSet row, int column) throws SQLException {
        double value = row.getDouble(column);
        return row.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<Integer> optionalInt(ResultSet row, int column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? Optional.empty() : Optional.of(value);
    }
}
