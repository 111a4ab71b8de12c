package dev.keel.core.batch;

import dev.keel.core.data.PipelineService;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** Opens the destination and the quarantine of scoring runs. */
public interface ScoringSinks {
    /** Checks a job's destination before anything is scored: the connection is declared and of the declared kind. */
    void check(ScoringJobSpec spec);

    /** The sink run {@code run} writes its scored rows to. */
    ScoringSink open(ScoringJobSpec spec, BatchRun run, ScoringPlan plan);

    /** Where run {@code run} writes the rows it refuses before scoring. */
    Quarantine quarantine(ScoringJobSpec spec, BatchRun run);

    /**
     * Database tables: Keel's own store for connection {@code keel}, the administrator's declared connections for the others. Parquet
     * and dataset destinations are refused.
     */
    static ScoringSinks tables(Database store, ScoringDestinations databases) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(databases, "databases");
        return new ScoringSinks() {
            @Override
            public void check(ScoringJobSpec spec) {
                switch (spec.destination()) {
                    case ScoringJobSpec.TableDestination table -> {
                        checkKind(table, database(table));
                        if (table.connection().equals(ScoringDestinations.KEEL)) {
                            checkOwnTable(store, table.table(), spec.project());
                            checkOwnTable(store, spec.quarantine().orElse(table.table() + "_quarantine"), spec.project());
                        }
                    }
                    default -> throw KeelException.badRequest("destination " + spec.destination().label() + " is not a database table;"
                            + " this server writes only tables");
                }
            }

            @Override
            public ScoringSink open(ScoringJobSpec spec, BatchRun run, ScoringPlan plan) {
                ScoringJobSpec.TableDestination table = (ScoringJobSpec.TableDestination) spec.destination();
                return new TableSink(table, database(table), table.connection().equals(ScoringDestinations.KEEL), spec.keys(), run, plan);
            }

            @Override
            public Quarantine quarantine(ScoringJobSpec spec, BatchRun run) {
                ScoringJobSpec.TableDestination table = (ScoringJobSpec.TableDestination) spec.destination();
                return Quarantine.table(database(table), spec.quarantine().orElse(table.table() + "_quarantine"));
            }

            private Database database(ScoringJobSpec.TableDestination table) {
                return table.connection().equals(ScoringDestinations.KEEL) ? store : databases.database(table.connection());
            }
        };
    }

    /**
     * Every destination: database tables as {@link #tables} opens them; Parquet directories under {@code outputRoot}
     * ({@code batch.output-root}); new versions of Keel datasets, published through {@code pipelines}. Parquet and dataset
     * destinations quarantine into Keel's {@code batch_quarantine} table ({@link Quarantine#store}), also when the spec names a
     * quarantine.
     */
    static ScoringSinks standard(Database store, ScoringDestinations databases, Path outputRoot, PipelineService pipelines) {
        Objects.requireNonNull(outputRoot, "outputRoot");
        Objects.requireNonNull(pipelines, "pipelines");
        ScoringSinks tables = tables(store, databases);
        return new ScoringSinks() {
            @Override
            public void check(ScoringJobSpec spec) {
                switch (spec.destination()) {
                    case ScoringJobSpec.TableDestination table -> tables.check(spec);
                    case ScoringJobSpec.ParquetDestination parquet -> OutputDirectories.resolve(outputRoot, parquet.path(), false);
                    case ScoringJobSpec.DatasetDestination dataset -> {
                        OutputDirectories.root(outputRoot);
                        Optional<String> owner = pipelines.datasetProject(dataset.dataset());
                        if (owner.isPresent() && !owner.get().equals(spec.project())) {
                            throw new KeelException(ErrorCode.FORBIDDEN, "dataset '" + dataset.dataset() + "' belongs to project '" + owner.get()
                                    + "'; scoring job '" + spec.name() + "' of project '" + spec.project() + "' cannot publish a version of it");
                        }
                    }
                }
            }

            @Override
            public ScoringSink open(ScoringJobSpec spec, BatchRun run, ScoringPlan plan) {
                return switch (spec.destination()) {
                    case ScoringJobSpec.TableDestination table -> tables.open(spec, run, plan);
                    case ScoringJobSpec.ParquetDestination parquet -> new ParquetSink(parquet, outputRoot, run, plan);
                    case ScoringJobSpec.DatasetDestination dataset -> new DatasetSink(spec, outputRoot, pipelines, run, plan);
                };
            }

            @Override
            public Quarantine quarantine(ScoringJobSpec spec, BatchRun run) {
                return spec.destination() instanceof ScoringJobSpec.TableDestination ? tables.quarantine(spec, run) : Quarantine.store(store);
            }
        };
    }

    /** The columns every table a scoring run creates holds (the quarantine's too). */
    java.util.Set<String> RUN_COLUMNS = java.util.Set.of("model", "model_version", "run_id", "run_chunk", "scored_at");

    /**
     * In Keel's own store a job writes only tables that scoring runs of its own project created: a new table, or one with the run
     * columns whose rows come from runs of the job's project. Keel's metadata tables and another project's scores are FORBIDDEN
     * (replace mode drops the table it replaces).
     */
    static void checkOwnTable(Database store, String table, String project) {
        store.withConnection(connection -> {
            if (!TableWriter.exists(connection, table)) {
                return null;
            }
            java.util.Set<String> columns = new java.util.HashSet<>();
            try (java.sql.Statement statement = connection.createStatement();
                 java.sql.ResultSet result = statement.executeQuery("SELECT * FROM " + ParquetInput.quote(table) + " WHERE 1 = 0")) {
                for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                    columns.add(result.getMetaData().getColumnName(i).toLowerCase(Locale.ROOT));
                }
            }
            if (!columns.containsAll(RUN_COLUMNS)) {
                throw new KeelException(dev.keel.core.error.ErrorCode.FORBIDDEN, "table '" + table + "' of Keel's own store is not a"
                        + " table of scores; a scoring job writes only tables scoring runs created there");
            }
            java.util.Optional<String> owner = Database.queryOne(connection, "SELECT r.project FROM " + ParquetInput.quote(table)
                    + " t JOIN batch_runs r ON r.id = t.run_id WHERE r.project <> ? LIMIT 1", row -> row.getString(1), project);
            if (owner.isPresent()) {
                throw new KeelException(dev.keel.core.error.ErrorCode.FORBIDDEN, "table '" + table + "' of Keel's own store holds"
                        + " scores of another project; choose another table name");
            }
            return null;
        });
    }

    /** Refuses a connection whose database is not of the destination's kind. */
    static void checkKind(ScoringJobSpec.TableDestination table, Database database) {
        Database.Dialect expected = switch (table.kind()) {
            case SQLITE -> Database.Dialect.SQLITE;
            case POSTGRES -> Database.Dialect.POSTGRES;
        };
        if (database.dialect() != expected) {
            throw KeelException.badRequest("destination.kind is " + table.kind().name().toLowerCase(Locale.ROOT) + " but connection '"
                    + table.connection() + "' is a " + database.dialect().name().toLowerCase(Locale.ROOT) + " database");
        }
    }
}
