package dev.keel.spi.data;

import java.nio.file.Path;
import java.util.List;

/** A plug-in that executes pipeline plans; found with {@link java.util.ServiceLoader}. */
public interface DataEngine {
    /** The engine name used in specs and configuration, for example {@code duckdb}. */
    String name();

    /**
     * Runs a plan: reads its sources, runs its steps and expectations, and writes every output and the quarantine as
     * Parquet files under {@link ExecutionContext#stagingDirectory()}.
     *
     * @throws DataEngineException when a source cannot be read, the data does not fit the plan, or a fail expectation breaks
     */
    EngineResult execute(PipelinePlan plan, ExecutionContext context);

    /** Computes the profile of a Parquet file (for snapshots written elsewhere). */
    DatasetProfile profile(Path parquetFile);

    /** Reads up to {@code limit} rows of a Parquet file, for previews and for feeding trainers. */
    TableData read(Path parquetFile, List<String> columns, long limit);
}
