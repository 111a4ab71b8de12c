package dev.keel.core.batch;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** Keel datasets as scoring input: the snapshot files of versions of the job's own project. */
final class DatasetSource {
    private final PipelineService pipelines;

    DatasetSource(PipelineService pipelines) {
        this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
    }

    ScoringInputs.Pin pin(ScoringJobSpec.DatasetInput input, String project) {
        check(input, project);
        return new ScoringInputs.Pin(pipelines.dataset(input.dataset(), input.version()).version(), "");
    }

    ScoringInput open(ScoringJobSpec.DatasetInput input, ScoringInputs.Pin pin, String project, ScoringInputs.Selection selection) {
        check(input, project);
        DatasetVersion version = pipelines.dataset(input.dataset(), pinned(pin));
        SnapshotStore.Snapshot file = pipelines.openSnapshot(input.dataset(), version.version());
        Optional<SnapshotStore.Snapshot> previous = Optional.empty();
        try {
            if (selection.changedSince() == version.version()) {
                previous = Optional.of(file);
            } else if (selection.changedSince() > 0) {
                previous = Optional.of(pipelines.openSnapshot(input.dataset(), selection.changedSince()));
            }
            boolean everything = selection.equals(ScoringInputs.Selection.ALL);
            Optional<SnapshotStore.Snapshot> older = previous;
            return new SnapshotInput(file.path(), previous.map(SnapshotStore.Snapshot::path), selection.watermark(),
                    everything ? OptionalLong.of(version.rows()) : OptionalLong.empty(), label(input, version.version()), () -> {
                        file.close();
                        older.ifPresent(SnapshotStore.Snapshot::close);
                    });
        } catch (RuntimeException e) {
            file.close();
            previous.ifPresent(SnapshotStore.Snapshot::close);
            throw e;
        }
    }

    Optional<String> highest(ScoringJobSpec.DatasetInput input, ScoringInputs.Pin pin, String project, String column) {
        check(input, project);
        int version = pinned(pin);
        String label = label(input, version);
        try (SnapshotStore.Snapshot file = pipelines.openSnapshot(input.dataset(), version);
             Connection connection = DuckSql.connect(false, false, label)) {
            String from = "read_parquet(" + DuckSql.literal(file.path().toAbsolutePath().toString()) + ")";
            return DuckSql.highest(connection, from, DuckSql.describe(connection, from), column, label);
        } catch (SQLException e) {
            throw DuckSql.failure(label, e);
        }
    }

    private static int pinned(ScoringInputs.Pin pin) {
        KeelException.requireArgument(pin.datasetVersion() > 0, "a dataset input is pinned to a version >= 1; got %d", pin.datasetVersion());
        return pin.datasetVersion();
    }

    private static String label(ScoringJobSpec.DatasetInput input, int version) {
        return input.label() + " version " + version;
    }

    /** A dataset of another project is refused, and one that does not exist is not found, before any of its versions is read. */
    private void check(ScoringJobSpec.DatasetInput input, String project) {
        Optional<String> owner = pipelines.datasetProject(input.dataset());
        if (owner.isEmpty()) {
            throw KeelException.notFound("dataset '" + input.dataset() + "' does not exist");
        }
        if (!owner.get().equals(project)) {
            throw new KeelException(ErrorCode.FORBIDDEN, "dataset '" + input.dataset() + "' belongs to project '" + owner.get()
                    + "'; a scoring job of project '" + project + "' reads only its own project's datasets");
        }
    }
}
