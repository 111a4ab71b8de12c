package dev.keel.core.batch;

/** Where scoring runs find their input: a Keel dataset version, resolved and opened. */
public interface ScoringInputs {
    /** The version a run of {@code input} reads: its fixed version, or the latest one when it says {@code latest}. */
    int resolve(ScoringJobSpec.Input input);

    /** Opens a dataset version for reading. */
    ScoringInput open(String dataset, int version);

    /** Datasets read through the pipelines' snapshot files, streamed with DuckDB over their Parquet. */
    static ScoringInputs datasets(dev.keel.core.data.PipelineService pipelines) {
        java.util.Objects.requireNonNull(pipelines, "pipelines");
        return new ScoringInputs() {
            @Override
            public int resolve(ScoringJobSpec.Input input) {
                return pipelines.dataset(input.dataset(), input.version()).version();
            }

            @Override
            public ScoringInput open(String dataset, int version) {
                return new ParquetInput(pipelines.snapshotFile(dataset, version));
            }
        };
    }
}
