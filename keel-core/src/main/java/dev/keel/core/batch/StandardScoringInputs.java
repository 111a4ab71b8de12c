package dev.keel.core.batch;

import dev.keel.core.error.KeelException;
import java.util.Objects;
import java.util.Optional;

/** Every kind of input: Keel datasets, tables and queries of declared databases, files under the source roots. */
final class StandardScoringInputs implements ScoringInputs {
    private final DatasetSource datasets;
    private final Optional<DatabaseSource> databases;
    private final Optional<FileSource> files;

    /** @param databases and files empty where only datasets are read */
    StandardScoringInputs(DatasetSource datasets, Optional<DatabaseSource> databases, Optional<FileSource> files) {
        this.datasets = Objects.requireNonNull(datasets, "datasets");
        this.databases = Objects.requireNonNull(databases, "databases");
        this.files = Objects.requireNonNull(files, "files");
    }

    @Override
    public Pin pin(ScoringJobSpec.Input input, String project) {
        Objects.requireNonNull(project, "project");
        return switch (input) {
            case ScoringJobSpec.DatasetInput dataset -> datasets.pin(dataset, project);
            case ScoringJobSpec.DatabaseInput database -> databases(database).pin(database);
            case ScoringJobSpec.FileInput file -> files(file).pin(file, project);
        };
    }

    @Override
    public ScoringInput open(ScoringJobSpec.Input input, Pin pin, String project, Selection selection) {
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(selection, "selection");
        return switch (input) {
            case ScoringJobSpec.DatasetInput dataset -> datasets.open(dataset, pin, project, selection);
            case ScoringJobSpec.DatabaseInput database -> databases(database).open(database, selection);
            case ScoringJobSpec.FileInput file -> files(file).open(file, pin, project, selection);
        };
    }

    @Override
    public Optional<String> highest(ScoringJobSpec.Input input, Pin pin, String project, String column) {
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(column, "column");
        return switch (input) {
            case ScoringJobSpec.DatasetInput dataset -> datasets.highest(dataset, pin, project, column);
            case ScoringJobSpec.DatabaseInput database -> databases(database).highest(database, column);
            case ScoringJobSpec.FileInput file -> files(file).highest(file, pin, project, column);
        };
    }

    private DatabaseSource databases(ScoringJobSpec.DatabaseInput input) {
        return databases.orElseThrow(() -> KeelException.badRequest(input.label() + " cannot be read here: only Keel datasets are"));
    }

    private FileSource files(ScoringJobSpec.FileInput input) {
        return files.orElseThrow(() -> KeelException.badRequest(input.label() + " cannot be read here: only Keel datasets are"));
    }
}
