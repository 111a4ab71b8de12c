package dev.keel.core.batch;

import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A batch scoring job: which model version scores which input, which columns are written, where, how often and from which row.
 *
 * @param keys input columns copied to every output row; in {@code upsert} mode they are the destination's key
 * @param carry further input columns copied to every output row after the keys
 * @param sensitive columns the model's feature schema marks sensitive that the job may nevertheless copy (as keys or carried)
 * @param incremental which rows a run scores: empty for every row of the input
 * @param quarantine the table (or, for a Parquet destination, the directory) rows that fail a feature's type or range are written
 *     to, with the reason; empty for the destination's name with {@code _quarantine} appended
 * @param chunkSize rows read, scored (one model call) and written per chunk
 */
public record ScoringJobSpec(String name, String project, String description, ModelRef model, Input input, List<String> keys, List<String> carry,
                             List<String> sensitive, Outputs outputs, Destination destination, Optional<Incremental> incremental,
                             Optional<String> quarantine, Operations operations, int chunkSize) {
    public ScoringJobSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        keys = List.copyOf(keys);
        carry = List.copyOf(carry);
        sensitive = List.copyOf(sensitive);
        Objects.requireNonNull(outputs, "outputs");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(incremental, "incremental");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(operations, "operations");
        KeelException.requireArgument(chunkSize >= 1 && chunkSize <= ScoringJobSpecParser.MAX_CHUNK_SIZE,
                "chunk size must be between 1 and %d; got %d", ScoringJobSpecParser.MAX_CHUNK_SIZE, chunkSize);
        KeelException.requireArgument(destination.mode() != Mode.UPSERT || !keys.isEmpty(), "upsert mode needs key columns");
    }

    /** A job that reads every row, quarantines next to its destination, and runs only when started. */
    public ScoringJobSpec(String name, String project, ModelRef model, Input input, List<String> keys, Outputs outputs, Destination destination,
                          int chunkSize) {
        this(name, project, "", model, input, keys, List.of(), List.of(), outputs, destination, Optional.empty(), Optional.empty(),
                Operations.MANUAL, chunkSize);
    }

    /** The input columns copied to every output row: the keys, then the carried columns. */
    public List<String> copiedColumns() {
        List<String> all = new java.util.ArrayList<>(keys);
        all.addAll(carry);
        return List.copyOf(all);
    }

    /**
     * A registered model and either an alias, resolved when a run starts and pinned for that run, or a fixed version.
     *
     * @param version the version to use, or 0 to follow {@code alias}
     */
    public record ModelRef(String name, Optional<String> alias, int version) {
        public ModelRef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(alias, "alias");
            KeelException.requireArgument(alias.isPresent() != (version > 0), "model '%s' needs exactly one of alias or version", name);
        }
    }

    /** What a job reads. */
    public sealed interface Input permits DatasetInput, DatabaseInput, FileInput {
        /** A short description for messages: {@code dataset 'applicants'}, {@code table 'applicants' of connection 'crm'}. */
        String label();
    }

    /**
     * A Keel dataset version.
     *
     * @param version the version, or 0 for the latest when the run starts
     */
    public record DatasetInput(String dataset, int version) implements Input {
        public DatasetInput {
            Objects.requireNonNull(dataset, "dataset");
            KeelException.requireArgument(version >= 0, "dataset version must be >= 0 (0 for latest); got %d", version);
        }

        @Override
        public String label() {
            return "dataset '" + dataset + "'";
        }
    }

    /**
     * A table or a query of a database an administrator declared ({@code pipelines.connections.<name>}).
     *
     * @param orderBy the columns that give the rows a fixed order, so that a resumed run reads the same rows again; empty for the keys
     */
    public record DatabaseInput(String connection, Optional<String> table, Optional<String> query, List<String> orderBy) implements Input {
        public DatabaseInput {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(query, "query");
            orderBy = List.copyOf(orderBy);
            KeelException.requireArgument(table.isPresent() != query.isPresent(), "a database input needs exactly one of table or query");
        }

        @Override
        public String label() {
            return table.map(name -> "table '" + name + "'").orElse("the query") + " of connection '" + connection + "'";
        }
    }

    /**
     * Parquet or CSV files: one path or a glob, under the pipelines' source roots.
     */
    public record FileInput(String path, FileFormat format) implements Input {
        public FileInput {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
        }

        @Override
        public String label() {
            return format.name().toLowerCase(java.util.Locale.ROOT) + " files '" + path + "'";
        }
    }

    /** The file formats a file input reads. */
    public enum FileFormat {
        PARQUET,
        CSV
    }

    /**
     * Which rows a run scores.
     *
     * @param watermark a column that grows as rows are added or changed (a time stamp, a sequence); a run scores the rows above the
     *     highest value the job's last succeeded run scored, up to the highest value when it starts
     * @param changes for a dataset input: score only the rows of the new version that the version the last succeeded run scored
     *     does not hold (new or changed rows)
     * @param rescoreOnModelChange score every row when the model version differs from the one the last succeeded run used
     */
    public record Incremental(Optional<String> watermark, boolean changes, boolean rescoreOnModelChange) {
        public Incremental {
            Objects.requireNonNull(watermark, "watermark");
            KeelException.requireArgument(watermark.isPresent() != changes, "incremental needs exactly one of watermark or changes");
        }
    }

    /**
     * When runs start by themselves and how failures are retried.
     *
     * @param schedule a cron expression read in the server's time zone, or empty
     * @param after a pipeline whose every succeeded run starts a run of this job, or empty
     * @param retries attempts after a failed one, each resuming the run from its last checkpoint
     * @param retryDelay the wait before the first retry; doubled for each further one
     */
    public record Operations(Optional<String> schedule, Optional<String> after, int retries, Duration retryDelay) {
        /** No schedule, no chaining, no retries. */
        public static final Operations MANUAL = new Operations(Optional.empty(), Optional.empty(), 0, Duration.ofSeconds(30));

        public Operations {
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(after, "after");
            Objects.requireNonNull(retryDelay, "retryDelay");
            KeelException.requireArgument(retries >= 0 && retries <= ScoringJobSpecParser.MAX_RETRIES, "retries must be between 0 and %d",
                    ScoringJobSpecParser.MAX_RETRIES);
        }
    }

    /**
     * The model outputs written.
     *
     * @param probabilities one column {@code p_<class>} per class, from the model's {@code probabilities} output
     * @param classes the class names of the probability columns in the model's order; empty means {@code 0, 1, …}
     * @param label a column {@code label}: the class of highest probability
     * @param named other model outputs, each [N] or [N, 1], written to a column of the output's name
     */
    public record Outputs(boolean probabilities, List<String> classes, boolean label, List<String> named) {
        public Outputs {
            classes = List.copyOf(classes);
            named = List.copyOf(named);
            KeelException.requireArgument(probabilities || label || !named.isEmpty(), "a scoring job writes at least one output");
        }
    }

    /** How a run writes into the destination. */
    public enum Mode {
        /** Rows are added; a run's rows carry its run id. */
        APPEND,
        /** The run fills a staging table (or directory) that replaces the destination at once at the end. */
        REPLACE,
        /** Rows are inserted or, when a row with the same key exists, updated in place. */
        UPSERT
    }

    /** The database kinds a scoring job writes into. */
    public enum DestinationKind {
        SQLITE,
        POSTGRES
    }

    /** Where a run's rows go. */
    public sealed interface Destination permits TableDestination, ParquetDestination, DatasetDestination {
        /** How the run writes. */
        Mode mode();

        /** A short description for messages. */
        String label();
    }

    /**
     * A database table.
     *
     * @param connection a database connection the administrator declared; {@code keel} is Keel's own metadata store
     */
    public record TableDestination(DestinationKind kind, String connection, String table, Mode mode) implements Destination {
        public TableDestination {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public String label() {
            return "table '" + table + "' of connection '" + connection + "'";
        }
    }

    /**
     * A directory of Parquet files under the batch output root, one file per chunk (per chunk and partition when partitioned).
     *
     * @param path a relative directory under {@code batch.output-root}
     * @param partitionBy output columns whose values name sub-directories ({@code label=bad/}), Hive style
     */
    public record ParquetDestination(String path, List<String> partitionBy, Mode mode) implements Destination {
        public ParquetDestination {
            Objects.requireNonNull(path, "path");
            partitionBy = List.copyOf(partitionBy);
            Objects.requireNonNull(mode, "mode");
            KeelException.requireArgument(mode != Mode.UPSERT, "a Parquet destination is written in append or replace mode");
        }

        @Override
        public String label() {
            return "parquet directory '" + path + "'";
        }
    }

    /**
     * A new version of a Keel dataset, published when the run succeeds.
     *
     * @param mode replace: the version holds the run's rows; append: the previous version's rows and the run's; upsert: the previous
     *     version's rows with those of the run's keys replaced
     */
    public record DatasetDestination(String dataset, Mode mode) implements Destination {
        public DatasetDestination {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public String label() {
            return "dataset '" + dataset + "'";
        }
    }
}
