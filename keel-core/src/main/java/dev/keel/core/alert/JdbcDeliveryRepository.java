package dev.keel.core.alert;

import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Delivery attempts in the metadata store (table {@code alert_deliveries}, migration V40). */
public final class JdbcDeliveryRepository implements DeliveryRepository {
    private static final String COLUMNS = "delivery_id, attempt, project, channel, alert_key, status, code, reply, error, attempted_at";
    private final Database database;

    public JdbcDeliveryRepository(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    @Override
    public void record(DeliveryAttempt attempt) {
        database.update("INSERT INTO alert_deliveries (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", attempt.deliveryId(),
                attempt.attempt(), attempt.project(), attempt.channel(), attempt.alertKey(), attempt.status().name(), attempt.code(),
                attempt.reply(), attempt.error(), attempt.at().toEpochMilli());
    }

    @Override
    public List<DeliveryAttempt> forChannel(String project, String channel, int limit) {
        return database.query("SELECT " + COLUMNS + " FROM alert_deliveries WHERE project = ? AND channel = ?"
                + " ORDER BY attempted_at DESC, delivery_id DESC, attempt DESC LIMIT ?", JdbcDeliveryRepository::attempt, project, channel, limit);
    }

    @Override
    public List<DeliveryAttempt> forKey(String alertKey) {
        return database.query("SELECT " + COLUMNS + " FROM alert_deliveries WHERE alert_key = ? ORDER BY attempted_at, delivery_id, attempt",
                JdbcDeliveryRepository::attempt, alertKey);
    }

    private static DeliveryAttempt attempt(ResultSet row) throws SQLException {
        return new DeliveryAttempt(row.getString("delivery_id"), row.getInt("attempt"), row.getString("project"), row.getString("channel"),
                row.getString("alert_key"), DeliveryAttempt.Status.valueOf(row.getString("status")), row.getInt("code"),
                row.getString("reply"), row.getString("error"), Instant.ofEpochMilli(row.getLong("attempted_at")));
    }
}
