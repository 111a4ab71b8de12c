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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Runs scoring jobs: validates the model against the input, then reads, scores and writes chunk after chunk, checkpointing
 * each one, so that the same run id can be resumed after a failure or a kill and never writes a row twice or leaves a gap.
 * One process runs a given run id at a time.
 */
public final class ScoringRun {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    private final Database store;
    private final ScoringModels models;
    private final ScoringInputs inputs;
    private final ScoringDestinations destinations;
    private final Clock clock;

    public ScoringRun(Database store, ScoringModels models, ScoringInputs inputs, ScoringDestinations destinations, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.models = Objects.requireNonNull(models, "models");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What one call of {@link #execute} did.
     *
     * @param chunksWritten chunks written by this call (0 when the run had finished before)
     * @param rowsWritten rows written by this call
     */
    public record Outcome(BatchRun run, int chunksWritten, long rowsWritten) {
        public Outcome {
            Objects.requireNonNull(run, "run");
        }
    }

    /** A run's record. */
    public Optional<BatchRun> find(String runId) {
        return store.queryOne("SELECT * FROM batch_runs WHERE id = ?", ScoringRun::run, runId);
    }

    /**
     * Starts run {@code runId} of the job, or resumes it from its last checkpoint; a run that has succeeded is left as it is
     * and nothing is written. A failure marks the run FAILED and is rethrown; the run id can then be executed again.
     *
     * @throws KeelException INVALID_INPUT when the model cannot score the input (before any row is scored); CONFLICT when the
     *     run id belongs to a different job or spec
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
                return new Outcome(existing.get(), 0, 0);
            }
        }
        ModelVersion version = existing.isPresent() ? models.byNumber(spec.model().name(), existing.get().modelVersion())
                : spec.model().alias().map(alias -> models.byAlias(spec.model().name(), alias))
                        .orElseGet(() -> models.byNumber(spec.model().name(), spec.model().version()));
        int datasetVersion = existing.map(BatchRun::datasetVersion).orElseGet(() -> inputs.resolve(spec.input()));
        ScoringInput input = inputs.open(spec.input().dataset(), datasetVersion);
        ScoringPlan plan = ScoringPlan.check(spec, version, input, "dataset '" + spec.input().dataset() + "' version " + datasetVersion);
        boolean sameStore = spec.destination().connection().equals(ScoringDestinations.KEEL);
        Database destination = sameStore ? store : destinations.database(spec.destination().connection());
        checkKind(spec, destination);
        BatchRun run = existing.orElseGet(() -> start(spec, runId, fingerprint, version, datasetVersion));
        if (existing.isPresent()) {
            store.update("UPDATE batch_runs SET status = ?, message = NULL, finished_at = NULL WHERE id = ?", BatchRun.Status.RUNNING.name(),
                    runId);
        }
        try {
            return write(spec, run, plan, input, destination, sameStore);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            store.update("UPDATE batch_runs SET status = ?, finished_at = ?, message = ? WHERE id = ?", BatchRun.Status.FAILED.name(),
                    clock.millis(), message.length() > 2_000 ? message.substring(0, 2_000) : message, runId);
            throw e;
        }
    }

    private Outcome write(ScoringJobSpec spec, BatchRun run, ScoringPlan plan, ScoringInput input, Database destination, boolean sameStore) {
        ScoringJobSpec.Mode mode = spec.destination().mode();
        String table = spec.destination().table();
        String target = mode == ScoringJobSpec.Mode.REPLACE ? stagingTable(table, run.id()) : table;
        TableWriter writer = new TableWriter(plan.columns(), mode == ScoringJobSpec.Mode.UPSERT ? spec.keys() : List.of());
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
        if (mode == ScoringJobSpec.Mode.REPLACE && chunk > 0 && !destination.withConnection(c -> TableWriter.exists(c, target))) {
            // The staging table exists from before chunk 0 until the swap: without it the swap has happened.
            return finish(run, 0, 0);
        }
        destination.withConnection(connection -> {
            writer.create(connection, target);
            return null;
        });
        int chunksWritten = 0;
        long rowsWritten = 0;
        try (LoadedModel model = models.load(plan.version()); ScoringInput.Cursor cursor = input.rows(nextRow)) {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new KeelException(ErrorCode.UNAVAILABLE, "run '" + run.id() + "' was interrupted after " + chunk + " chunks;"
                            + " execute it again to resume");
                }
                List<Object[]> rows = cursor.next(run.chunkSize());
                if (rows.isEmpty()) {
                    break;
                }
                List<Object[]> scored = plan.score(model, rows, nextRow);
                Object[] runValues = {plan.version().model(), plan.version().version(), run.id(), chunk, run.scoredAt().toString()};
                int index = chunk;
                long first = nextRow;
                Database.Work<Integer> writeChunk = connection -> {
                    if (mode != ScoringJobSpec.Mode.UPSERT) {
                        TableWriter.deleteChunk(connection, target, run.id(), index);
                    }
                    return writer.write(connection, target, scored, runValues);
                };
                if (sameStore) {
                    store.inTransaction(connection -> {
                        int written = writeChunk.run(connection);
                        checkpoint(connection, run.id(), index, first, rows.size(), written);
                        return written;
                    });
                } else {
                    int written = destination.inTransaction(writeChunk);
                    store.withConnection(connection -> {
                        checkpoint(connection, run.id(), index, first, rows.size(), written);
                        return null;
                    });
                }
                chunk++;
                chunksWritten++;
                rowsWritten += scored.size();
                nextRow += rows.size();
            }
        }
        if (mode == ScoringJobSpec.Mode.REPLACE) {
            destination.inTransaction(connection -> {
                TableWriter.swap(connection, target, table);
                return null;
            });
        }
        return finish(run, chunksWritten, rowsWritten);
    }

    private Outcome finish(BatchRun run, int chunksWritten, long rowsWritten) {
        long total = store.queryOne("SELECT COALESCE(SUM(rows_written), 0) FROM batch_chunks WHERE run_id = ?", row -> row.getLong(1), run.id())
                .orElse(0L);
        store.update("UPDATE batch_runs SET status = ?, finished_at = ?, rows_written = ?, message = NULL WHERE id = ?",
                BatchRun.Status.SUCCEEDED.name(), clock.millis(), total, run.id());
        return new Outcome(find(run.id()).orElseThrow(), chunksWritten, rowsWritten);
    }

    private void checkpoint(Connection connection, String runId, int chunk, long firstRow, int rows, int written) throws SQLException {
        Database.update(connection, "INSERT INTO batch_chunks (run_id, chunk, first_row, row_count, rows_written, done_at) VALUES (?, ?, ?, ?, ?, ?)",
                runId, chunk, firstRow, rows, written, clock.millis());
        Database.update(connection, "UPDATE batch_runs SET rows_written = rows_written + ? WHERE id = ?", written, runId);
    }

    private BatchRun start(ScoringJobSpec spec, String runId, String fingerprint, ModelVersion version, int datasetVersion) {
        long now = clock.millis();
        try {
            store.update("INSERT INTO batch_runs (id, job, project, spec, model, model_version, dataset, dataset_version, chunk_size, status,"
                    + " scored_at, created_at, rows_written) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", runId, spec.name(), spec.project(),
                    fingerprint, version.model(), version.version(), spec.input().dataset(), datasetVersion, spec.chunkSize(),
                    BatchRun.Status.RUNNING.name(), now, now);
        } catch (KeelException e) {
            if (find(runId).isPresent()) {
                throw KeelException.conflict("run '" + runId + "' was started by another caller at the same time");
            }
            throw e;
        }
        return find(runId).orElseThrow();
    }

    private static void checkKind(ScoringJobSpec spec, Database destination) {
        Database.Dialect expected = switch (spec.destination().kind()) {
            case SQLITE -> Database.Dialect.SQLITE;
            case POSTGRES -> Database.Dialect.POSTGRES;
        };
        if (destination.dialect() != expected) {
            throw KeelException.badRequest("destination.kind is " + spec.destination().kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " but connection '" + spec.destination().connection() + "' is a " + destination.dialect().name().toLowerCase(java.util.Locale.ROOT)
                    + " database");
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

    private static String fingerprint(ScoringJobSpec spec) {
        return spec.toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BatchRun run(ResultSet row) throws SQLException {
        long finished = row.getLong("finished_at");
        Optional<Instant> finishedAt = row.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished));
        return new BatchRun(row.getString("id"), row.getString("job"), row.getString("project"), row.getString("model"),
                row.getInt("model_version"), row.getString("dataset"), row.getInt("dataset_version"), row.getInt("chunk_size"),
                BatchRun.Status.valueOf(row.getString("status")), Instant.ofEpochMilli(row.getLong("scored_at")),
                Instant.ofEpochMilli(row.getLong("created_at")), finishedAt, row.getLong("rows_written"),
                Optional.ofNullable(row.getString("message")));
    }
}
