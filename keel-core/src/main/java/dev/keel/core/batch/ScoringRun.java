package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.store.Database;
import dev.keel.spi.LoadedModel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * Runs scoring jobs: validates the model against the input, then reads, checks, scores and writes chunk after chunk, checkpointing
 * each one, so that the same run id can be resumed after a failure or a kill and never writes a row twice or leaves a gap.
 *
 * <p>A run is executed by one caller at a time, in any process: executing takes a lease on the run in Keel's store, renewed after
 * every chunk and released when the call ends. A second caller is refused with CONFLICT while the lease holds; after a kill the
 * lease runs out and the run can be resumed.
 */
public final class ScoringRun {
    /** How long a lease holds without renewal, unless the constructor says otherwise. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    private final Database store;
    private final ScoringModels models;
    private final ScoringInputs inputs;
    private final ScoringSinks sinks;
    private final Clock clock;
    private final Duration lease;
    private final String owner;

    public ScoringRun(Database store, ScoringModels models, ScoringInputs inputs, ScoringSinks sinks, Clock clock) {
        this(store, models, inputs, sinks, clock, DEFAULT_LEASE);
    }

    /** @param lease how long a run stays claimed by this executor after its last chunk; a killed executor's runs wait this long */
    public ScoringRun(Database store, ScoringModels models, ScoringInputs inputs, ScoringSinks sinks, Clock clock, Duration lease) {
        this.store = Objects.requireNonNull(store, "store");
        this.models = Objects.requireNonNull(models, "models");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lease = Objects.requireNonNull(lease, "lease");
        KeelException.requireArgument(!lease.isNegative() && !lease.isZero(), "the lease must be positive");
        this.owner = ProcessHandle.current().pid() + "@" + host() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * What one call of {@link #execute} did.
     *
     * @param chunksWritten chunks written by this call (0 when the run had finished before)
     * @param rowsWritten rows written by this call
     * @param rowsQuarantined rows this call refused before scoring
     */
    public record Outcome(BatchRun run, int chunksWritten, long rowsWritten, long rowsQuarantined) {
        public Outcome {
            Objects.requireNonNull(run, "run");
        }
    }

    /**
     * How far a run has come.
     *
     * @param chunksDone chunks checkpointed over every attempt
     * @param rowsPerSecond input rows per second over the current (or last) attempt, once it has written a chunk
     * @param eta the time left at that rate, when the total is known and the run is running
     */
    public record Progress(BatchRun run, int chunksDone, OptionalDouble rowsPerSecond, Optional<Duration> eta) {
        public Progress {
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(rowsPerSecond, "rowsPerSecond");
            Objects.requireNonNull(eta, "eta");
        }
    }

    /** A run's record. */
    public Optional<BatchRun> find(String runId) {
        return store.queryOne("SELECT * FROM batch_runs WHERE id = ?", ScoringRun::run, runId);
    }

    /** The runs of a job in a project, newest first. */
    public List<BatchRun> runs(String project, String job, int limit) {
        return store.query("SELECT * FROM batch_runs WHERE project = ? AND job = ? ORDER BY created_at DESC, id DESC LIMIT ?", ScoringRun::run,
                project, job, Math.max(1, Math.min(limit, 1_000)));
    }

    /** A run's progress: rows read of the total, the rate of its current attempt and the time left at that rate. */
    public Optional<Progress> progress(String runId) {
        Optional<BatchRun> found = find(runId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BatchRun run = found.get();
        long started = store.queryOne("SELECT started_at FROM batch_runs WHERE id = ?", row -> row.getLong(1), runId).orElse(0L);
        long[] attempt = store.queryOne("SELECT COUNT(*), COALESCE(SUM(row_count), 0), COALESCE(MAX(done_at), 0) FROM batch_chunks"
                + " WHERE run_id = ? AND done_at >= ?", row -> new long[] {row.getLong(1), row.getLong(2), row.getLong(3)}, runId, started)
                .orElseThrow();
        int chunks = store.queryOne("SELECT COUNT(*) FROM batch_chunks WHERE run_id = ?", row -> row.getInt(1), runId).orElse(0);
        OptionalDouble rate = OptionalDouble.empty();
        Optional<Duration> eta = Optional.empty();
        long until = run.status() == BatchRun.Status.RUNNING ? clock.millis() : attempt[2];
        if (attempt[0] > 0 && until > started) {
            double perSecond = attempt[1] * 1000.0 / (until - started);
            rate = OptionalDouble.of(perSecond);
            if (run.status() == BatchRun.Status.RUNNING && run.rowsTotal().isPresent() && perSecond > 0) {
                long left = Math.max(0, run.rowsTotal().getAsLong() - run.rowsRead());
                eta = Optional.of(Duration.ofMillis((long) (left * 1000.0 / perSecond)));
            }
        }
        return Optional.of(new Progress(run, chunks, rate, eta));
    }

    /**
     * Asks a running run to stop after the chunk it is writing; a run whose executor is gone (its lease ran out) is marked CANCELLED
     * at once. A stopped run is returned as it is. A cancelled run resumes when it is executed again.
     */
    public Optional<BatchRun> cancel(String runId) {
        store.update("UPDATE batch_runs SET cancel_requested = 1 WHERE id = ? AND status = ?", runId, BatchRun.Status.RUNNING.name());
        store.update("UPDATE batch_runs SET status = ?, finished_at = ?, message = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?"
                + " AND status = ? AND (lease_owner IS NULL OR lease_until < ?)", BatchRun.Status.CANCELLED.name(), clock.millis(),
                "cancelled; its executor had stopped", runId, BatchRun.Status.RUNNING.name(), clock.millis());
        return find(runId);
    }

    /** Marks a FAILED run CANCELLED (its retries were called off); any other run is returned as it is. */
    public Optional<BatchRun> cancelFailed(String runId, String reason) {
        store.update("UPDATE batch_runs SET status = ?, message = ? WHERE id = ? AND status = ? AND lease_owner IS NULL", BatchRun.Status.CANCELLED.name(),
                reason, runId, BatchRun.Status.FAILED.name());
        return find(runId);
    }

    /**
     * Starts run {@code runId} of the job, or resumes it from its last checkpoint; a run that has succeeded is left as it is
     * and nothing is written. A failure marks the run FAILED and is rethrown; the run id can then be executed again.
     *
     * @throws KeelException INVALID_INPUT when the model cannot score the input (before any row is scored); CONFLICT when the
     *     run id belongs to a different job or spec, when another caller executes it now, or when a file input changed since the run
     *     started
     */
    public Outcome execute(ScoringJobSpec spec, String runId) {
        Objects.requireNonNull(spec, "spec");
        KeelException.requireArgument(RUN_ID.matcher(runId).matches(), "run id '%s' is not valid; expected 1-128 letters, digits, '_', '.',"
                + " ':' or '-'", runId.length() > 60 ? runId.substring(0, 60) + "…" : runId);
        Optional<BatchRun> existing = find(runId);
        String fingerprint = fingerprint(spec);
        if (existing.isPresent()) {
            String stored = store.queryOne("SELECT spec FROM batch_runs WHERE id = ?", row -> row.getString(1), runId).orElseThrow();
            if (!stored.equals(fingerprint)) {
                throw KeelException.conflict("run '" + runId + "' was started by job '" + existing.get().job() + "' with a different spec;"
                        + " a run id is resumed only with the spec it started with");
            }
            if (existing.get().status() == BatchRun.Status.SUCCEEDED) {
                return new Outcome(existing.get(), 0, 0, 0);
            }
        }
        ModelVersion version = existing.isPresent() ? models.byNumber(spec.model().name(), existing.get().modelVersion())
                : spec.model().alias().map(alias -> models.byAlias(spec.model().name(), alias))
                        .orElseGet(() -> models.byNumber(spec.model().name(), spec.model().version()));
        ScoringInputs.Pin pin = inputs.pin(spec.input(), spec.project());
        ScoringInputs.Selection selection;
        boolean nothingNew = false;
        if (existing.isPresent()) {
            String storedPin = store.queryOne("SELECT input_pin FROM batch_runs WHERE id = ?", row -> row.getString(1), runId).orElse("");
            if (!storedPin.equals(pin.fingerprint())) {
                throw KeelException.conflict("the input of run '" + runId + "' (" + spec.input().label() + ") changed since the run started;"
                        + " it cannot be resumed without gaps or duplicates: start a new run");
            }
            pin = new ScoringInputs.Pin(existing.get().datasetVersion(), pin.fingerprint());
            selection = new ScoringInputs.Selection(existing.get().watermark(), existing.get().changedSince());
            nothingNew = existing.get().watermark().isEmpty() && spec.incremental().flatMap(ScoringJobSpec.Incremental::watermark).isPresent();
        } else {
            Selected selected = select(spec, version, pin);
            selection = selected.selection();
            nothingNew = selected.nothingNew();
        }
        String label = spec.input().label() + (pin.datasetVersion() > 0 ? " version " + pin.datasetVersion() : "");
        try (ScoringInput input = inputs.open(spec.input(), pin, spec.project(), selection)) {
            ScoringPlan plan = ScoringPlan.check(spec, version, input, label);
            sinks.check(spec);
            BatchRun run;
            if (existing.isPresent()) {
                long now = clock.millis();
                int claimed = store.update("UPDATE batch_runs SET status = ?, message = NULL, finished_at = NULL, cancel_requested = 0, lease_owner = ?,"
                        + " lease_until = ?, started_at = ? WHERE id = ? AND status <> ? AND (lease_owner IS NULL OR lease_until < ?)",
                        BatchRun.Status.RUNNING.name(), owner, now + lease.toMillis(), now, runId, BatchRun.Status.SUCCEEDED.name(), now);
                if (claimed == 0) {
                    throw busy(runId);
                }
                run = find(runId).orElseThrow();
            } else {
                run = start(spec, runId, fingerprint, version, pin, selection, nothingNew ? OptionalLong.of(0) : input.count());
            }
            try {
                return write(spec, run, plan, input, nothingNew);
            } catch (RuntimeException e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                BatchRun.Status status = e instanceof Cancelled ? BatchRun.Status.CANCELLED : BatchRun.Status.FAILED;
                store.update("UPDATE batch_runs SET status = ?, finished_at = ?, message = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?"
                        + " AND lease_owner = ?", status.name(), clock.millis(), message.length() > 2_000 ? message.substring(0, 2_000) : message,
                        runId, owner);
                if (e instanceof Cancelled) {
                    BatchRun cancelled = find(runId).orElseThrow();
                    return new Outcome(cancelled, ((Cancelled) e).chunks, ((Cancelled) e).rows, ((Cancelled) e).quarantined);
                }
                throw e;
            }
        }
    }

    private record Selected(ScoringInputs.Selection selection, boolean nothingNew) {
    }

    /** The rows a new run reads: everything, or for an incremental job what is new since the job's last succeeded run. */
    private Selected select(ScoringJobSpec spec, ModelVersion version, ScoringInputs.Pin pin) {
        if (spec.incremental().isEmpty()) {
            return new Selected(ScoringInputs.Selection.ALL, false);
        }
        ScoringJobSpec.Incremental incremental = spec.incremental().get();
        Optional<BatchRun> last = store.queryOne("SELECT * FROM batch_runs WHERE project = ? AND job = ? AND status = ? ORDER BY created_at DESC,"
                + " id DESC LIMIT 1", ScoringRun::run, spec.project(), spec.name(), BatchRun.Status.SUCCEEDED.name());
        boolean modelChanged = last.isPresent() && (!last.get().model().equals(version.model()) || last.get().modelVersion() != version.version());
        boolean everything = last.isEmpty() || incremental.rescoreOnModelChange() && modelChanged;
        if (incremental.watermark().isPresent()) {
            String column = incremental.watermark().get();
            Optional<String> above = everything ? Optional.empty() : last.flatMap(BatchRun::watermark).map(ScoringInputs.Watermark::upTo);
            Optional<String> highest = inputs.highest(spec.input(), pin, spec.project(), column);
            if (highest.isEmpty()) {
                return new Selected(new ScoringInputs.Selection(above.map(bound -> new ScoringInputs.Watermark(column, Optional.of(bound), bound)),
                        0), true);
            }
            return new Selected(new ScoringInputs.Selection(Optional.of(new ScoringInputs.Watermark(column, above, highest.get())), 0), false);
        }
        int since = everything ? 0 : last.get().datasetVersion();
        return new Selected(new ScoringInputs.Selection(Optional.empty(), since), false);
    }

    private Outcome write(ScoringJobSpec spec, BatchRun run, ScoringPlan plan, ScoringInput input, boolean nothingNew) {
        List<long[]> done = store.query("SELECT chunk, first_row, row_count FROM batch_chunks WHERE run_id = ? ORDER BY chunk",
                row -> new long[] {row.getInt(1), row.getLong(2), row.getInt(3)}, run.id());
        for (int i = 0; i < done.size(); i++) {
            if (done.get(i)[0] != i || i > 0 && done.get(i)[1] != done.get(i - 1)[1] + done.get(i - 1)[2]) {
                throw new KeelException(ErrorCode.INTERNAL, "the checkpoints of run '" + run.id() + "' are not contiguous at chunk " + i
                        + "; the run cannot be resumed safely");
            }
        }
        int chunk = done.size();
        long nextRow = done.isEmpty() ? 0 : done.getLast()[1] + done.getLast()[2];
        Totals totals = new Totals();
        try (ScoringSink sink = sinks.open(spec, run, plan)) {
            if (!sink.prepare(!done.isEmpty())) {
                return finish(run, 0, 0, 0);
            }
            Quarantine quarantine = sinks.quarantine(spec, run);
            if (!nothingNew) {
                // One thread writes chunk i (quarantine, destination, checkpoint) while this one reads and scores chunk i + 1: at
                // most two chunks are held, and chunks are written and checkpointed in order.
                ExecutorService writer = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().daemon()
                        .name("keel-scoring-writer-" + run.id()).unstarted(task));
                Future<?> pending = null;
                try (LoadedModel model = models.load(plan.version()); ScoringInput.Cursor cursor = input.rows(nextRow)) {
                    while (true) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new KeelException(ErrorCode.UNAVAILABLE, "run '" + run.id() + "' was interrupted after " + chunk + " chunks;"
                                    + " execute it again to resume");
                        }
                        if (renew(run.id())) {
                            await(pending);
                            pending = null;
                            throw new Cancelled("cancelled after " + chunk + " chunks; execute the run again to resume", totals.chunks, totals.rows,
                                    totals.quarantined);
                        }
                        List<Object[]> rows = cursor.next(run.chunkSize());
                        if (rows.isEmpty()) {
                            break;
                        }
                        ScoringPlan.Scored scored = plan.score(model, rows, nextRow);
                        int index = chunk;
                        long first = nextRow;
                        int read = rows.size();
                        await(pending);
                        pending = writer.submit(() -> writeChunk(run, plan, sink, quarantine, scored, index, first, read, totals));
                        chunk++;
                        nextRow += read;
                    }
                    await(pending);
                    pending = null;
                } finally {
                    if (pending != null) {
                        awaitQuietly(pending);
                    }
                    writer.shutdownNow();
                }
            }
            sink.finish();
        }
        return finish(run, totals.chunks, totals.rows, totals.quarantined);
    }

