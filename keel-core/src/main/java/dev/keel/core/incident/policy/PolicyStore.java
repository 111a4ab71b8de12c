package dev.keel.core.incident.policy;

import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Policies and the actions they took, in the metadata database (tables {@code policies} and {@code policy_actions}, migration V42). */
public final class PolicyStore implements Ledger {
    private static final String POLICY_COLUMNS = "name, project, spec, version, created_at, created_by, updated_at, updated_by";
    private static final String ACTION_COLUMNS = "id, policy, project, incident_id, action, target, at, outcome, reason";
    private final Database database;
    private final PolicySpecParser parser = new PolicySpecParser();

    public PolicyStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** Inserts a policy, or replaces the one of the same name. */
    public void save(Policy policy) {
        database.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM policies WHERE name = ?", policy.name());
            return Database.update(connection, "INSERT INTO policies (" + POLICY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", policy.name(),
                    policy.project(), policy.specText(), policy.version(), policy.createdAt(), policy.createdBy(), policy.updatedAt(),
                    policy.updatedBy());
        });
    }

    public Optional<Policy> find(String name) {
        return database.queryOne("SELECT " + POLICY_COLUMNS + " FROM policies WHERE name = ?", this::policy, name);
    }

    /** The policies of a project, or of every project when {@code project} is empty, by name. */
    public List<Policy> list(String project) {
        if (project.isEmpty()) {
            return database.query("SELECT " + POLICY_COLUMNS + " FROM policies ORDER BY name", this::policy);
        }
        return database.query("SELECT " + POLICY_COLUMNS + " FROM policies WHERE project = ? ORDER BY name", this::policy, project);
    }

    public int count(String project) {
        return database.queryOne("SELECT COUNT(*) AS n FROM policies WHERE project = ?", row -> row.getInt("n"), project).orElse(0);
    }

    public boolean delete(String name) {
        return database.update("DELETE FROM policies WHERE name = ?", name) > 0;
    }

    /**
     * Records an action about to be taken under its idempotency key; false when an action was taken under that key already
     * (by this process or another), in which case nothing is written.
     */
    public boolean claim(ActionRecord action, String key) {
        return database.withConnection(connection -> {
            try {
                Database.update(connection, "INSERT INTO policy_actions (" + ACTION_COLUMNS + ", idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        action.id(), action.policy(), action.project(), action.incidentId(), action.action(), action.target(), action.at(),
                        action.outcome().name(), action.reason(), key);
                return true;
            } catch (SQLException e) {
                if (Database.isUniqueViolation(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Records a skipped action (no idempotency key). */
    public void skipped(ActionRecord action) {
        database.update("INSERT INTO policy_actions (" + ACTION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", action.id(), action.policy(),
                action.project(), action.incidentId(), action.action(), action.target(), action.at(), action.outcome().name(), action.reason());
    }

    /** Sets the outcome of a claimed action; its key stays, so that the incident does not get it again. */
    public void finish(String id, ActionRecord.Outcome outcome, String reason) {
        database.update("UPDATE policy_actions SET outcome = ?, reason = ? WHERE id = ?", outcome.name(), reason, id);
    }

    /** The policy's actions, newest first. */
    public List<ActionRecord> actions(String policy, int limit) {
        return database.query("SELECT " + ACTION_COLUMNS + " FROM policy_actions WHERE policy = ? ORDER BY at DESC, id LIMIT ?",
                PolicyStore::action, policy, limit);
    }

    /** The latest record (taken or skipped) of an action on a target for an incident. */
    public Optional<ActionRecord> latest(String incidentId, String action, String target) {
        return database.query("SELECT " + ACTION_COLUMNS + " FROM policy_actions WHERE incident_id = ? AND action = ? AND target = ?"
                + " ORDER BY at DESC LIMIT 1", PolicyStore::action, incidentId, action, target).stream().findFirst();
    }

    @Override
    public Optional<ActionRecord> attempted(String key) {
        return database.queryOne("SELECT " + ACTION_COLUMNS + " FROM policy_actions WHERE idempotency_key = ?", PolicyStore::action, key);
    }

    @Override
    public Optional<Instant> lastAttempt(String policy, String action, String target) {
        return database.queryOne("SELECT MAX(at) AS last FROM policy_actions WHERE policy = ? AND action = ? AND target = ? AND outcome <> ?",
                row -> Database.instant(row, "last").orElse(null), policy, action, target, ActionRecord.Outcome.SKIPPED.name());
    }

    @Override
    public int attemptsSince(String policy, Instant since) {
        return database.queryOne("SELECT COUNT(*) AS n FROM policy_actions WHERE policy = ? AND at >= ? AND outcome <> ?",
                row -> row.getInt("n"), policy, since, ActionRecord.Outcome.SKIPPED.name()).orElse(0);
    }

    private Policy policy(ResultSet row) throws SQLException {
        String text = row.getString("spec");
        return new Policy(row.getString("name"), row.getString("project"), text, parser.parseOrThrow(text), row.getInt("version"),
                Instant.ofEpochMilli(row.getLong("created_at")), row.getString("created_by"), Instant.ofEpochMilli(row.getLong("updated_at")),
                row.getString("updated_by"));
    }

    private static ActionRecord action(ResultSet row) throws SQLException {
        return new ActionRecord(row.getString("id"), row.getString("policy"), row.getString("project"), row.getString("incident_id"),
                row.getString("action"), row.getString("target"), Instant.ofEpochMilli(row.getLong("at")),
                ActionRecord.Outcome.valueOf(row.getString("outcome")), row.getString("reason"));
    }
}
