package dev.keel.spi.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an engine reports after a successful execution: row counts per stage, expectation outcomes and the files it staged.
 *
 * @param stages one entry per source and step, in spec order (sources first)
 * @param quarantine the staged quarantine snapshot, when any row was quarantined
 * @param linkage one report per probabilistic dedupe or match-merge step, in spec order
 */
public record EngineResult(String engine, List<StageResult> stages, List<ExpectationResult> expectations,
                           List<StagedOutput> outputs, Optional<StagedOutput> quarantine, List<LinkageReport> linkage) {
    public EngineResult {
        Objects.requireNonNull(engine, "engine");
        stages = List.copyOf(stages);
        expectations = List.copyOf(expectations);
        outputs = List.copyOf(outputs);
        Objects.requireNonNull(quarantine, "quarantine");
        linkage = List.copyOf(linkage);
    }

    /** A result with no linkage reports. */
    public EngineResult(String engine, List<StageResult> stages, List<ExpectationResult> expectations,
                        List<StagedOutput> outputs, Optional<StagedOutput> quarantine) {
        this(engine, stages, expectations, outputs, quarantine, List.of());
    }

    /** Whether a stage is a source or a step. */
    public enum StageKind { SOURCE, STEP }

    /**
     * Row accounting of one source or step. For a source, {@code rowsIn} is the rows read; for a step, the rows of its inputs.
     * {@code rowsIn - rowsOut - quarantined - merged} is what a SQL step filtered (negative when it added rows); it is 0 for
     * every other stage.
     *
     * @param fingerprint for sources, a SHA-256 over what was read (file contents or fetched bytes); {@code ""} for steps
     */
    public record StageResult(String name, StageKind kind, String type, long rowsIn, long rowsOut, long quarantined,
                              long merged, long millis, String fingerprint) {
        public StageResult {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }

        /** Rows neither passed on, quarantined nor merged. */
        public long filtered() {
            return rowsIn - rowsOut - quarantined - merged;
        }
    }

    /** The outcome of one expectation; {@code violations} counts offending rows (or 1 for a broken dataset-level rule). */
    public record ExpectationResult(String name, String dataset, Expectation.Action action, long violations, String detail) {
        public ExpectationResult {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(detail, "detail");
        }

        /** True when nothing violated the rule. */
        public boolean passed() {
            return violations == 0;
        }
    }

    /** A Parquet file written under the staging directory with its row count, schema and profile. */
    public record StagedOutput(String dataset, String from, Path file, long rows, DatasetProfile profile) {
        public StagedOutput {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(profile, "profile");
        }
    }
}
