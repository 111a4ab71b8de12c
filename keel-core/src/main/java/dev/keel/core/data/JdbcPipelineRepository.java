package dev.keel.core.data;

import dev.keel.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Pipeline spec versions in the metadata database (table {@code pipeline_versions}, migrations V20 and V21) and their schedule
 * states (table {@code pipeline_schedules}, migration V23) and publishing holds (table {@code pipeline_publish_holds}, V42).
 */
public final class JdbcPipelineRepository implements PipelineRepository {
    private static final String COLUMNS = "pipeline, version, spec_yaml, sha256, created_at, project";
    private final Database jdbc;

    public JdbcPipelineRepository(Database database) {
        this.jdbc = java.util.Objects.requireNonNull(database, "database");
    }

    @Override
    public void insert(PipelineVersion version) {
        jdbc.update("INSERT INTO pipeline_versions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)", version.pipeline(), version.version(),
                version.specYaml(), version.sha256(), version.createdAt().toEpochMilli(), version.project());
    }

    @Override
    public Optional<PipelineVersion> latest(String pipeline) {
        return jdbc.query("SELECT " + COLUMNS + " FROM pipeline_versions WHERE pipeline = ? ORDER BY version DESC LIMIT 1",
                JdbcPipelineRepository::map, pipeline).stream().findFirst();
    }

    @Override
    public Optional<PipelineVersion> find(String pipeline, int version) {
        return jdbc.query("SELECT " + COLUMNS + " FROM pipeline_versions WHERE pipeline = ? AND version = ?",
                JdbcPipelineRepository::map, pipeline, version).stream().findFirst();
    }

    @Override
    public List<PipelineVersion> listLatest() {
        return jdbc.query("SELECT " + COLUMNS + " FROM pipeline_versions p WHERE version = (SELECT max(version) FROM"
                + " pipeline_versions q WHERE q.pipeline = p.pipeline) ORDER BY pipeline", JdbcPipelineRepository::map);
    }

    @Override
    public Optional<ScheduleState> schedule(String pipeline) {
        return jdbc.query("SELECT pipeline, status, spec_version, changed_at, actor FROM pipeline_schedules WHERE pipeline = ?",
                row -> new ScheduleState(row.getString(1), ScheduleState.Status.valueOf(row.getString(2)), (int) row.getLong(3),
                        Instant.ofEpochMilli(row.getLong(4)), row.getString(5)), pipeline).stream().findFirst();
    }

    @Override
    public void saveSchedule(ScheduleState state) {
        jdbc.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM pipeline_schedules WHERE pipeline = ?", state.pipeline());
            return Database.update(connection, "INSERT INTO pipeline_schedules (pipeline, status, spec_version, changed_at, actor)"
                    + " VALUES (?, ?, ?, ?, ?)", state.pipeline(), state.status().name(), state.specVersion(),
                    state.changedAt().toEpochMilli(), state.actor());
        });
    }

    @Override
    public Optional<PublishHold> publishHold(String pipeline) {
        return jdbc.query("SELECT pipeline, actor, reason, held_at FROM pipeline_publish_holds WHERE pipeline = ?",
                row -> new PublishHold(row.getString(1), row.getString(2), row.getString(3), Instant.ofEpochMilli(row.getLong(4))), pipeline)
                .stream().findFirst();
    }

    @Override
    public void savePublishHold(PublishHold hold) {
        jdbc.inTransaction(connection -> {
            Database.update(connection, "DELETE FROM pipeline_publish_holds WHERE pipeline = ?", hold.pipeline());
            return Database.update(connection, "INSERT INTO pipeline_publish_holds (pipeline, actor, reason, held_at) VALUES (?, ?, ?, ?)",
                    hold.pipeline(), hold.actor(), hold.reason(), hold.heldAt().toEpochMilli());
        });
    }

    @Override
    public boolean deletePublishHold(String pipeline) {
        return jdbc.update("DELETE FROM pipeline_publish_holds WHERE pipeline = ?", pipeline) > 0;
    }

    private static PipelineVersion map(ResultSet row) throws SQLException {
        return new PipelineVersion(row.getString(1), (int) row.getLong(2), row.getString(3), row.getString(4),
                Instant.ofEpochMilli(row.getLong(5)), row.getString(6));
    }
}
