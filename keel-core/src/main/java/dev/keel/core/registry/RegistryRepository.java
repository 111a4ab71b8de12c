package dev.keel.core.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.ModelSignature;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry's SQL, in one place. */
final class RegistryRepository {
    private final Database database;

    RegistryRepository(Database database) {
        this.database = database;
    }

    Database database() {
        return database;
    }

    void insertModel(String name, String project, String description, PromotionGate gate, Instant at, String actor) {
        database.update("INSERT INTO models (name, project, description, gate, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                name, project, description, Json.write(gate), at, actor);
    }

    /**
     * Deletes a model that has no versions and no monitors, in one transaction; false when it has either (nothing is
     * deleted then).
     */
    boolean deleteEmptyModel(String name) {
        return database.inTransaction(connection -> {
            long versions = Database.queryOne(connection, "SELECT COUNT(*) FROM model_versions WHERE model = ?", row -> row.getLong(1), name)
                    .orElse(0L);
            long monitors = Database.queryOne(connection, "SELECT COUNT(*) FROM monitors WHERE model = ?", row -> row.getLong(1), name)
                    .orElse(0L);
            if (versions > 0 || monitors > 0) {
                return false;
            }
            return Database.update(connection, "DELETE FROM models WHERE name = ?", name) == 1;
        });
    }

    void updateGate(String name, PromotionGate gate) {
        database.update("UPDATE models SET gate = ? WHERE name = ?", Json.write(gate), name);
    }

    void updateSigning(String name, SigningPolicy policy) {
        database.update("UPDATE models SET signing = ? WHERE name = ?", Json.write(policy), name);
    }

    Optional<RegisteredModel> findModel(String name) {
        return database.withConnection(connection -> findModel(connection, name));
    }

    Optional<RegisteredModel> findModel(Connection connection, String name) throws SQLException {
        Optional<RegisteredModel> bare = Database.queryOne(connection, "SELECT * FROM models WHERE name = ?", row -> model(row, Map.of(),
                Optional.empty()), name);
        if (bare.isEmpty()) {
            return bare;
        }
        Map<String, Integer> aliases = aliases(connection, name);
        Optional<Integer> latest = Database.queryOne(connection, "SELECT version FROM model_versions WHERE model = ? ORDER BY version DESC LIMIT 1",
                row -> row.getInt(1), name);
        RegisteredModel model = bare.get();
        return Optional.of(new RegisteredModel(model.name(), model.project(), model.description(), model.gate(), model.signing(), model.createdAt(),
                model.createdBy(), latest, aliases));
    }

    List<RegisteredModel> listModels() {
        return database.withConnection(connection -> {
            Map<String, Map<String, Integer>> aliases = new LinkedHashMap<>();
            for (Object[] row : Database.query(connection, "SELECT model, alias, version FROM model_aliases ORDER BY alias",
                    result -> new Object[] {result.getString(1), result.getString(2), result.getInt(3)})) {
                aliases.computeIfAbsent((String) row[0], key -> new LinkedHashMap<>()).put((String) row[1], (Integer) row[2]);
            }
            Map<String, Integer> latest = new LinkedHashMap<>();
            for (Object[] row : Database.query(connection, "SELECT model, MAX(version) FROM model_versions GROUP BY model",
                    result -> new Object[] {result.getString(1), result.getInt(2)})) {
                latest.put((String) row[0], (Integer) row[1]);
            }
            return Database.query(connection, "SELECT * FROM models ORDER BY name", row -> {
                String name = row.getString("name");
                return model(row, aliases.getOrDefault(name, Map.of()), Optional.ofNullable(latest.get(name)));
            });
        });
    }

    private static Map<String, Integer> aliases(Connection connection, String model) throws SQLException {
        Map<String, Integer> aliases = new LinkedHashMap<>();
        for (Object[] row : Database.query(connection, "SELECT alias, version FROM model_aliases WHERE model = ? ORDER BY alias",
                result -> new Object[] {result.getString(1), result.getInt(2)}, model)) {
            aliases.put((String) row[0], (Integer) row[1]);
        }
        return aliases;
    }

    private static RegisteredModel model(ResultSet row, Map<String, Integer> aliases, Optional<Integer> latest) throws SQLException {
        return new RegisteredModel(row.getString("name"), row.getString("project"), row.getString("description"),
                Json.read(row.getString("gate"), PromotionGate.class), Json.read(row.getString("signing"), SigningPolicy.class),
                Instant.ofEpochMilli(row.getLong("created_at")),
                row.getString("created_by"), latest, aliases);
    }

    /**
     * Serialises writers of one model until the transaction ends: on PostgreSQL by locking the model's row (SQLite
     * transactions take the write lock when they begin).
     */
    void lockModel(Connection connection, String model) throws SQLException {
        if (database.dialect() == Database.Dialect.POSTGRES) {
            Database.query(connection, "SELECT name FROM models WHERE name = ? FOR UPDATE", row -> row.getString(1), model);
        }
    }

    int nextVersion(Connection connection, String model) throws SQLException {
        return Database.queryOne(connection, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = ?",
                row -> row.getInt(1), model).orElse(1);
    }

    void insertVersion(Connection connection, ModelVersion version) throws SQLException {
        Database.update(connection, """
                INSERT INTO model_versions (model, version, format, artifact_sha256, artifact_size, signature, features, metrics, tags,
                  lineage, description, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                version.model(), version.version(), version.format(), version.artifact().sha256(), version.artifact().size(),
                Json.write(version.signature()), Json.write(version.features()), Json.write(version.metrics()), Json.write(version.tags()),
                Json.write(version.lineage()), version.description(), version.createdAt(), version.createdBy());
    }

    Optional<ModelVersion> findVersion(String model, int version) {
        return database.queryOne("SELECT v.*, m.project FROM model_versions v JOIN models m ON m.name = v.model WHERE v.model = ? AND v.version = ?",
                RegistryRepository::version, model, version);
    }

    List<ModelVersion> listVersions(String model) {
        return database.query("SELECT v.*, m.project FROM model_versions v JOIN models m ON m.name = v.model WHERE v.model = ? ORDER BY v.version",
                RegistryRepository::version, model);
    }

    private static ModelVersion version(ResultSet row) throws SQLException {
        return new ModelVersion(row.getString("model"), row.getInt("version"), row.getString("project"), row.getString("format"),
                new ArtifactRef(row.getString("artifact_sha256"), row.getLong("artifact_size")),
                Json.read(row.getString("signature"), ModelSignature.class),
                Json.read(row.getString("features"), new TypeReference<List<FeatureSpec>>() { }),
                Json.read(row.getString("metrics"), new TypeReference<Map<String, Double>>() { }),
                Json.read(row.getString("tags"), new TypeReference<Map<String, String>>() { }),
                Json.read(row.getString("lineage"), Lineage.class), row.getString("description"),
                Instant.ofEpochMilli(row.getLong("created_at")), row.getString("created_by"));
    }

    Optional<Integer> aliasVersion(Connection connection, String model, String alias) throws SQLException {
        return Database.queryOne(connection, "SELECT version FROM model_aliases WHERE model = ? AND alias = ?", row -> row.getInt(1), model, alias);
    }

    void setAlias(Connection connection, String model, String alias, int version, Instant at) throws SQLException {
        int updated = Database.update(connection, "UPDATE model_aliases SET version = ?, updated_at = ? WHERE model = ? AND alias = ?",
                version, at, model, alias);
        if (updated == 0) {
            Database.update(connection, "INSERT INTO model_aliases (model, alias, version, updated_at) VALUES (?, ?, ?, ?)", model, alias, version, at);
        }
    }

    AliasEvent appendHistory(Connection connection, String model, String alias, AliasAction action, Optional<Integer> from, Optional<Integer> to,
                             String reason, String actor, Instant at) throws SQLException {
        long seq = Database.queryOne(connection, "SELECT COALESCE(MAX(seq), 0) + 1 FROM alias_history WHERE model = ?", row -> row.getLong(1), model)
                .orElse(1L);
        Database.update(connection, """
                INSERT INTO alias_history (model, seq, alias, action, from_version, to_version, reason, actor, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", model, seq, alias, action.wireName(), from, to, reason, actor, at);
        return new AliasEvent(model, seq, alias, action, from, to, reason, actor, at);
    }

    List<AliasEvent> history(Connection connection, String model, Optional<String> alias) throws SQLException {
        String sql = "SELECT * FROM alias_history WHERE model = ?" + (alias.isPresent() ? " AND alias = ?" : "") + " ORDER BY seq";
        Object[] parameters = alias.isPresent() ? new Object[] {model, alias.get()} : new Object[] {model};
        return Database.query(connection, sql, row -> {
            int from = row.getInt("from_version");
            Optional<Integer> fromVersion = row.wasNull() ? Optional.empty() : Optional.of(from);
            int to = row.getInt("to_version");
            Optional<Integer> toVersion = row.wasNull() ? Optional.empty() : Optional.of(to);
            return new AliasEvent(row.getString("model"), row.getLong("seq"), row.getString("alias"), AliasAction.fromWire(row.getString("action")),
                    fromVersion, toVersion, row.getString("reason"), row.getString("actor"), Instant.ofEpochMilli(row.getLong("at")));
        }, parameters);
    }
}
