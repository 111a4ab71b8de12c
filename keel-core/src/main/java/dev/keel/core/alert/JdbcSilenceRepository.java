package dev.keel.core.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** Silences in the metadata store (table {@code alert_silences}, migration V40). */
public final class JdbcSilenceRepository implements SilenceRepository {
    private static final String COLUMNS = "id, project, matchers, comment, created_at, created_by, ends_at";
    private static final TypeReference<Map<String, String>> MATCHERS = new TypeReference<>() {
    };
    private final Database database;

    public JdbcSilenceRepository(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    @Override
    public void add(Silence silence) {
        database.update("INSERT INTO alert_silences (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)", silence.id(), silence.project(),
                Json.write(new TreeMap<>(silence.matchers())), silence.comment(), silence.createdAt().toEpochMilli(), silence.createdBy(),
                silence.endsAt().toEpochMilli());
    }

    @Override
    public Optional<Silence> find(String id) {
        return database.queryOne("SELECT " + COLUMNS + " FROM alert_silences WHERE id = ?", JdbcSilenceRepository::silence, id);
    }

    @Override
    public List<Silence> list(String project) {
        return database.query("SELECT " + COLUMNS + " FROM alert_silences WHERE project = ? ORDER BY created_at DESC, id",
                JdbcSilenceRepository::silence, project);
    }

    @Override
    public List<Silence> active(Instant now) {
        return database.query("SELECT " + COLUMNS + " FROM alert_silences WHERE ends_at > ? ORDER BY created_at, id",
                JdbcSilenceRepository::silence, now.toEpochMilli());
    }

    @Override
    public boolean expire(String project, String id, Instant now) {
        long at = now.toEpochMilli();
        // An already ended silence keeps its end; expiring it again changes nothing but still finds it.
        int found = database.update("UPDATE alert_silences SET ends_at = CASE WHEN ends_at > ? THEN ? ELSE ends_at END"
                + " WHERE project = ? AND id = ?", at, at, project, id);
        return found > 0;
    }

    private static Silence silence(ResultSet row) throws SQLException {
        return new Silence(row.getString("id"), row.getString("project"), Json.read(row.getString("matchers"), MATCHERS),
                row.getString("comment"), row.getString("created_by"), Instant.ofEpochMilli(row.getLong("created_at")),
                Instant.ofEpochMilli(row.getLong("ends_at")));
    }
}
