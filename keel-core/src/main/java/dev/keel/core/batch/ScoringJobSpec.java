package dev.keel.core.batch;

import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A batch scoring job: which model version scores which dataset, which columns are written, and where.
 *
 * @param keys input columns copied to every output row; in {@code upsert} mode they are the destination's key
 * @param chunkSize rows read, scored (one model call) and written per chunk
 */
public record ScoringJobSpec(String name, String project, ModelRef model, Input input, List<String> keys, Outputs outputs,
                             Destination destination, int chunkSize) {
    public ScoringJobSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        keys = List.copyOf(keys);
        Objects.requireNonNull(outputs, "outputs");
        Objects.requireNonNull(destination, "destination");
        KeelException.requireArgument(chunkSize >= 1 && chunkSize <= ScoringJobSpecParser.MAX_CHUNK_SIZE,
                "chunk size must be between 1 and %d; got %d", ScoringJobSpecParser.MAX_CHUNK_SIZE, chunkSize);
        KeelException.requireArgument(destination.mode() != Mode.UPSERT || !keys.isEmpty(), "upsert mode needs key columns");
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

    /**
     * A Keel dataset version to score.
     *
     * @param version the version, or 0 for the latest when the run starts
     */
    public record Input(String dataset, int version) {
        public Input {
            Objects.requireNonNull(dataset, "dataset");
            KeelException.requireArgument(version >= 0, "dataset version must be >= 0 (0 for latest); got %d", version);
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

    /** How a run writes into the destination table. */
    public enum Mode {
        /** Rows are added; a run's rows carry its run id. */
        APPEND,
        /** The run fills a staging table that replaces the table in one transaction at the end. */
        REPLACE,
        /** Rows are inserted or, when a row with the same key exists, updated in place. */
        UPSERT
    }

    /** The database kinds a scoring job writes into. */
    public enum DestinationKind {
        SQLITE,
        POSTGRES
    }

    /**
     * The table a run fills.
     *
     * @param connection a database connection the administrator declared; {@code keel} is Keel's own metadata store
     */
    public record Destination(DestinationKind kind, String connection, String table, Mode mode) {
        public Destination {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(mode, "mode");
        }
    }
}
