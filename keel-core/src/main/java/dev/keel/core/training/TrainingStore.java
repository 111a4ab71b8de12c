package dev.keel.core.training;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Training specs, runs, Keel's evaluations of versions, approvals and rollouts in the metadata database (migration V50).
 */
public final class TrainingStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String RUN_COLUMNS = "id, model, project, spec_version, status, trigger_kind, trigger_ref, actor, created_at, started_at,"
            + " finished_at, dataset, dataset_version, dataset_sha256, model_version, code, message, detail";
    private static final String APPROVAL_COLUMNS = "id, model, project, version, run_id, alias, status, requested_at, decided_at, decided_by, reason";
    private static final String ROLLOUT_COLUMNS = "id, model, project, endpoint, version, alias, run_id, status, settings, started_at, finished_at,"
            + " requests, errors, reason";
    private final Database database;
    private final TrainingSpecParser parser = new TrainingSpecParser();

    public TrainingStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    Database database() {
        return database;
    }

    // specs

    /** Stores a model's spec, replacing the one it had. */
    public void saveSpec(StoredSpec spec) {
        database.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM training_specs WHERE model = ?", spec.model());
            return Database.update(connection, "INSERT INTO training_specs (model, project, spec, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                    spec.model(), spec.project(), spec.text(), spec.version(), spec.updatedAt(), spec.updatedBy());
        });
    }

    public Optional<StoredSpec> spec(String model) {
        return database.queryOne("SELECT model, project, spec, version, updated_at, updated_by FROM training_specs WHERE model = ?", this::spec, model);
    }

    /** The specs of a project, or of every project when {@code project} is empty, by model. */
    public List<StoredSpec> specs(String project) {
        String sql = "SELECT model, project, spec, version, updated_at, updated_by FROM training_specs";
        return project.isEmpty() ? database.query(sql + " ORDER BY model", this::spec)
                : database.query(sql + " WHERE project = ? ORDER BY model", this::spec, project);
    }

    public boolean deleteSpec(String model) {
        return database.update("DELETE FROM training_specs WHERE model = ?", model) > 0;
    }

    private StoredSpec spec(ResultSet row) throws SQLException {
        String text = row.getString("spec");
        return new StoredSpec(row.getString("model"), row.getString("project"), text, parser.parseOrThrow(text), row.getInt("version"),
                Instant.ofEpochMilli(row.getLong("updated_at")), row.getString("updated_by"));
    }

    // runs

    public void insertRun(TrainingRun run) {
        database.update("INSERT INTO training_runs (" + RUN_COLUMNS + ", log) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values(run, ""));
    }

    /** Writes a run's state and log; in {@code connection}'s transaction when one is given. */
    public void updateRun(Connection connection, TrainingRun run, String log) throws SQLException {
        Object[] values = values(run, log);
        Object[] reordered = new Object[values.length];
        System.arraycopy(values, 1, reordered, 0, values.length - 1);
        reordered[values.length - 1] = run.id();
        Database.update(connection, "UPDATE training_runs SET model = ?, project = ?, spec_version = ?, status = ?, trigger_kind = ?, trigger_ref = ?,"
                + " actor = ?, created_at = ?, started_at = ?, finished_at = ?, dataset = ?, dataset_version = ?, dataset_sha256 = ?, model_version = ?,"
                + " code = ?, message = ?, detail = ?, log = ? WHERE id = ?", reordered);
    }

    public void updateRun(TrainingRun run, String log) {
        database.withConnection(connection -> {
            updateRun(connection, run, log);
            return null;
        });
    }

    private static Object[] values(TrainingRun run, String log) {
        return new Object[] {run.id(), run.model(), run.project(), run.specVersion(), run.status(), run.triggerKind(), run.triggerRef(), run.actor(),
            run.createdAt(), millis(run.startedAt()), millis(run.finishedAt()), run.dataset().orElse(null),
            run.datasetVersion().isPresent() ? run.datasetVersion().getAsInt() : null, run.datasetSha256().orElse(null),
            run.modelVersion().isPresent() ? run.modelVersion().getAsInt() : null, run.code().orElse(null), run.message().orElse(null),
            Json.write(run.detail()), log};
    }

    private static Long millis(Optional<Instant> at) {
        return at.map(Instant::toEpochMilli).orElse(null);
    }

    /** Moves a queued run to RUNNING; false when it is no longer queued (cancelled meanwhile). */
    public boolean claim(String id, Instant startedAt) {
        return database.update("UPDATE training_runs SET status = 'RUNNING', started_at = ? WHERE id = ? AND status = 'QUEUED'", startedAt, id) == 1;
    }

    /** Cancels a run that is still queued; false when it has started (or ended) meanwhile. */
    public boolean cancelQueued(String id, Instant at, String message) {
        return database.update("UPDATE training_runs SET status = 'CANCELLED', finished_at = ?, code = 'CANCELLED', message = ? WHERE id = ?"
                + " AND status = 'QUEUED'", at, message, id) == 1;
    }

    public Optional<TrainingRun> run(String id) {
        return database.queryOne("SELECT " + RUN_COLUMNS + " FROM training_runs WHERE id = ?", TrainingStore::run, id);
    }

    public Optional<String> log(String id) {
        return database.queryOne("SELECT log FROM training_runs WHERE id = ?", row -> row.getString("log"), id);
    }

    /** The newest runs of a model, or of a project's models when {@code model} is empty, newest first. */
    public List<TrainingRun> runs(String project, String model, int limit) {
        if (!model.isEmpty()) {
            return database.query("SELECT " + RUN_COLUMNS + " FROM training_runs WHERE model = ? ORDER BY created_at DESC, id LIMIT ?", TrainingStore::run,
                    model, limit);
        }
        if (!project.isEmpty()) {
            return database.query("SELECT " + RUN_COLUMNS + " FROM training_runs WHERE project = ? ORDER BY created_at DESC, id LIMIT ?",
                    TrainingStore::run, project, limit);
        }
        return database.query("SELECT " + RUN_COLUMNS + " FROM training_runs ORDER BY created_at DESC, id LIMIT ?", TrainingStore::run, limit);
    }

    public List<TrainingRun> runsWithStatus(TrainingRun.Status... statuses) {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < statuses.length; i++) {
            in.append(i == 0 ? "?" : ", ?");
        }
        return database.query("SELECT " + RUN_COLUMNS + " FROM training_runs WHERE status IN (" + in + ") ORDER BY created_at", TrainingStore::run,
                (Object[]) statuses);
    }

    /** The model's run that is queued or running, if any. */
    public Optional<TrainingRun> activeRun(Connection connection, String model) throws SQLException {
        return Database.queryOne(connection, "SELECT " + RUN_COLUMNS + " FROM training_runs WHERE model = ? AND status IN ('QUEUED', 'RUNNING')"
                + " ORDER BY created_at LIMIT 1", TrainingStore::run, model);
    }

    /** When the model's last run was created. */
    public Optional<Instant> lastRunAt(String model) {
        return database.queryOne("SELECT MAX(created_at) AS at FROM training_runs WHERE model = ?", row -> Database.instant(row, "at"), model)
                .flatMap(at -> at);
    }

    private static TrainingRun run(ResultSet row) throws SQLException {
        int datasetVersion = row.getInt("dataset_version");
        OptionalInt dataset = row.wasNull() ? OptionalInt.empty() : OptionalInt.of(datasetVersion);
        int modelVersion = row.getInt("model_version");
        OptionalInt version = row.wasNull() ? OptionalInt.empty() : OptionalInt.of(modelVersion);
        return new TrainingRun(row.getString("id"), row.getString("model"), row.getString("project"), row.getInt("spec_version"),
                TrainingRun.Status.valueOf(row.getString("status")), row.getString("trigger_kind"), row.getString("trigger_ref"), row.getString("actor"),
                Instant.ofEpochMilli(row.getLong("created_at")), Database.instant(row, "started_at"), Database.instant(row, "finished_at"),
                Optional.ofNullable(row.getString("dataset")), dataset, Optional.ofNullable(row.getString("dataset_sha256")), version,
                Optional.ofNullable(row.getString("code")), Optional.ofNullable(row.getString("message")), Json.read(row.getString("detail"), MAP));
    }

    // evaluations

    /**
     * Keel's evaluation of a version, as stored beside it.
     *
     * @param verdict the gate's checks, JSON-ready
     */
    public record VersionEvaluation(String model, int version, String runId, OptionalInt championVersion, boolean passed, Map<String, Double> metrics,
                                    Map<String, Double> championMetrics, Map<String, Object> verdict, Instant evaluatedAt) {
    }

    public void insertEvaluation(Connection connection, VersionEvaluation evaluation) throws SQLException {
        Database.update(connection, "INSERT INTO version_evaluations (model, version, run_id, champion_version, passed, metrics, champion_metrics,"
                + " verdict, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", evaluation.model(), evaluation.version(), evaluation.runId(),
                evaluation.championVersion().isPresent() ? evaluation.championVersion().getAsInt() : null, evaluation.passed(),
                Json.write(evaluation.metrics()), Json.write(evaluation.championMetrics()), Json.write(evaluation.verdict()), evaluation.evaluatedAt());
    }

    public Optional<VersionEvaluation> evaluation(String model, int version) {
        return database.queryOne("SELECT model, version, run_id, champion_version, passed, metrics, champion_metrics, verdict, evaluated_at"
                + " FROM version_evaluations WHERE model = ? AND version = ?", row -> {
                    int champion = row.getInt("champion_version");
                    OptionalInt championVersion = row.wasNull() ? OptionalInt.empty() : OptionalInt.of(champion);
                    return new VersionEvaluation(row.getString("model"), row.getInt("version"), row.getString("run_id"), championVersion,
                            row.getInt("passed") == 1, doubles(row.getString("metrics")), doubles(row.getString("champion_metrics")),
                            Json.read(row.getString("verdict"), MAP), Instant.ofEpochMilli(row.getLong("evaluated_at")));
                }, model, version);
    }

    private static Map<String, Double> doubles(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        Json.read(json, MAP).forEach((key, value) -> values.put(key, ((Number) value).doubleValue()));
        return values;
    }

    // approvals

    public void insertApproval(Approval approval) {
        database.update("INSERT INTO training_approvals (" + APPROVAL_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", approval.id(),
                approval.model(), approval.project(), approval.version(), approval.runId(), approval.alias(), approval.status(), approval.requestedAt(),
                millis(approval.decidedAt()), approval.decidedBy().orElse(null), approval.reason().orElse(null));
    }

    /** Moves a pending approval to {@code status}; false when it was decided already (by someone else). */
    public boolean decide(String id, Approval.Status status, Instant at, String actor, String reason) {
        return database.update("UPDATE training_approvals SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ? AND status = 'PENDING'",
                status, at, actor, reason, id) == 1;
    }

    /** Marks the model's pending approvals superseded by a newer challenger. */
    public int supersede(String model, Instant at) {
        return database.update("UPDATE training_approvals SET status = 'SUPERSEDED', decided_at = ?, decided_by = 'keel', reason = ?"
                + " WHERE model = ? AND status = 'PENDING'", at, "a newer challenger replaced it", model);
    }

    public Optional<Approval> approval(String id) {
        return database.queryOne("SELECT " + APPROVAL_COLUMNS + " FROM training_approvals WHERE id = ?", TrainingStore::approval, id);
    }

    /** The approvals of a project (every project when empty), pending ones only when {@code pendingOnly}, newest first. */
    public List<Approval> approvals(String project, boolean pendingOnly, int limit) {
        String where = (project.isEmpty() ? " WHERE 1 = 1" : " WHERE project = ?") + (pendingOnly ? " AND status = 'PENDING'" : "");
        String sql = "SELECT " + APPROVAL_COLUMNS + " FROM training_approvals" + where + " ORDER BY requested_at DESC, id LIMIT ?";
        return project.isEmpty() ? database.query(sql, TrainingStore::approval, limit) : database.query(sql, TrainingStore::approval, project, limit);
    }

    private static Approval approval(ResultSet row) throws SQLException {
        return new Approval(row.getString("id"), row.getString("model"), row.getString("project"), row.getInt("version"), row.getString("run_id"),
                row.getString("alias"), Approval.Status.valueOf(row.getString("status")), Instant.ofEpochMilli(row.getLong("requested_at")),
                Database.instant(row, "decided_at"), Optional.ofNullable(row.getString("decided_by")), Optional.ofNullable(row.getString("reason")));
    }

    // rollouts

    public void insertRollout(RolloutRecord rollout) {
        database.update("INSERT INTO rollouts (" + ROLLOUT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rollout.id(), rollout.model(),
                rollout.project(), rollout.endpoint(), rollout.version(), rollout.alias(), rollout.runId().orElse(null), rollout.status(),
                Json.write(settings(rollout.settings())), rollout.startedAt(), millis(rollout.finishedAt()), rollout.requests(), rollout.errors(),
                rollout.reason().orElse(null));
    }

    /** Ends a running rollout; false when it had ended already. */
    public boolean finishRollout(String id, RolloutRecord.Status status, Instant at, long requests, long errors, String reason) {
        return database.update("UPDATE rollouts SET status = ?, finished_at = ?, requests = ?, errors = ?, reason = ? WHERE id = ? AND status = 'RUNNING'",
                status, at, requests, errors, reason, id) == 1;
    }

    public Optional<RolloutRecord> rollout(String id) {
        return database.queryOne("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE id = ?", TrainingStore::rollout, id);
    }

    /** The rollouts of a model (every model when empty), newest first. */
    public List<RolloutRecord> rollouts(String model, int limit) {
        return model.isEmpty() ? database.query("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts ORDER BY started_at DESC LIMIT ?", TrainingStore::rollout, limit)
                : database.query("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE model = ? ORDER BY started_at DESC LIMIT ?", TrainingStore::rollout,
                model, limit);
    }

    public List<RolloutRecord> runningRollouts() {
        return database.query("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE status = 'RUNNING'", TrainingStore::rollout);
    }

    private static Map<String, Object> settings(TrainingSpec.Rollout settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("endpoint", settings.endpoint());
        values.put("percent", settings.percent());
        values.put("requests", settings.requests());
        values.put("duration_ms", settings.duration().toMillis());
        values.put("max_error_rate", settings.maxErrorRate());
        settings.maxLatencyP99().ifPresent(latency -> values.put("max_latency_p99_ms", latency.toNanos() / 1e6));
        values.put("max_accuracy_drop", settings.maxAccuracyDrop());
        values.put("min_labels", settings.minLabels());
        return values;
    }

    private static RolloutRecord rollout(ResultSet row) throws SQLException {
        Map<String, Object> values = Json.read(row.getString("settings"), MAP);
        Optional<Duration> latency = Optional.ofNullable((Number) values.get("max_latency_p99_ms"))
                .map(ms -> Duration.ofNanos(Math.round(ms.doubleValue() * 1e6)));
        TrainingSpec.Rollout settings = new TrainingSpec.Rollout((String) values.get("endpoint"), ((Number) values.get("percent")).doubleValue(),
                ((Number) values.get("requests")).longValue(), Duration.ofMillis(((Number) values.get("duration_ms")).longValue()),
                ((Number) values.get("max_error_rate")).doubleValue(), latency,
                ((Number) values.getOrDefault("max_accuracy_drop", 0.05)).doubleValue(), ((Number) values.getOrDefault("min_labels", 30)).intValue());
        return new RolloutRecord(row.getString("id"), row.getString("model"), row.getString("project"), row.getString("endpoint"), row.getInt("version"),
                row.getString("alias"), Optional.ofNullable(row.getString("run_id")), RolloutRecord.Status.valueOf(row.getString("status")), settings,
                Instant.ofEpochMilli(row.getLong("started_at")), Database.instant(row, "finished_at"), row.getLong("requests"), row.getLong("errors"),
                Optional.ofNullable(row.getString("reason")));
    }
}
