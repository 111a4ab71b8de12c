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
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Applies the versioned SQL migrations listed in {@code db/migration/migrations.txt}, each once, in order, in its own transaction.
 *
 * <p>A migration {@code V3__x.sql} may have a dialect variant {@code V3__x.postgres.sql} or {@code V3__x.sqlite.sql},
 * which is used instead on that database. An applied migration whose text changed is refused: migrations are immutable.
 */
public final class Migrator {
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_-]+)\\.sql");
    private static final String INDEX = "db/migration/migrations.txt";

    private final Database database;

    public Migrator(Database database) {
        this.database = database;
    }

    /** Applies what is missing; returns the versions applied now. */
    public List<Integer> migrate() {
        List<Migration> migrations = readIndex();
        return database.withConnection(connection -> {
            boolean locked = database.dialect() == Database.Dialect.POSTGRES;
            if (locked) {
                Database.query(connection, "SELECT pg_advisory_lock(4242)", row -> row.getObject(1));
            }
            try {
                Database.execute(connection, """
                        CREATE TABLE IF NOT EXISTS keel_schema_history (
                          version INTEGER PRIMARY KEY,
                          name TEXT NOT NULL,
                          checksum TEXT NOT NULL,
                          applied_at BIGINT NOT NULL
                        )""");
                return applyMissing(connection, migrations);
            } finally {
                if (locked) {
                    Database.query(connection, "SELECT pg_advisory_unlock(4242)", row -> row.getObject(1));
                }
            }
        });
    }

    private List<Integer> applyMissing(Connection connection, List<Migration> migrations) throws SQLException {
            Map<Integer, String> applied = Database.query(connection, "SELECT version, checksum FROM keel_schema_history",
                    row -> Map.entry(row.getInt(1), row.getString(2))).stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            List<Integer> now = new java.util.ArrayList<>();
            for (Migration migration : migrations) {
                String script = migration.script(database.dialect());
                String checksum = sha256(script);
                String previous = applied.get(migration.version());
                if (previous != null) {
                    if (!previous.equals(checksum)) {
                        throw new KeelException(ErrorCode.INTERNAL, "migration V" + migration.version() + " (" + migration.name()
                                + ") changed after it was applied; migrations are immutable, add a new one instead");
                    }
                    continue;
                }
                connection.setAutoCommit(false);
                try {
                    if (Database.queryOne(connection, "SELECT checksum FROM keel_schema_history WHERE version = ?", row -> row.getString(1),
                            migration.version()).isPresent()) {
                        // applied by another process since the history was read; its checksum is checked on the next start
                        connection.commit();
                        continue;
                    }
                    Database.execute(connection, script);
                    Database.update(connection, "INSERT INTO keel_schema_history (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                            migration.version(), migration.name(), checksum, System.currentTimeMillis());
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw new KeelException(ErrorCode.INTERNAL, "migration V" + migration.version() + " (" + migration.name()
                            + ") failed: " + e.getMessage(), e);
                } finally {
                    connection.setAutoCommit(true);
                }
                now.add(migration.version());
            }
            return now;
    }

    private record Migration(int version, String name, String file) {
        String script(Database.Dialect dialect) {
            String variant = file.replace(".sql", "." + dialect.name().toLowerCase(Locale.ROOT) + ".sql");
            String text = resource("db/migration/" + variant);
            return text != null ? text : requireResource("db/migration/" + file);
        }
    }

    private static List<Migration> readIndex() {
        String index = requireResource(INDEX);
        List<Migration> migrations = index.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> {
                    Matcher matcher = NAME.matcher(line);
                    if (!matcher.matches()) {
                        throw new IllegalStateException("migration file name '" + line + "' must look like V12__name.sql");
                    }
                    return new Migration(Integer.parseInt(matcher.group(1)), matcher.group(2), line);
                })
                .sorted(java.util.Comparator.comparingInt(Migration::version)).toList();
        for (int i = 1; i < migrations.size(); i++) {
            if (migrations.get(i).version() == migrations.get(i - 1).version()) {
                throw new IllegalStateException("two migrations share version " + migrations.get(i).version());
            }
        }
        return migrations;
    }

    private static String requireResource(String name) {
        String text = resource(name);
        if (text == null) {
            throw new IllegalStateException("missing class-path resource " + name);
        }
        return text;
    }

    private static String resource(String name) {
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
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
