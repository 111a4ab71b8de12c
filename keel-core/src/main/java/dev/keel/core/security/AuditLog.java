package dev.keel.core.security;

import dev.keel.core.store.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit log of every mutating call: who, what, when, outcome. Each entry carries an HMAC-SHA256, under a
 * key kept outside the store, of its predecessor's hash and all its own columns; signed checkpoints of the chain's head,
 * kept outside the store too, pin how long the chain was. {@link #verify()} finds an edited, deleted, inserted or
 * recomputed entry, and entries cut off the end up to the latest checkpoint.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final String GENESIS = "0".repeat(64);

    private final Database database;
    private final Clock clock;
    private final AuditChain chain;
    private final AuditCheckpoints checkpoints;
    private final Object checkpointLock = new Object();
    private Optional<AuditCheckpoints.Checkpoint> lastCheckpoint;
    private volatile ScheduledExecutorService scheduler;
    private volatile int checkpointEvery;

    /**
     * @param key the audit key (at least 32 bytes) entries are chained under; the same on every replica
     * @param checkpoints where signed checkpoints of the chain are written and read
     */
    public AuditLog(Database database, Clock clock, byte[] key, AuditCheckpoints checkpoints) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.chain = new AuditChain(Objects.requireNonNull(key, "key"));
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        List<AuditCheckpoints.Checkpoint> written = checkpoints.read().checkpoints();
        this.lastCheckpoint = written.isEmpty() ? Optional.empty() : Optional.of(written.getLast());
        List<String> foreign = database.query("SELECT DISTINCT chain_scheme FROM audit_log WHERE chain_scheme <> ? AND chain_scheme <> ?",
                row -> row.getString(1), chain.scheme(), AuditChain.LEGACY_SCHEME);
        if (!foreign.isEmpty()) {
            LOG.error("audit entries in the store were chained under another audit key ({}; this server's is {}): the audit key differs"
                    + " from the one the log was written with, and verification will fail until it is restored", foreign, chain.scheme());
        }
    }

    /** True when the store holds entries chained under an audit key: a new key must not be created then. */
    public static boolean hasKeyedEntries(Database database) {
        return database.queryOne("SELECT 1 FROM audit_log WHERE chain_scheme <> ? LIMIT 1", row -> row.getInt(1),
                AuditChain.LEGACY_SCHEME).isPresent();
    }

    /** Names the audit key: the first 8 bytes of its SHA-256, in hex. */
    public String keyId() {
        return chain.keyId();
    }

    /**
     * One audited action.
     *
     * @param outcome {@code attempt} (written before the call runs), {@code success}, {@code denied} or {@code failure}
     * @param status the HTTP status, 0 for an attempt
     * @param scheme how the hash was made: {@code hmac-sha256:<key id>}, or {@code sha256} for entries from before
     */
    public record Entry(long seq, Instant at, String actor, String action, Optional<String> project, Optional<String> target,
                        String outcome, int status, Optional<String> requestId, Optional<String> detail, String previousHash, String hash,
                        String scheme) {
    }

    /** Appends an entry and returns it with its sequence number and hash. */
    public Entry append(String actor, String action, Optional<String> project, Optional<String> target, String outcome, int status,
                        Optional<String> requestId, Optional<String> detail) {
        Instant at = Instant.ofEpochMilli(clock.millis());
        Entry entry = database.inTransaction(connection -> {
            if (database.dialect() == Database.Dialect.POSTGRES) {
                Database.query(connection, "SELECT pg_advisory_xact_lock(4243)", row -> row.getObject(1));
            }
            Optional<Entry> last = Database.queryOne(connection, "SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1", AuditLog::entry);
            long seq = last.map(previous -> previous.seq() + 1).orElse(1L);
            String previous = last.map(Entry::hash).orElse(GENESIS);
            Entry unsigned = new Entry(seq, at, actor, action, project, target, outcome, status, requestId, detail, previous, "",
                    chain.scheme());
            String hash = chain.hash(unsigned);
            Database.update(connection, """
                    INSERT INTO audit_log (seq, at, actor, action, project, target, outcome, status, request_id, detail, previous_hash, hash,
                                           chain_scheme)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    seq, at, actor, action, project, target, outcome, status, requestId, detail, previous, hash, chain.scheme());
            return new Entry(seq, at, actor, action, project, target, outcome, status, requestId, detail, previous, hash, chain.scheme());
        });
        ScheduledExecutorService running = scheduler;
        int every = checkpointEvery;
        if (running != null && every > 0 && entry.seq() % every == 0) {
            try {
                running.execute(this::checkpointQuietly);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: the closing checkpoint covers this entry
            }
        }
        return entry;
    }

    /** Entries, newest first, optionally of one project. */
    public List<Entry> list(Optional<String> project, int limit, Optional<Long> beforeSeq) {
        return select(project.<Set<String>>map(Set::of), limit, beforeSeq);
    }

    /** Entries of any of the projects, newest first; entries without a project are not among them. */
    public List<Entry> listOf(Set<String> projects, int limit, Optional<Long> beforeSeq) {
        if (projects.isEmpty()) {
            return List.of();
        }
        return select(Optional.of(projects), limit, beforeSeq);
    }

    private List<Entry> select(Optional<Set<String>> projects, int limit, Optional<Long> beforeSeq) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
        projects.ifPresent(names -> {
            sql.append(" AND project IN (").append(String.join(", ", java.util.Collections.nCopies(names.size(), "?"))).append(")");
            parameters.addAll(names.stream().sorted().toList());
        });
        beforeSeq.ifPresent(seq -> {
            sql.append(" AND seq < ?");
            parameters.add(seq);
        });
        sql.append(" ORDER BY seq DESC LIMIT ?");
        parameters.add(limit);
        return database.query(sql.toString(), AuditLog::entry, parameters.toArray());
    }

    /** What verification found. */
    public enum Finding {
        /** Every entry matches its hash and link, and the checkpoints. */
        INTACT,
        /** An entry was edited, inserted, deleted from the middle, or recomputed. */
        TAMPERED,
        /** Entries a signed checkpoint covers are missing from the end of the chain. */
        TRUNCATED,
        /** A checkpoint line is unreadable, not signed by this server's key, or out of order. */
        CHECKPOINT_INVALID,
        /** Entries or checkpoints were made under another audit key than this server's: not evidence of tampering by itself. */
        KEY_MISMATCH
    }

    /** The checkpoint that verification held the chain against. */
    public record CheckpointSummary(long seq, Instant at, String hash) {
    }

    /**
     * The result of walking the chain and holding it against the signed checkpoints.
     *
     * @param entries how many entries were walked (up to the first problem)
     * @param firstBrokenSeq the first entry whose hash, link or checkpoint does not match, if any
     * @param legacyEntries entries at the start chained with plain SHA-256 before keyed chaining: only as strong as that was
     * @param keyId this server's audit key id
     * @param checkpointsChecked checkpoint lines read and checked
     * @param latestCheckpoint the latest validly signed checkpoint
     * @param entriesAfterCheckpoint entries after the latest checkpoint: not yet covered, so a cut among them cannot be seen
     */
    public record Verification(boolean intact, Finding finding, String message, long entries, Optional<Long> firstSeq,
                               Optional<Long> lastSeq, Optional<Long> firstBrokenSeq, long legacyEntries, String keyId,
                               long checkpointsChecked, Optional<CheckpointSummary> latestCheckpoint, long entriesAfterCheckpoint) {
    }

    private record Problem(Finding finding, Optional<Long> seq, String message) {
    }

    /** Walks the chain from the first entry on and holds it against every checkpoint. */
    public Verification verify() {
        AuditCheckpoints.Read read = checkpoints.read();
        Optional<Problem> checkpointProblem = read.problem().map(text -> new Problem(Finding.CHECKPOINT_INVALID, Optional.empty(), text));
        Map<Long, AuditCheckpoints.Checkpoint> anchors = new HashMap<>();
        AuditCheckpoints.Checkpoint latest = null;
        for (AuditCheckpoints.Checkpoint checkpoint : read.checkpoints()) {
            Optional<Problem> problem = checkCheckpoint(checkpoint, latest);
            if (problem.isPresent()) {
                checkpointProblem = checkpointProblem.or(() -> problem);
                continue;
            }
            anchors.putIfAbsent(checkpoint.seq(), checkpoint);
            latest = checkpoint;
        }
        Walker walker = new Walker(0, GENESIS, false, anchors);
        database.withConnection(connection -> walker.walk(connection));
        Optional<Problem> problem = walker.problem;
        if (problem.isEmpty() && latest != null) {
            long lastSeq = walker.lastSeq;
            if (lastSeq < latest.seq()) {
                problem = Optional.of(new Problem(Finding.TRUNCATED, Optional.of(lastSeq + 1), (lastSeq == 0 ? "the log holds no entries"
                        : "the log ends at entry " + lastSeq) + ", but the checkpoint of " + latest.at() + " covers entries up to seq "
                        + latest.seq() + ": entries " + (lastSeq + 1) + " to " + latest.seq() + " were deleted"));
            } else if (walker.legacy != latest.legacyEntries()) {
                problem = Optional.of(new Problem(Finding.TAMPERED, Optional.empty(), "the chain starts with " + walker.legacy
                        + " legacy (plain SHA-256) entries, but the checkpoints say " + latest.legacyEntries() + ": entries were re-chained"
                        + " with the legacy scheme"));
            }
        }
        Optional<Problem> ofCheckpoints = checkpointProblem;
        problem = problem.or(() -> ofCheckpoints);
        Optional<CheckpointSummary> summary = Optional.ofNullable(latest).map(cp -> new CheckpointSummary(cp.seq(), cp.at(), cp.hash()));
        long after = latest == null ? walker.entries : Math.max(0, walker.lastSeq - latest.seq());
        String message = problem.map(Problem::message).orElseGet(() -> intactMessage(walker, summary, after));
        return new Verification(problem.isEmpty(), problem.map(Problem::finding).orElse(Finding.INTACT), message, walker.entries,
                walker.firstSeq, walker.entries == 0 ? Optional.empty() : Optional.of(walker.lastSeq), problem.flatMap(Problem::seq),
                walker.legacy, chain.keyId(), read.checkpoints().size(), summary, after);
    }

    private static String intactMessage(Walker walker, Optional<CheckpointSummary> latest, long after) {
        StringBuilder text = new StringBuilder();
        text.append(walker.entries).append(walker.entries == 1 ? " entry" : " entries");
        walker.firstSeq.ifPresent(first -> text.append(" (seq ").append(first).append('-').append(walker.lastSeq).append(')'));
        text.append(", chain intact");
        if (walker.legacy > 0) {
            text.append(" (the first ").append(walker.legacy).append(" chained with plain SHA-256 before keyed chaining)");
        }
        if (latest.isEmpty()) {
            text.append("; no checkpoint yet, so entries cut off the end cannot be detected");
        } else {
            text.append("; matches the checkpoint at seq ").append(latest.get().seq()).append(" of ").append(latest.get().at());
            if (after > 0) {
                text.append("; ").append(after).append(after == 1 ? " entry after it is" : " entries after it are")
                        .append(" not yet covered by a checkpoint");
            }
        }
        return text.toString();
    }

    private Optional<Problem> checkCheckpoint(AuditCheckpoints.Checkpoint checkpoint, AuditCheckpoints.Checkpoint previous) {
        String name = "the checkpoint at seq " + checkpoint.seq() + " of " + checkpoint.at();
        if (!checkpoint.signingKeyId().equals(checkpoints.signingKeyId())) {
            return Optional.of(new Problem(Finding.CHECKPOINT_INVALID, Optional.empty(), name + " names signing key "
                    + checkpoint.signingKeyId() + ", not this server's " + checkpoints.signingKeyId()));
        }
        if (!checkpoints.signatureValid(checkpoint)) {
            return Optional.of(new Problem(Finding.CHECKPOINT_INVALID, Optional.empty(), name
                    + " has an invalid signature: it was not written by this server's signing key, or was edited"));
        }
        if (!checkpoint.keyId().equals(chain.keyId())) {
            return Optional.of(new Problem(Finding.KEY_MISMATCH, Optional.empty(), name + " was made under audit key " + checkpoint.keyId()
                    + ", this server holds " + chain.keyId() + ": the audit key differs from the one the log was written with"));
        }
        if (previous != null && (checkpoint.seq() < previous.seq() || checkpoint.at().isBefore(previous.at())
                || (checkpoint.seq() == previous.seq() && !checkpoint.hash().equals(previous.hash()))
                || checkpoint.legacyEntries() != previous.legacyEntries())) {
            return Optional.of(new Problem(Finding.CHECKPOINT_INVALID, Optional.empty(), name + " does not follow the one before it (seq "
                    + previous.seq() + " of " + previous.at() + "): checkpoints only move forward"));
        }
        return Optional.empty();
    }

    /** Walks entries after a known seq and hash, checking sequence, links, hashes and checkpoint anchors. */
    private final class Walker {
        private final Map<Long, AuditCheckpoints.Checkpoint> anchors;
        private final long startSeq;
        private long expectedSeq;
        private String previous;
        private boolean keyedSeen;
        private long entries;
        private long legacy;
        private long lastSeq;
        private Optional<Long> firstSeq = Optional.empty();
        private Optional<Problem> problem = Optional.empty();

        Walker(long afterSeq, String afterHash, boolean keyedSeen, Map<Long, AuditCheckpoints.Checkpoint> anchors) {
            this.startSeq = afterSeq;
            this.expectedSeq = afterSeq + 1;
            this.previous = afterHash;
            this.keyedSeen = keyedSeen;
            this.lastSeq = afterSeq;
            this.anchors = anchors;
        }

        Void walk(Connection connection) throws SQLException {
            try (var statement = connection.prepareStatement("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq")) {
                statement.setLong(1, startSeq);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        if (!accept(entry(rows))) {
                            break;
                        }
                    }
                }
            }
            return null;
        }

        private boolean accept(Entry entry) {
            if (entry.seq() != expectedSeq) {
                return fail(Finding.TAMPERED, expectedSeq, "entry " + expectedSeq + " is missing");
            }
            if (!entry.previousHash().equals(previous)) {
                return fail(Finding.TAMPERED, entry.seq(), "entry " + entry.seq() + " does not link to the hash of entry " + (entry.seq() - 1));
            }
            if (entry.scheme().equals(AuditChain.LEGACY_SCHEME)) {
                if (keyedSeen) {
                    return fail(Finding.TAMPERED, entry.seq(), "entry " + entry.seq() + " claims the legacy plain SHA-256 scheme after keyed"
                            + " entries: it was rewritten");
                }
                if (!AuditChain.legacyHash(entry).equals(entry.hash())) {
                    return fail(Finding.TAMPERED, entry.seq(), "entry " + entry.seq() + " was altered: its content no longer matches its hash");
                }
                legacy++;
            } else {
                Optional<String> keyId = AuditChain.keyIdOf(entry.scheme());
                if (keyId.isEmpty()) {
                    return fail(Finding.TAMPERED, entry.seq(), "entry " + entry.seq() + " names an unknown chain scheme '" + entry.scheme() + "'");
                }
                if (!keyId.get().equals(chain.keyId())) {
                    return fail(Finding.KEY_MISMATCH, entry.seq(), "entry " + entry.seq() + " was chained under audit key " + keyId.get()
                            + ", this server holds " + chain.keyId() + ": the audit key differs from the one the log was written with");
                }
                keyedSeen = true;
                if (!chain.hash(entry).equals(entry.hash())) {
                    return fail(Finding.TAMPERED, entry.seq(), "entry " + entry.seq() + " was altered: its content no longer matches its hash");
                }
            }
            AuditCheckpoints.Checkpoint anchor = anchors.get(entry.seq());
            if (anchor != null && !anchor.hash().equals(entry.hash())) {
                return fail(Finding.TAMPERED, entry.seq(), "entry " + entry.seq() + " does not match the checkpoint of " + anchor.at()
                        + ": the chain was recomputed from there on");
            }
            entries++;
            firstSeq = firstSeq.or(() -> Optional.of(entry.seq()));
            lastSeq = entry.seq();
            previous = entry.hash();
            expectedSeq++;
            return true;
        }

        private boolean fail(Finding finding, long seq, String message) {
            problem = Optional.of(new Problem(finding, Optional.of(seq), message));
            return false;
        }
    }

    /**
     * Verifies the entries written since the last checkpoint and, when the head moved, signs and appends a checkpoint of
     * it. A chain that fails that check is not signed: the failure is logged and {@link #verify()} reports it.
     *
     * @return the checkpoint written, or empty when the head has not moved or the chain failed the check
     */
    public Optional<AuditCheckpoints.Checkpoint> checkpoint() {
        synchronized (checkpointLock) {
            Optional<AuditCheckpoints.Checkpoint> last = lastCheckpoint;
            long fromSeq = last.map(AuditCheckpoints.Checkpoint::seq).orElse(0L);
            String fromHash = last.map(AuditCheckpoints.Checkpoint::hash).orElse(GENESIS);
            long legacyBefore = last.map(AuditCheckpoints.Checkpoint::legacyEntries).orElse(0L);
            // legacy entries only predate keyed chaining, which the first checkpoint follows: none may come after a checkpoint
            Walker walker = new Walker(fromSeq, fromHash, last.isPresent(), Map.of());
            Optional<String> problem = database.withConnection(connection -> {
                if (fromSeq > 0) {
                    Optional<String> anchored = Database.queryOne(connection, "SELECT hash FROM audit_log WHERE seq = ?", row -> row.getString(1),
                            fromSeq);
                    if (anchored.isEmpty()) {
                        return Optional.of("entry " + fromSeq + ", the head of the last checkpoint, is missing");
                    }
                    if (!anchored.get().equals(fromHash)) {
                        return Optional.of("entry " + fromSeq + " no longer has the hash the last checkpoint signed");
                    }
                }
                walker.walk(connection);
                return walker.problem.map(Problem::message);
            });
            if (problem.isPresent()) {
                LOG.error("audit checkpoint not written: {}; run keel audit verify", problem.get());
                return Optional.empty();
            }
            if (last.isPresent() && walker.entries == 0) {
                return Optional.empty();
            }
            AuditCheckpoints.Checkpoint written = checkpoints.write(walker.lastSeq, walker.previous, chain.keyId(),
                    legacyBefore + walker.legacy, clock.instant());
            lastCheckpoint = Optional.of(written);
            return Optional.of(written);
        }
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("could not write an audit checkpoint; retrying at the next one", e);
        }
    }

    /**
     * Writes a checkpoint now, then every {@code interval} and after every {@code everyEntries}-th entry (0: not by count),
     * on a background thread; {@link #close()} writes a last one.
     */
    public void startCheckpoints(Duration interval, int everyEntries) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the checkpoint interval must be positive, got " + interval);
        }
        if (everyEntries < 0) {
            throw new IllegalArgumentException("entries per checkpoint must not be negative, got " + everyEntries);
        }
        checkpointQuietly();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "keel-audit-checkpoints");
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.scheduleWithFixedDelay(this::checkpointQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        this.checkpointEvery = everyEntries;
        this.scheduler = executor;
    }

    /** Stops the background checkpoints and writes a last one when checkpoints were started. */
    @Override
    public void close() {
        ScheduledExecutorService running = scheduler;
        if (running == null) {
            return;
        }
        scheduler = null;
        running.shutdown();
        try {
            if (!running.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the audit checkpoint thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpointQuietly();
    }

    private static Entry entry(ResultSet row) throws SQLException {
        return new Entry(row.getLong("seq"), Instant.ofEpochMilli(row.getLong("at")), row.getString("actor"), row.getString("action"),
                Optional.ofNullable(row.getString("project")), Optional.ofNullable(row.getString("target")), row.getString("outcome"),
                row.getInt("status"), Optional.ofNullable(row.getString("request_id")), Optional.ofNullable(row.getString("detail")),
                row.getString("previous_hash"), row.getString("hash"), row.getString("chain_scheme"));
    }
}
