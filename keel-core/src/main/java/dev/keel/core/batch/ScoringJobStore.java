package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The SQL of scoring jobs and of their runs' triggers ({@code batch_jobs}, {@code batch_run_triggers}); runs themselves are the engine's. */
final class ScoringJobStore {
    private final Database store;
    private final ScoringJobSpecParser parser = new ScoringJobSpecParser();

    ScoringJobStore(Database store) {
        this.store = store;
    }

    Optional<ScoringJob> find(String name) {
        return store.queryOne("SELECT * FROM batch_jobs WHERE name = ?", this::job, name);
    }

    List<ScoringJob> list(String project) {
        return store.query("SELECT * FROM batch_jobs WHERE project = ? ORDER BY name", this::job, project);
    }

    List<ScoringJob> all() {
        return store.query("SELECT * FROM batch_jobs ORDER BY name", this::job);
    }

    /** Inserts version 1 or replaces the spec under the next version; refuses a change that raced another. */
    void save(ScoringJob job, int previousVersion) {
        if (previousVersion == 0) {
            boolean inserted = store.withConnection(connection -> {
                try {
                    Database.update(connection, "INSERT INTO batch_jobs (name, project, spec, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                            job.name(), job.project(), job.text(), job.version(), job.updatedAt().toEpochMilli(), job.updatedBy());
                    return true;
                } catch (SQLException e) {
                    if (Database.isUniqueViolation(e)) {
                        return false;
                    }
                    throw e;
                }
            });
            if (!inserted) {
                throw KeelException.conflict("scoring job '" + job.name() + "' was applied by someone else at the same time; apply it again");
            }
            return;
        }
        int updated = store.update("UPDATE batch_jobs SET spec = ?, version = ?, updated_at = ?, updated_by = ? WHERE name = ? AND version = ?",
                job.text(), job.version(), job.updatedAt().toEpochMilli(), job.updatedBy(), job.name(), previousVersion);
        if (updated == 0) {
            throw KeelException.conflict("scoring job '" + job.name() + "' was changed by someone else at the same time; apply it again");
        }
    }

    boolean delete(String name) {
        return store.update("DELETE FROM batch_jobs WHERE name = ?", name) > 0;
    }

    Optional<RunTrigger> trigger(String runId) {
        return store.queryOne("SELECT * FROM batch_run_triggers WHERE run_id = ?", ScoringJobStore::trigger, runId);
    }

    void insertTrigger(RunTrigger trigger) {
        store.update("INSERT INTO batch_run_triggers (run_id, job, project, trigger_kind, trigger_ref, actor, job_version, attempts, created_at,"
                + " message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", trigger.runId(), trigger.job(), trigger.project(), trigger.kind().name(),
                trigger.reference(), trigger.actor(), trigger.jobVersion(), trigger.attempts(), trigger.createdAt().toEpochMilli(),
                trigger.message().orElse(null));
    }

    /** Counts one more attempt of a run; returns its number. */
    int nextAttempt(String runId) {
        store.update("UPDATE batch_run_triggers SET attempts = attempts + 1 WHERE run_id = ?", runId);
        return store.queryOne("SELECT attempts FROM batch_run_triggers WHERE run_id = ?", row -> row.getInt(1), runId).orElse(1);
    }

    void recordFailure(String runId, String message) {
        store.update("UPDATE batch_run_triggers SET message = ? WHERE run_id = ?", message, runId);
    }

    void clearFailure(String runId) {
        store.update("UPDATE batch_run_triggers SET message = NULL WHERE run_id = ?", runId);
    }

    /** The runs of a project, newest first. */
    List<BatchRun> runs(String project, int limit) {
        return store.query("SELECT * FROM batch_runs WHERE project = ? ORDER BY created_at DESC, id DESC LIMIT ?", ScoringRun::run, project,
                Math.max(1, Math.min(limit, 1_000)));
    }

    /** A run of the job that an executor holds now (RUNNING with a lease that has not run out), in any process. */
    Optional<String> runningRun(String project, String job, long now) {
        return store.queryOne("SELECT id FROM batch_runs WHERE project = ? AND job = ? AND status = ? AND lease_until >= ? ORDER BY created_at DESC"
                + " LIMIT 1", row -> row.getString(1), project, job, BatchRun.Status.RUNNING.name(), now);
    }

    /** When the run's current (or last) attempt started, or 0 for a run that is not recorded. */
    long startedAt(String runId) {
        return store.queryOne("SELECT started_at FROM batch_runs WHERE id = ?", row -> row.getLong(1), runId).orElse(0L);
    }

    private ScoringJob job(ResultSet row) throws SQLException {
        String text = row.getString("spec");
        ScoringJobSpec spec;
        try {
            spec = parser.parseOrThrow(text);
        } catch (KeelException e) {
            throw new KeelException(ErrorCode.INTERNAL, "the stored spec of scoring job '" + row.getString("name") + "' no longer parses: "
                    + e.getMessage(), e);
        }
        return new ScoringJob(row.getString("name"), row.getString("project"), row.getInt("version"), text, spec,
                Instant.ofEpochMilli(row.getLong("updated_at")), row.getString("updated_by"));
    }

    private static RunTrigger trigger(ResultSet row) throws SQLException {
        return new RunTrigger(row.getString("run_id"), row.getString("job"), row.getString("project"),
                RunTrigger.Kind.valueOf(row.getString("trigger_kind").toUpperCase(Locale.ROOT)), row.getString("trigger_ref"), row.getString("actor"),
                row.getInt("job_version"), row.getInt("attempts"), Instant.ofEpochMilli(row.getLong("created_at")),
                Optional.ofNullable(row.getString("message")));
    }
}
