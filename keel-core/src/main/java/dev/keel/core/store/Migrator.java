package dev.keel.core.store;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned SQL migrations under {@code db/migration} ({@code V12__name.sql}) with Flyway, each once, in
 * version order, each in its own transaction; several servers starting at once apply each migration once (Flyway locks
 * its history table). Out-of-order migrations are applied too: a number below the highest applied one, which a branch
 * of work may add, runs when it first appears. An applied migration whose text changed is refused.
 *
 * <p>Databases created before Flyway kept their history in {@code keel_schema_history}; on their first start under
 * Flyway that history is carried over (each row checked against the migration's text) before anything new is applied.
 */
public final class Migrator {
    /** Flyway's history table. */
    static final String HISTORY = "keel_migrations";
    private static final String LEGACY_HISTORY = "keel_schema_history";

    private final Database database;

    public Migrator(Database database) {
        this.database = database;
    }

    /** Applies what is missing; returns the versions applied now, in the order they ran. */
    public List<Integer> migrate() {
        Flyway flyway = Flyway.configure(Migrator.class.getClassLoader())
                .dataSource(database.dataSource())
                .locations("classpath:db/migration")
                .table(HISTORY)
                .baselineVersion("0")
                .baselineDescription("history carried over from keel_schema_history")
                .outOfOrder(true)
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .load();
        try {
            adoptLegacyHistory(flyway);
            MigrateResult result = flyway.migrate();
            return result.migrations.stream().map(output -> Integer.parseInt(output.version)).toList();
        } catch (FlywayException e) {
            throw new KeelException(ErrorCode.INTERNAL, failure(e), e);
        }
    }

    private static String failure(FlywayException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("checksum mismatch") || message.contains("Migration checksum mismatch")) {
            return "a migration changed after it was applied; migrations are immutable, add a new one instead: "
                    + message.lines().filter(line -> line.contains("Migration checksum mismatch") || line.contains("-> Applied"))
                    .collect(Collectors.joining("; ")).strip();
        }
        return "the metadata store could not be migrated: " + message.lines().findFirst().orElse("");
    }

    /**
     * Carries the pre-Flyway history over: Flyway's table is created with a baseline below every migration, then one
     * successful row per migration the old table lists, with Flyway's checksum of the current file, after the file's text
     * was checked against the SHA-256 the old table kept.
     */
    private void adoptLegacyHistory(Flyway flyway) {
        database.withConnection(connection -> {
            boolean postgres = database.dialect() == Database.Dialect.POSTGRES;
            if (postgres) {
                // The lock earlier versions took to migrate: no two servers carry the history over at once.
                Database.query(connection, "SELECT pg_advisory_lock(4242)", row -> row.getObject(1));
            }
            try {
                adoptLegacyHistory(flyway, connection);
            } finally {
                if (postgres) {
                    Database.query(connection, "SELECT pg_advisory_unlock(4242)", row -> row.getObject(1));
                }
            }
            return null;
        });
    }

    private void adoptLegacyHistory(Flyway flyway, Connection connection) throws SQLException {
        {
            if (!tableExists(connection, LEGACY_HISTORY) || tableExists(connection, HISTORY)) {
                return;
            }
            Map<Integer, String> legacy = Database.query(connection, "SELECT version, checksum FROM " + LEGACY_HISTORY,
                    row -> Map.entry(row.getInt(1), row.getString(2))).stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            Map<Integer, MigrationInfo> known = new java.util.HashMap<>();
            for (MigrationInfo info : flyway.info().all()) {
                if (info.getVersion() != null && info.getScript() != null) {
                    known.put(Integer.parseInt(info.getVersion().getVersion()), info);
                }
            }
            List<Object[]> rows = new ArrayList<>();
            for (Map.Entry<Integer, String> applied : new java.util.TreeMap<>(legacy).entrySet()) {
                MigrationInfo info = Optional.ofNullable(known.get(applied.getKey())).orElseThrow(() -> new KeelException(
                        ErrorCode.INTERNAL, "the store's history lists migration V" + applied.getKey() + ", which this version of Keel"
                        + " does not have; run the version that created this store, or a newer one"));
                String text = resource("db/migration/" + info.getScript());
                if (!sha256(text).equals(applied.getValue())) {
                    throw new KeelException(ErrorCode.INTERNAL, "migration V" + applied.getKey() + " (" + info.getScript()
                            + ") changed after it was applied; migrations are immutable, add a new one instead");
                }
                rows.add(new Object[] {applied.getKey().toString(), info.getDescription(), info.getScript(), info.getChecksum()});
            }
            flyway.baseline();
            int rank = Database.queryOne(connection, "SELECT MAX(installed_rank) FROM " + HISTORY, row -> row.getInt(1)).orElse(0);
            for (Object[] row : rows) {
                rank++;
                Database.update(connection, "INSERT INTO " + HISTORY + " (installed_rank, version, description, type, script, checksum,"
                        + " installed_by, execution_time, success) VALUES (?, ?, ?, 'SQL', ?, ?, 'keel', 0, TRUE)", rank, row[0], row[1], row[2],
                        row[3]);
            }
        }
    }

    /** Whether the table exists in the connection's own schema (PostgreSQL) or database (SQLite). */
    private static boolean tableExists(Connection connection, String table) throws SQLException {
        try (var tables = connection.getMetaData().getTables(null, connection.getSchema(), table, new String[] {"TABLE"})) {
            return tables.next();
        }
    }

    private static String resource(String name) {
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
