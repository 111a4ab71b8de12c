package dev.keel.spi.data;

import java.util.Objects;
import java.util.Optional;

/**
 * A relation published as a versioned dataset snapshot, and optionally copied into a JDBC table.
 *
 * @param dataset the dataset name the snapshot is versioned under
 * @param from the source or step whose rows are published
 */
public record OutputSpec(String dataset, String from, Optional<JdbcTable> table) {
    public OutputSpec {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(table, "table");
    }

    /** How a JDBC table output is written: replaced whole in one transaction, or appended to. */
    public enum TableMode { REPLACE, APPEND }

    /**
     * A database table the output's rows are written to.
     *
     * @param connection the name of a connection an admin declared ({@code ""} for an inline URL)
     */
    public record JdbcTable(String connection, String url, ValueRef user, ValueRef password, String table, TableMode mode) {
        public JdbcTable {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(mode, "mode");
        }
    }
}
