package dev.keel.core.batch;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.SensitiveColumns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A new version of a Keel dataset as a run's destination. Chunks are staged as Parquet files under the output root
 * ({@code .datasets/<hash of run id>/}); at the end DuckDB writes the version's file (replace: the run's rows; append: the previous
 * version's rows, then the run's; upsert: the previous version's rows whose keys the run did not score, then the run's) and the
 * pipelines publish it with the run as its lineage ({@code scoring:<job>}, the run id). Finishing again after the version was
 * published publishes nothing. The model's sensitive features the job copies (as keys or carried columns) are sensitive in the
 * version, masked as the feature schema says.
 */
final class DatasetSink implements ScoringSink {
    private final ScoringJobSpec.DatasetDestination destination;
    private final String project;
    private final List<String> keys;
    private final PipelineService pipelines;
    private final BatchRun run;
    private final List<ScoringPlan.OutputColumn> columns;
    private final ChunkFiles files;
    private final Path staging;
    private final String producer;
    private final SensitiveColumns sensitive;

    DatasetSink(ScoringJobSpec spec, Path outputRoot, PipelineService pipelines, BatchRun run, ScoringPlan plan) {
        this.destination = (ScoringJobSpec.DatasetDestination) spec.destination();
        this.project = spec.project();
        this.keys = spec.keys();
        this.pipelines = pipelines;
        this.run = run;
        List<ScoringPlan.OutputColumn> all = new ArrayList<>(plan.columns());
        all.addAll(TableWriter.RUN_COLUMNS);
        this.columns = List.copyOf(all);
        String hash = ScoringRun.hashedName("", run.id());
        this.files = new ChunkFiles(plan.columns(), List.of(), "part-" + hash);
        this.staging = OutputDirectories.root(outputRoot).resolve(".datasets").resolve(hash);
        this.producer = producer(spec);
        this.sensitive = plan.sensitiveFeatures().retain(spec.sensitive());
    }

    /** The lineage name of a job's versions. */
    static String producer(ScoringJobSpec spec) {
        return "scoring:" + spec.name();
    }

    private Optional<DatasetVersion> published() {
        return pipelines.publishedBy(destination.dataset(), producer, run.id());
    }

    @Override
    public boolean prepare(boolean resumed) {
        if (published().isPresent()) {
            ChunkFiles.deleteTree(staging);
            return false;
        }
        try {
            if (!resumed) {
                ChunkFiles.deleteTree(staging);
            }
            Files.createDirectories(staging.resolve("chunks"));
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot create the staging directory " + staging + ": " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public int write(int chunk, List<Object[]> rows, Object[] runValues, Checkpoint checkpoint) {
        files.write(staging.resolve("chunks"), staging.resolve("tmp-" + chunk), chunk, rows, runValues);
        checkpoint.record(Optional.empty(), rows.size());
        return rows.size();
    }

    @Override
    public void finish() {
        if (published().isPresent()) {
            ChunkFiles.deleteTree(staging);
            return;
        }
        Path version = staging.resolve("version.parquet");
        Optional<SnapshotStore.Snapshot> previous = destination.mode() == ScoringJobSpec.Mode.REPLACE
                || pipelines.datasetProject(destination.dataset()).isEmpty() ? Optional.empty()
                : Optional.of(pipelines.openSnapshot(destination.dataset(), 0));
        try (Statement statement = files.connection().createStatement()) {
            String select = select(chunkFiles(), previous.map(SnapshotStore.Snapshot::path));
            statement.execute("COPY (" + select + ") TO " + ChunkFiles.literal(version.toString()) + " (FORMAT parquet)");
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.INTERNAL, "DuckDB cannot write the new version of dataset '" + destination.dataset() + "': "
                    + e.getMessage(), e);
        } finally {
            previous.ifPresent(SnapshotStore.Snapshot::close);
        }
        // a column the dataset masked before stays masked, whatever this job declares
        SensitiveColumns masked = pipelines.datasetProject(destination.dataset()).isEmpty() ? sensitive
                : sensitive.with(pipelines.dataset(destination.dataset(), 0).sensitive());
        pipelines.publishExternal(project, destination.dataset(), version, producer, run.id(), masked);
        ChunkFiles.deleteTree(staging);
    }

    private List<Path> chunkFiles() {
        try (Stream<Path> listed = Files.list(staging.resolve("chunks"))) {
            return listed.filter(file -> file.getFileName().toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot list the staged chunks in " + staging + ": " + e.getMessage(), e);
        }
    }

    /** The version's rows, in order: what is kept of the previous version in its file order, then the run's in chunk order. */
    private String select(List<Path> chunks, Optional<Path> previous) {
        String runRows;
        if (chunks.isEmpty()) {
            runRows = "SELECT " + columns.stream().map(column -> "NULL::" + ChunkFiles.duckType(column.sqlType()) + " AS "
                    + ParquetInput.quote(column.name())).collect(Collectors.joining(", ")) + ", 1 AS keel_source, '' AS keel_file, 0::BIGINT AS"
                    + " keel_row WHERE false";
        } else {
            runRows = "SELECT * EXCLUDE (filename, file_row_number), 1 AS keel_source, filename AS keel_file, file_row_number AS keel_row"
                    + " FROM read_parquet([" + chunks.stream().map(file -> ChunkFiles.literal(file.toString())).collect(Collectors.joining(", "))
                    + "], filename = true, file_row_number = true)";
        }
        String keyList = keys.stream().map(ParquetInput::quote).collect(Collectors.joining(", "));
        if (destination.mode() == ScoringJobSpec.Mode.UPSERT) {
            runRows = "SELECT * FROM (" + runRows + ") QUALIFY row_number() OVER (PARTITION BY " + keyList + " ORDER BY keel_file DESC,"
                    + " keel_row DESC) = 1";
        }
        String all = runRows;
        if (previous.isPresent()) {
            String kept = "SELECT * EXCLUDE (file_row_number), 0 AS keel_source, '' AS keel_file, file_row_number AS keel_row FROM read_parquet("
                    + ChunkFiles.literal(previous.get().toString()) + ", file_row_number = true)";
            if (destination.mode() == ScoringJobSpec.Mode.UPSERT) {
                kept = "SELECT * FROM (" + kept + ") AS old WHERE NOT EXISTS (SELECT 1 FROM new_rows WHERE " + keys.stream()
                        .map(key -> "new_rows." + ParquetInput.quote(key) + " IS NOT DISTINCT FROM old." + ParquetInput.quote(key))
                        .collect(Collectors.joining(" AND ")) + ")";
            }
            all = "SELECT * FROM new_rows UNION ALL BY NAME " + kept;
            return "WITH new_rows AS (" + runRows + ") SELECT * EXCLUDE (keel_source, keel_file, keel_row) FROM (" + all + ") ORDER BY keel_source,"
                    + " keel_file, keel_row";
        }
        return "SELECT * EXCLUDE (keel_source, keel_file, keel_row) FROM (" + all + ") ORDER BY keel_source, keel_file, keel_row";
    }

    @Override
    public void close() {
        files.close();
    }
}
