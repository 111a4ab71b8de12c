package dev.keel.server.data;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineService;
import dev.keel.core.security.ColumnMasker;
import dev.keel.core.security.Permission;
import dev.keel.core.security.SensitiveColumns;
import dev.keel.server.Call;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.TableData;
import java.util.Map;

/**
 * A dataset as one caller may see it: for a caller without {@link Permission#SENSITIVE_READ} in the dataset's project, the values of
 * its sensitive columns are masked in rows, records and profiles, and values derived from its columns (blocking keys) are hashed.
 * A version masks its own sensitive columns and those of the dataset's latest version, so that declaring a column sensitive
 * masks it in the versions published before too.
 */
final class DatasetMasking {
    private final Call call;
    private final PipelineService pipelines;
    private final ColumnMasker masker;
    /** Per dataset version, the columns masked for this caller: looked up once per answer, however many values it masks. */
    private final Map<String, SensitiveColumns> masked = new java.util.HashMap<>();

    DatasetMasking(Call call, PipelineService pipelines, ColumnMasker masker) {
        this.call = call;
        this.pipelines = pipelines;
        this.masker = masker;
    }

    /** True when the caller sees the version's values as stored. */
    boolean raw(DatasetVersion version) {
        return call.sees(Permission.SENSITIVE_READ, version.project());
    }

    /** The columns masked for this caller: none when it may read them. */
    SensitiveColumns masked(DatasetVersion version) {
        return masked.computeIfAbsent(version.reference(), reference -> raw(version) ? SensitiveColumns.none()
                : version.sensitive().with(pipelines.dataset(version.dataset(), 0).sensitive()));
    }

    /** The version with its profile masked. */
    DatasetVersion version(DatasetVersion version) {
        SensitiveColumns masked = masked(version);
        if (masked.isEmpty()) {
            return version;
        }
        return new DatasetVersion(version.dataset(), version.version(), version.sha256(), version.location(), version.rows(),
                version.bytes(), masker.profile(version.project(), version.profile(), masked), version.pipeline(), version.specVersion(),
                version.runId(), version.sourceFingerprints(), version.createdAt(), version.project(), version.sensitive());
    }

    DatasetProfile profile(DatasetVersion version) {
        return version(version).profile();
    }

    TableData table(DatasetVersion version, TableData table) {
        return masker.table(version.project(), table, masked(version));
    }

    Map<String, Object> record(DatasetVersion version, Map<String, Object> record) {
        return masker.record(version.project(), record, masked(version));
    }

    /**
     * A value computed from the version's columns (a blocking key such as a name's first token): hashed when the caller has any
     * column of it masked, since which columns a key was made of is not recorded with it. Equal keys stay equal.
     */
    Object derived(DatasetVersion version, Object value) {
        return value == null || masked(version).isEmpty() ? value : masker.hash(version.project(), value);
    }
}
