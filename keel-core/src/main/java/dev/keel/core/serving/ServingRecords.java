package dev.keel.core.serving;

import dev.keel.core.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes failure records and shadow comparisons to the store in batches from one background thread, so that serving never
 * waits on the database; the queue is bounded and records beyond it are dropped and counted.
 */
final class ServingRecords implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingRecords.class);

    private final Database database;
    private final BlockingQueue<Object> pending;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running = true;

    ServingRecords(Database database, int capacity) {
        this.database = database;
        this.pending = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofPlatform().name("keel-serving-records").daemon(true).start(this::drain);
    }

    void failure(FailureRecord record) {
        offer(record);
    }

    void comparison(ShadowComparison comparison) {
        offer(comparison);
    }

    long dropped() {
        return dropped.get();
    }

    private void offer(Object record) {
        if (!pending.offer(record)) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warn("serving records queue is full; dropped {} records so far", dropped.get());
            }
        }
    }

    /** Waits until everything queued before the call is written. */
    void flush() {
        Object marker = new Object();
        synchronized (marker) {
            if (!pending.offer(marker)) {
                return;
            }
            try {
                marker.wait(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drain() {
        List<Object> batch = new ArrayList<>();
        while (running || !pending.isEmpty()) {
            try {
                Object first = pending.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, 499);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("could not write {} serving records", batch.size(), e);
            } finally {
                for (Object item : batch) {
                    if (!(item instanceof FailureRecord) && !(item instanceof ShadowComparison)) {
                        synchronized (item) {
                            item.notifyAll();
                        }
                    }
                }
                batch.clear();
            }
        }
    }

    private void write(List<Object> batch) {
        if (batch.stream().noneMatch(item -> item instanceof FailureRecord || item instanceof ShadowComparison)) {
            return;
        }
        database.inTransaction(connection -> {
            for (Object item : batch) {
                switch (item) {
                    case FailureRecord failure -> insert(connection, failure);
                    case ShadowComparison comparison -> insert(connection, comparison);
                    default -> {
                    }
                }
            }
            return null;
        });
    }

    private static void insert(Connection connection, FailureRecord record) throws SQLException {
        Database.update(connection, """
                INSERT INTO serving_failures (id, endpoint, model, version, request_id, kind, message, fallback, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", record.id(), record.endpoint(), record.model(), record.version(), record.requestId(),
                record.kind().wireName(), record.message(), record.fallback().wireName(), record.at());
    }

    private static void insert(Connection connection, ShadowComparison record) throws SQLException {
        Database.update(connection, """
                INSERT INTO shadow_comparisons (id, endpoint, model, request_id, primary_version, shadow_version, primary_outputs,
                  shadow_outputs, shadow_error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", record.id(), record.endpoint(), record.model(),
                record.requestId(), record.primaryVersion(), record.shadowVersion(), record.primaryOutputs(), record.shadowOutputs(),
                record.shadowError(), record.at());
    }

    List<FailureRecord> failures(String endpoint, int limit) {
        return database.query("SELECT * FROM serving_failures WHERE endpoint = ? ORDER BY at DESC, id LIMIT ?", row -> new FailureRecord(
                row.getString("id"), row.getString("endpoint"), row.getString("model"), row.getInt("version"), row.getString("request_id"),
                FailureKind.fromWire(row.getString("kind")), row.getString("message"), FallbackMode.fromWire(row.getString("fallback")),
                Instant.ofEpochMilli(row.getLong("at"))),
                endpoint, limit);
    }

    List<ShadowComparison> comparisons(String endpoint, int limit) {
        return database.query("SELECT * FROM shadow_comparisons WHERE endpoint = ? ORDER BY at DESC, id LIMIT ?", row -> new ShadowComparison(
                row.getString("id"), row.getString("endpoint"), row.getString("model"), row.getString("request_id"),
                row.getInt("primary_version"), row.getInt("shadow_version"), row.getString("primary_outputs"),
                Optional.ofNullable(row.getString("shadow_outputs")), Optional.ofNullable(row.getString("shadow_error")),
                Instant.ofEpochMilli(row.getLong("at"))), endpoint, limit);
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
