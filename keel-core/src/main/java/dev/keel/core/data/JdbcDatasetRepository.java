package dev.keel.core.data;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.security.Masking;
import dev.keel.core.security.SensitiveColumns;
import dev.keel.core.store.Database;
import dev.keel.spi.data.DatasetProfile;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Dataset snapshot versions in the metadata database (table {@code dataset_versions}, migrations V20, V21 and V71). */
public final class JdbcDatasetRepository implements DatasetRepository {
    private static final String COLUMNS = "dataset, version, sha256, location, row_count, byte_count, profile_json, pipeline,"
            + " spec_version, run_id, source_fingerprints_json, created_at, project, sensitive_json";
    private final Database jdbc;

    public JdbcDatasetRepository(Database database) {
        this.jdbc = java.util.Objects.requireNonNull(database, "database");
    }

    @Override
    public void insert(DatasetVersion version) {
        jdbc.update("INSERT INTO dataset_versions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", version.dataset(),
                version.version(), version.sha256(), version.location(), version.rows(), version.bytes(),
                DataJson.write(version.profile()), version.pipeline(), version.specVersion(), version.runId(),
                DataJson.write(version.sourceFingerprints()), version.createdAt().toEpochMilli(), version.project(),
                DataJson.write(version.sensitive().columns()));
    }

    @Override
    public Optional<DatasetVersion> find(String dataset, int version) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dataset_versions WHERE dataset = ? AND version = ?", JdbcDatasetRepository::map,
                dataset, version).stream().findFirst();
    }

    @Override
    public Optional<DatasetVersion> latest(String dataset) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dataset_versions WHERE dataset = ? ORDER BY version DESC LIMIT 1",
                JdbcDatasetRepository::map, dataset).stream().findFirst();
    }

    @Override
    public List<DatasetVersion> versions(String dataset) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dataset_versions WHERE dataset = ? ORDER BY version", JdbcDatasetRepository::map,
                dataset);
    }

    @Override
    public List<DatasetVersion> listLatest() {
        return jdbc.query("SELECT " + COLUMNS + " FROM dataset_versions d WHERE version = (SELECT max(version) FROM dataset_versions e"
                + " WHERE e.dataset = d.dataset) ORDER BY dataset", JdbcDatasetRepository::map);
    }

    @Override
    public boolean referencesFile(String sha256) {
        return !jdbc.query("SELECT 1 FROM dataset_versions WHERE sha256 = ? LIMIT 1", row -> 1, sha256).isEmpty();
    }

    private static DatasetVersion map(ResultSet row) throws SQLException {
        DatasetProfile profile = DataJson.read(row.getString(7), new TypeReference<>() { });
        Map<String, String> fingerprints = DataJson.read(row.getString(11), new TypeReference<>() { });
        Map<String, Masking> sensitive = DataJson.read(row.getString(14), new TypeReference<>() { });
        return new DatasetVersion(row.getString(1), (int) row.getLong(2), row.getString(3), row.getString(4), row.getLong(5),
                row.getLong(6), profile, row.getString(8), (int) row.getLong(9), row.getString(10), fingerprints,
                Instant.ofEpochMilli(row.getLong(12)), row.getString(13), new SensitiveColumns(sensitive));
    }
}
