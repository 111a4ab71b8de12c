package dev.keel.spi.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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

    /**
     * Checks a plan without running it, for what only the engine can judge (for example SQL its sandbox refuses).
     *
     * @return every problem found, empty when the engine sees none
     */
    default List<Problem> check(PipelinePlan plan) {
        return List.of();
    }

    /**
     * Checks a plan against what its sources hold now, without running it: besides {@link #check(PipelinePlan)}, an engine may
     * read the sources' schemas (never their data in full) under {@code context}'s access policy and plan every step on them,
     * so that a missing file or column or SQL that does not bind is reported when the spec is validated. It writes nothing
     * but into {@link ExecutionContext#stagingDirectory()}.
     *
     * @return every problem found, empty when the engine sees none
     */
    default List<Problem> check(PipelinePlan plan, ExecutionContext context) {
        return check(plan);
    }

    /**
     * One problem an engine found in a plan.
     *
     * @param path the spec path, for example {@code steps[2].query}
     * @param message what is wrong and what is allowed
     */
    record Problem(String path, String message) {
        public Problem {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Computes the profile of a Parquet file (for snapshots written elsewhere). */
    DatasetProfile profile(Path parquetFile);

    /** Reads up to {@code limit} rows of a Parquet file, for previews and for feeding trainers. */
    TableData read(Path parquetFile, List<String> columns, long limit);

    /**
     * Reads up to {@code limit} rows of a Parquet file whose {@code column}, as text, is one of {@code values}, in file order.
     * This default reads the whole file and filters it; engines should override it with a filtered scan that binds the
     * values as parameters.
     *
     * @param columns the columns to return, all when empty; {@code column} need not be among them
     * @param column the column compared; SQL NULL matches no value
     */
    default TableData lookup(Path parquetFile, List<String> columns, String column, List<String> values, long limit) {
        TableData all = read(parquetFile, List.of(), Long.MAX_VALUE);
        int key = all.columns().indexOf(column);
        if (key < 0) {
            throw new DataEngineException(DataEngineException.Kind.BAD_DATA, "", "'" + parquetFile.getFileName() + "' has no column '"
                    + column + "'; its columns are " + all.columns());
        }
        List<String> wanted = columns.isEmpty() ? all.columns() : columns;
        int[] picks = new int[wanted.size()];
        for (int index = 0; index < picks.length; index++) {
            picks[index] = all.columns().indexOf(wanted.get(index));
            if (picks[index] < 0) {
                throw new DataEngineException(DataEngineException.Kind.BAD_DATA, "", "'" + parquetFile.getFileName() + "' has no column '"
                        + wanted.get(index) + "'; its columns are " + all.columns());
            }
        }
        java.util.Set<String> texts = java.util.Set.copyOf(values);
        List<Object[]> rows = all.rows().stream().filter(row -> row[key] != null && texts.contains(String.valueOf(row[key])))
                .limit(Math.max(0, limit)).map(row -> java.util.Arrays.stream(picks).mapToObj(pick -> row[pick]).toArray()).toList();
        return new TableData(wanted, java.util.Arrays.stream(picks).mapToObj(all.types()::get).toList(), rows);
    }
}
