package dev.keel.core.monitor;

import dev.keel.core.store.Database;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/** Ground-truth labels in the metadata store, keyed by request id; a later label for the same request replaces the earlier. */
public final class LabelStore {
    private static final int LOOKUP_CHUNK = 500;
    private final Database database;
    private final Clock clock;

    public LabelStore(Database database, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Stores the labels in one transaction; returns how many were stored. */
    public int record(List<GroundTruth> labels, String actor) {
        long now = clock.millis();
        return database.inTransaction(connection -> {
            for (GroundTruth truth : labels) {
                Database.update(connection, "DELETE FROM monitor_labels WHERE request_id = ?", truth.requestId());
                Database.update(connection, "INSERT INTO monitor_labels (request_id, label, value, labelled_at, received_at, received_by) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", truth.requestId(), truth.label(),
                        truth.value().isPresent() ? truth.value().getAsDouble() : null, truth.time(), now, actor);
            }
            return labels.size();
        });
    }

    public Optional<GroundTruth> find(String requestId) {
        return lookup(List.of(requestId)).values().stream().findFirst();
    }

    /** The labels known for these request ids. */
    public Map<String, GroundTruth> lookup(Collection<String> requestIds) {
        Map<String, GroundTruth> found = new HashMap<>();
        List<String> ids = List.copyOf(requestIds);
        for (int start = 0; start < ids.size(); start += LOOKUP_CHUNK) {
            List<String> chunk = ids.subList(start, Math.min(ids.size(), start + LOOKUP_CHUNK));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            database.query("SELECT request_id, label, value, labelled_at FROM monitor_labels WHERE request_id IN (" + marks + ")", row -> {
                double value = row.getDouble(3);
                OptionalDouble number = row.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(value);
                return new GroundTruth(row.getString(1), Optional.ofNullable(row.getString(2)), number,
                        java.time.Instant.ofEpochMilli(row.getLong(4)));
            }, chunk.toArray()).forEach(truth -> found.put(truth.requestId(), truth));
        }
        return found;
    }

    public long count() {
        return database.queryOne("SELECT count(*) FROM monitor_labels", row -> row.getLong(1)).orElse(0L);
    }
}
