package dev.keel.core.batch;

import dev.keel.core.store.Database;

/** The databases scoring runs write into, by the connection names an administrator declared. */
public interface ScoringDestinations {
    /** The connection name that means Keel's own metadata store. */
    String KEEL = "keel";

    /** The database behind {@code connection}; throws NOT_FOUND when no such connection is declared. */
    Database database(String connection);
}
