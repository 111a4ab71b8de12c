package dev.keel.core.batch;

import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import java.util.Locale;
import java.util.Objects;

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
                    case ScoringJobSpec.TableDestination table -> checkKind(table, database(table));
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
