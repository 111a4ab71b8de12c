package dev.keel.core.data;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.store.Database;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.LinkageReport;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Pipeline runs in the metadata database (table {@code pipeline_runs}, migrations V20, V22 and V70); instants are kept to the
 * millisecond.
 */
public final class JdbcRunRepository implements RunRepository {
    private static final String COLUMNS = "id, pipeline, spec_version, run_trigger, status, started_at, finished_at, attempts, rows_in,"
            + " rows_out, rows_quarantined, rows_merged, rows_filtered, stages_json, expectations_json, datasets_json, error, unchanged_json,"
            + " linkage_json";
    private final Database jdbc;

    public JdbcRunRepository(Database database) {
        this.jdbc = java.util.Objects.requireNonNull(database, "database");
    }

    @Override
    public void insert(PipelineRun run) {
        jdbc.update("INSERT INTO pipeline_runs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values(run));
    }

    @Override
    public void update(PipelineRun run) {
        Object[] values = values(run);
        Object[] parameters = new Object[values.length];
        System.arraycopy(values, 1, parameters, 0, values.length - 1);
        parameters[values.length - 1] = run.id();
        int updated = jdbc.update("UPDATE pipeline_runs SET pipeline = ?, spec_version = ?, run_trigger = ?, status = ?, started_at = ?,"
                + " finished_at = ?, attempts = ?, rows_in = ?, rows_out = ?, rows_quarantined = ?, rows_merged = ?, rows_filtered = ?,"
                + " stages_json = ?, expectations_json = ?, datasets_json = ?, error = ?, unchanged_json = ?,"
                + " linkage_json = ? WHERE id = ?", parameters);
        if (updated != 1) {
            throw dev.keel.core.error.KeelException.notFound("run '" + run.id() + "' does not exist");
        }
    }

    private static Object[] values(PipelineRun run) {
        RowAccounting books = run.accounting();
        return new Object[] {run.id(), run.pipeline(), run.specVersion(), run.trigger().name(), run.status().name(),
            run.startedAt().toEpochMilli(), run.finishedAt().map(Instant::toEpochMilli), run.attempts(), books.rowsIn(),
            books.rowsOut(), books.quarantined(), books.merged(), books.filtered(), DataJson.write(run.stages()),
            DataJson.write(run.expectations()), DataJson.write(run.datasets()), run.error(), DataJson.write(run.unchanged()),
            DataJson.write(run.linkage())};
    }

    @Override
    public Optional<PipelineRun> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM pipeline_runs WHERE id = ?", JdbcRunRepository::map, id).stream().findFirst();
    }

    @Override
    public List<PipelineRun> history(String pipeline, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM pipeline_runs WHERE pipeline = ? ORDER BY started_at DESC, id DESC LIMIT ?",
                JdbcRunRepository::map, pipeline, limit);
    }

    @Override
    public List<PipelineRun> withStatus(RunStatus status) {
        return jdbc.query("SELECT " + COLUMNS + " FROM pipeline_runs WHERE status = ? ORDER BY started_at", JdbcRunRepository::map,
                status.name());
    }

    private static PipelineRun map(ResultSet row) throws SQLException {
        long finished = row.getLong(7);
        Optional<Instant> finishedAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
        RowAccounting books = new RowAccounting(row.getLong(9), row.getLong(10), row.getLong(11), row.getLong(12), row.getLong(13));
        List<EngineResult.StageResult> stages = DataJson.read(row.getString(14), new TypeReference<>() { });
        List<EngineResult.ExpectationResult> expectations = DataJson.read(row.getString(15), new TypeReference<>() { });
        List<String> datasets = DataJson.read(row.getString(16), new TypeReference<>() { });
        List<String> unchanged = DataJson.read(row.getString(18), new TypeReference<>() { });
        List<LinkageReport> linkage = DataJson.read(row.getString(19), new TypeReference<>() { });
        return new PipelineRun(row.getString(1), row.getString(2), (int) row.getLong(3), Trigger.valueOf(row.getString(4)),
                RunStatus.valueOf(row.getString(5)), Instant.ofEpochMilli(row.getLong(6)), finishedAt, (int) row.getLong(8), books,
                stages, expectations, datasets, unchanged, Optional.ofNullable(row.getString(17)), linkage);
    }
}
