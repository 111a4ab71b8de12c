package dev.keel.core.batch;

import java.util.Objects;
import java.util.Optional;

/** Where scoring runs find their input: pinned when a run starts, then opened, possibly restricted to the rows an incremental run reads. */
public interface ScoringInputs {
    /**
     * What a run reads, fixed when it starts so that a resumed run reads the same rows.
     *
     * @param datasetVersion the dataset version for a dataset input ({@code latest} resolved); 0 for other inputs
     * @param fingerprint what identifies the input's content where that can be known cheaply (the matched files, their sizes and
     *     modification times), or empty; a resume refuses an input whose fingerprint changed
     */
    record Pin(int datasetVersion, String fingerprint) {
        public Pin {
            Objects.requireNonNull(fingerprint, "fingerprint");
        }
    }

    /**
     * Which rows of the input a run reads.
     *
     * @param watermark rows whose watermark column lies in a range, or empty
     * @param changedSince for a dataset input: only the rows that dataset version {@code changedSince} does not hold (new or
     *     changed rows, compared over every column); 0 for every row
     */
    record Selection(Optional<Watermark> watermark, int changedSince) {
        /** Every row. */
        public static final Selection ALL = new Selection(Optional.empty(), 0);

        public Selection {
            Objects.requireNonNull(watermark, "watermark");
        }
    }

    /**
     * A watermark range: rows with {@code above < column <= upTo}. Values are canonical text: integers and decimals as Java prints
     * them, dates and time stamps as ISO-8601 (time stamps in UTC with a {@code Z}), strings as they are.
     *
     * @param above the highest value an earlier run scored, or empty for no lower bound
     */
    record Watermark(String column, Optional<String> above, String upTo) {
        public Watermark {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(above, "above");
            Objects.requireNonNull(upTo, "upTo");
        }
    }

    /**
     * Pins the input for a run of a job in {@code project}.
     *
     * @throws dev.keel.core.error.KeelException NOT_FOUND for a missing dataset, connection or file; FORBIDDEN for a dataset of
     *     another project or a path outside the source roots
     */
    Pin pin(ScoringJobSpec.Input input, String project);

    /** Opens the pinned input, restricted to {@code selection}; rows come in an order that is the same every time it is opened. */
    ScoringInput open(ScoringJobSpec.Input input, Pin pin, String project, Selection selection);

    /** The highest value of {@code column} in the pinned input, as canonical text, or empty when the input has no (non-null) value. */
    Optional<String> highest(ScoringJobSpec.Input input, Pin pin, String project, String column);

    /**
     * Every kind of input.
     *
     * @param pipelines the datasets and their projects
     * @param access the source roots file inputs must lie under, per project
     * @param baseDirectory what relative file paths are resolved against
     * @param databases the connections database inputs read; {@code keel}, Keel's own store, is refused as an input
     */
    static ScoringInputs standard(dev.keel.core.data.PipelineService pipelines, dev.keel.core.data.SourceAccess access,
                                  java.nio.file.Path baseDirectory, ScoringDestinations databases) {
        return new StandardScoringInputs(new DatasetSource(pipelines), Optional.of(new DatabaseSource(databases)),
                Optional.of(new FileSource(access, baseDirectory)));
    }

    /** Dataset inputs only, read through the pipelines' snapshot files; database and file inputs are refused. */
    static ScoringInputs datasets(dev.keel.core.data.PipelineService pipelines) {
        return new StandardScoringInputs(new DatasetSource(pipelines), Optional.empty(), Optional.empty());
    }
}