    /** What this call has written; updated by the writer thread, read after it has finished a chunk. */
    private static final class Totals {
        volatile int chunks;
        volatile long rows;
        volatile long quarantined;
    }

    private void writeChunk(BatchRun run, ScoringPlan plan, ScoringSink sink, Quarantine quarantine, ScoringPlan.Scored scored, int index,
                            long first, int read, Totals totals) {
        int refused = quarantine.write(run, index, scored.rejected());
        Object[] runValues = {plan.version().model(), plan.version().version(), run.id(), index, run.scoredAt().toString()};
        sink.write(index, scored.rows(), runValues, (connection, written) -> {
            if (connection.isPresent()) {
                try {
                    checkpoint(connection.get(), run.id(), index, first, read, written, refused);
                } catch (SQLException e) {
                    throw new KeelException(ErrorCode.UNAVAILABLE, "cannot checkpoint chunk " + index + " of run '" + run.id() + "': "
                            + e.getMessage(), e);
                }
            } else {
                store.withConnection(c -> {
                    checkpoint(c, run.id(), index, first, read, written, refused);
                    return null;
                });
            }
        });
        totals.chunks++;
        totals.rows += scored.rows().size();
        totals.quarantined += refused;
    }

    /** Waits for a chunk being written; its failure becomes this thread's. Waits on through an interrupt, then restores it. */
    private static void await(Future<?> pending) {
        if (pending == null) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    pending.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException failure) {
                        throw failure;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new KeelException(ErrorCode.INTERNAL, "writing a chunk failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitQuietly(Future<?> pending) {
        try {
            await(pending);
        } catch (RuntimeException | Error ignored) {
            // the failure that stopped the run is the one reported
        }
    }

    /** Extends the lease before a chunk is read; returns whether the run was asked to stop. */
    private boolean renew(String runId) {
        int renewed = store.update("UPDATE batch_runs SET lease_until = ? WHERE id = ? AND lease_owner = ?", clock.millis() + lease.toMillis(), runId,
                owner);
        if (renewed == 0) {
            throw KeelException.conflict("run '" + runId + "' lost its lease to another executor; this one stops");
        }
        return store.queryOne("SELECT cancel_requested FROM batch_runs WHERE id = ?", row -> row.getInt(1), runId).orElse(0) != 0;
    }

    private KeelException busy(String runId) {
        Optional<String> holder = store.queryOne("SELECT lease_owner FROM batch_runs WHERE id = ?", row -> row.getString(1), runId);
        return KeelException.conflict("run '" + runId + "' is being executed by " + holder.orElse("another caller") + "; a run is executed by"
                + " one caller at a time (after a kill, its lease runs out within " + lease.toSeconds() + " s)");
    }

    private Outcome finish(BatchRun run, int chunksWritten, long rowsWritten, long rowsQuarantined) {
        long total = store.queryOne("SELECT COALESCE(SUM(rows_written), 0) FROM batch_chunks WHERE run_id = ?", row -> row.getLong(1), run.id())
                .orElse(0L);
        int updated = store.update("UPDATE batch_runs SET status = ?, finished_at = ?, rows_written = ?, message = NULL, lease_owner = NULL,"
                + " lease_until = NULL WHERE id = ? AND lease_owner = ?", BatchRun.Status.SUCCEEDED.name(), clock.millis(), total, run.id(), owner);
        if (updated == 0) {
            throw KeelException.conflict("run '" + run.id() + "' lost its lease to another executor before it could be marked succeeded");
        }
        return new Outcome(find(run.id()).orElseThrow(), chunksWritten, rowsWritten, rowsQuarantined);
    }

    private void checkpoint(Connection connection, String runId, int chunk, long firstRow, int rows, int written, int quarantined)
            throws SQLException {
        // Fencing: only the lease holder checkpoints, so an executor that lost the run (it stalled past its lease) cannot record a chunk.
        if (Database.update(connection, "UPDATE batch_runs SET lease_until = ? WHERE id = ? AND lease_owner = ?", clock.millis() + lease.toMillis(),
                runId, owner) == 0) {
            throw KeelException.conflict("run '" + runId + "' lost its lease to another executor; this one stops");
        }
        Database.update(connection, "INSERT INTO batch_chunks (run_id, chunk, first_row, row_count, rows_written, rows_quarantined, done_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", runId, chunk, firstRow, rows, written, quarantined, clock.millis());
        Database.update(connection, "UPDATE batch_runs SET rows_written = rows_written + ?, rows_read = rows_read + ?, rows_quarantined ="
                + " rows_quarantined + ? WHERE id = ?", written, rows, quarantined, runId);
    }

    private BatchRun start(ScoringJobSpec spec, String runId, String fingerprint, ModelVersion version, ScoringInputs.Pin pin,
                           ScoringInputs.Selection selection, OptionalLong total) {
        long now = clock.millis();
        String input = spec.input() instanceof ScoringJobSpec.DatasetInput dataset ? dataset.dataset() : spec.input().label();
        Optional<ScoringInputs.Watermark> watermark = selection.watermark();
        try {
            store.update("INSERT INTO batch_runs (id, job, project, spec, model, model_version, dataset, dataset_version, chunk_size, status,"
                    + " scored_at, created_at, rows_written, input_pin, watermark_column, watermark_from, watermark_to, changed_since, rows_total,"
                    + " lease_owner, lease_until, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)", runId,
                    spec.name(), spec.project(), fingerprint, version.model(), version.version(), input, pin.datasetVersion(), spec.chunkSize(),
                    BatchRun.Status.RUNNING.name(), now, now, pin.fingerprint(), watermark.map(ScoringInputs.Watermark::column).orElse(null),
                    watermark.flatMap(ScoringInputs.Watermark::above).orElse(null), watermark.map(ScoringInputs.Watermark::upTo).orElse(null),
                    selection.changedSince(), total.isPresent() ? total.getAsLong() : null, owner, now + lease.toMillis(), now);
        } catch (KeelException e) {
            if (find(runId).isPresent()) {
                throw KeelException.conflict("run '" + runId + "' was started by another caller at the same time");
            }
            throw e;
        }
        return find(runId).orElseThrow();
    }

    /** Stops a run between chunks on request; its record becomes CANCELLED, not FAILED. */
    private static final class Cancelled extends KeelException {
        private final int chunks;
        private final long rows;
        private final long quarantined;

        Cancelled(String message, int chunks, long rows, long quarantined) {
            super(ErrorCode.CONFLICT, message);
            this.chunks = chunks;
            this.rows = rows;
            this.quarantined = quarantined;
        }
    }

    /** The staging table of a replace run: named by a hash of table and run, within PostgreSQL's 63-character limit. */
    static String stagingTable(String table, String runId) {
        return hashedName("keel_staging_", table + "\n" + runId);
    }

    /** A name within PostgreSQL's 63-character identifier limit, unique to {@code text}. */
    static String hashedName(String prefix, String text) {
        return prefix + sha256(text).substring(0, 24);
    }

    /** What a resumed run must share with the run it resumes: everything but the description, the schedule and the retries. */
    private static String fingerprint(ScoringJobSpec spec) {
        return new ScoringJobSpec(spec.name(), spec.project(), "", spec.model(), spec.input(), spec.keys(), spec.carry(), spec.sensitive(),
                spec.outputs(), spec.destination(), spec.incremental(), spec.quarantine(), ScoringJobSpec.Operations.MANUAL, spec.chunkSize())
                .toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    static BatchRun run(ResultSet row) throws SQLException {
        long finished = row.getLong("finished_at");
        Optional<Instant> finishedAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
        long total = row.getLong("rows_total");
        OptionalLong rowsTotal = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(total);
        String column = row.getString("watermark_column");
        Optional<ScoringInputs.Watermark> watermark = column == null || row.getString("watermark_to") == null ? Optional.empty()
                : Optional.of(new ScoringInputs.Watermark(column, Optional.ofNullable(row.getString("watermark_from")), row.getString("watermark_to")));
        return new BatchRun(row.getString("id"), row.getString("job"), row.getString("project"), row.getString("model"),
                row.getInt("model_version"), row.getString("dataset"), row.getInt("dataset_version"), row.getInt("chunk_size"),
                BatchRun.Status.valueOf(row.getString("status")), Instant.ofEpochMilli(row.getLong("scored_at")),
                Instant.ofEpochMilli(row.getLong("created_at")), finishedAt, row.getLong("rows_read"), row.getLong("rows_written"),
                row.getLong("rows_quarantined"), rowsTotal, watermark, row.getInt("changed_since"), row.getInt("cancel_requested") != 0,
                Optional.ofNullable(row.getString("message")));
    }
}
