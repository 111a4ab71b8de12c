package dev.keel.engine.duckdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Locks a DuckDB connection before user SQL runs: no file access except the run's staging directory (where Keel writes the
 * outputs), no extension installs or loads, and a locked configuration that SET and RESET cannot change back.
 */
final class Sandbox {
    /** Said instead of DuckDB's own message when the sandbox refused something, so no server path is echoed. */
    static final String REFUSED = "the engine refused to reach a file, a setting or an extension: pipeline SQL and expressions"
            + " run without file access; sources are declared under 'sources'";

    private Sandbox() {
    }

    /**
     * Locks the connection; after this only the staging directory can be read or written, by any statement.
     *
     * @param staging the run's staging directory, absolute and normalized; outputs are written into it after the lock
     */
    static void lock(Connection duck, Path staging) throws SQLException {
        try (Statement statement = duck.createStatement()) {
            statement.execute("SET allowed_directories = [" + Sql.literal(staging.toString() + "/") + "]");
            for (String setting : List.of("enable_external_access = false", "autoinstall_known_extensions = false",
                    "autoload_known_extensions = false", "allow_community_extensions = false", "allow_unsigned_extensions = false",
                    "lock_configuration = true")) {
                statement.execute("SET " + setting);
            }
        }
    }

    /** True when DuckDB failed because the sandbox refused an access. */
    static boolean refused(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Permission Error") || message.contains("disabled by configuration")
                || message.contains("configuration has been locked") || message.contains("disabled through configuration");
    }
}
