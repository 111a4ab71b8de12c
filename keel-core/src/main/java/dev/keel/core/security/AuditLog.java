package dev.keel.core.security;

import dev.keel.core.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The append-only audit log of every mutating call: who, what, when, outcome. Each entry carries the SHA-256 of its
 * predecessor's hash and its own content, so an edited or deleted entry breaks the chain and {@link #verify()} finds it.
 */
public final class AuditLog {
    static final String GENESIS = "0".repeat(64);

    private final Database database;
    private final Clock clock;

    public AuditLog(Database database, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One audited action.
     *
     * @param outcome {@code success}, {@code denied} or {@code failure}
     */
    public record Entry(long seq, Instant at, String actor, String action, Optional<String> project, Optional<String> target,
                        String outcome, int status, Optional<String> requestId, Optional<String> detail, String previousHash, String hash) {
    }

    /** Appends an entry and returns it with its sequence number and hash. */
    public Entry append(String actor, String action, Optional<String> project, Optional<String> target, String outcome, int status,
                        Optional<String> requestId, Optional<String> detail) {
        Instant at = clock.instant();
        return database.inTransaction(connection -> {
            if (database.dialect() == Database.Dialect.POSTGRES) {
                Database.query(connection, "SELECT pg_advisory_xact_lock(4243)", row -> row.getObject(1));
            }
            Optional<Entry> last = Database.queryOne(connection, "SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1", AuditLog::entry);
            long seq = last.map(entry -> entry.seq() + 1).orElse(1L);
            String previous = last.map(Entry::hash).orElse(GENESIS);
            Entry unsigned = new Entry(seq, at, actor, action, project, target, outcome, status, requestId, detail, previous, "");
            String hash = hashOf(unsigned);
            Database.update(connection, """
                    INSERT INTO audit_log (seq, at, actor, action, project, target, outcome, status, request_id, detail, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    seq, at, actor, action, project, target, outcome, status, requestId, detail, previous, hash);
            return new Entry(seq, at, actor, action, project, target, outcome, status, requestId, detail, previous, hash);
        });
    }

    /** Entries, newest first, optionally of one project. */
    public List<Entry> list(Optional<String> project, int limit, Optional<Long> beforeSeq) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
        project.ifPresent(name -> {
            sql.append(" AND project = ?");
            parameters.add(name);
        });
        beforeSeq.ifPresent(seq -> {
            sql.append(" AND seq < ?");
            parameters.add(seq);
        });
        sql.append(" ORDER BY seq DESC LIMIT ?");
        parameters.add(limit);
        return database.query(sql.toString(), AuditLog::entry, parameters.toArray());
    }

    /**
     * The result of walking the chain.
     *
     * @param firstBrokenSeq the first entry whose hash or link does not match, if any
     */
    public record Verification(boolean intact, long entries, Optional<Long> firstBrokenSeq, String message) {
    }

    /** Recomputes every hash from the first entry on. */
    public Verification verify() {
        return database.withConnection(connection -> {
            String previous = GENESIS;
            long count = 0;
            long expectedSeq = 1;
            try (var statement = connection.prepareStatement("SELECT * FROM audit_log ORDER BY seq");
                 ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Entry entry = entry(rows);
                    count++;
                    if (entry.seq() != expectedSeq) {
                        return new Verification(false, count, Optional.of(expectedSeq), "entry " + expectedSeq + " is missing");
                    }
                    if (!entry.previousHash().equals(previous)) {
                        return new Verification(false, count, Optional.of(entry.seq()),
                                "entry " + entry.seq() + " does not link to the hash of entry " + (entry.seq() - 1));
                    }
                    if (!hashOf(entry).equals(entry.hash())) {
                        return new Verification(false, count, Optional.of(entry.seq()),
                                "entry " + entry.seq() + " was altered: its content no longer matches its hash");
                    }
                    previous = entry.hash();
                    expectedSeq++;
                }
            }
            return new Verification(true, count, Optional.empty(), count + " entries, chain intact");
        });
    }

    static String hashOf(Entry entry) {
        String canonical = String.join("\u001f", entry.previousHash(), Long.toString(entry.seq()), Long.toString(entry.at().toEpochMilli()),
                entry.actor(), entry.action(), entry.project().orElse(""), entry.target().orElse(""), entry.outcome(),
                Integer.toString(entry.status()), entry.requestId().orElse(""), entry.detail().orElse(""));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Entry entry(ResultSet row) throws SQLException {
        return new Entry(row.getLong("seq"), Instant.ofEpochMilli(row.getLong("at")), row.getString("actor"), row.getString("action"),
                Optional.ofNullable(row.getString("project")), Optional.ofNullable(row.getString("target")), row.getString("outcome"),
                row.getInt("status"), Optional.ofNullable(row.getString("request_id")), Optional.ofNullable(row.getString("detail")),
                row.getString("previous_hash"), row.getString("hash"));
    }
}
