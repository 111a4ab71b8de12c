package dev.keel.core.serving;

import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The SQL of endpoints. */
final class EndpointRepository {
    private final Database database;

    EndpointRepository(Database database) {
        this.database = database;
    }

    void insert(Endpoint endpoint) {
        database.update("INSERT INTO endpoints (name, project, model, config, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                endpoint.name(), endpoint.project(), endpoint.config().model(), Json.write(endpoint.config()), endpoint.createdAt(),
                endpoint.createdBy(), endpoint.updatedAt());
    }

    boolean update(Endpoint endpoint) {
        return database.update("UPDATE endpoints SET config = ?, updated_at = ? WHERE name = ?", Json.write(endpoint.config()),
                endpoint.updatedAt(), endpoint.name()) > 0;
    }

    Optional<Endpoint> find(String name) {
        return database.queryOne("SELECT * FROM endpoints WHERE name = ?", EndpointRepository::endpoint, name);
    }

    List<Endpoint> list() {
        return database.query("SELECT * FROM endpoints ORDER BY name", EndpointRepository::endpoint);
    }

    boolean delete(String name) {
        return database.update("DELETE FROM endpoints WHERE name = ?", name) > 0;
    }

    private static Endpoint endpoint(ResultSet row) throws SQLException {
        return new Endpoint(Json.read(row.getString("config"), EndpointConfig.class), row.getString("project"),
                Instant.ofEpochMilli(row.getLong("created_at")), row.getString("created_by"), Instant.ofEpochMilli(row.getLong("updated_at")));
    }
}
