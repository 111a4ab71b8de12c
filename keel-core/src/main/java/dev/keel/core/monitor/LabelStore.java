package dev.keel.core.monitor;

import dev.keel.core.security.ProjectService;
import dev.keel.core.store.Database;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Ground-truth labels in the metadata store, keyed by project and request id: a later label for the same request replaces
 * the earlier one of its project, never another project's, and a project's monitors join only its own labels (and the
 * unscoped ones stored before labels had a project).
 */
public final class LabelStore {
    /** The project of labels stored before labels had one (migration V31): joined by every project's monitors. */
    static final String UNSCOPED = "";
    private static final int LOOKUP_CHUNK = 500;
    private final Database database;
    private final Clock clock;

    public LabelStore(Database database, Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Stores labels of project {@code default} in one transaction; returns how many were stored. */
    public int record(List<GroundTruth> labels, String actor) {
        return record(Map.of(ProjectService.DEFAULT, labels), actor);
    }

    /** Stores labels by project in one transaction, each replacing its project's label of the request; returns how many. */
    public int record(Map<String, List<GroundTruth>> labelsByProject, String actor) {
        long now = clock.millis();
        return database.inTransaction(connection -> {
            int stored = 0;
            for (Map.Entry<String, List<GroundTruth>> entry : labelsByProject.entrySet()) {
                String project = entry.getKey();
                for (GroundTruth truth : entry.getValue()) {
                    Database.update(connection, "DELETE FROM monitor_labels WHERE project = ? AND request_id = ?", project, truth.requestId());
                    Database.update(connection, "INSERT INTO monitor_labels (project, request_id, label, value, labelled_at, received_at,"
                            + " received_by) VALUES (?, ?, ?, ?, ?, ?, ?)", project, truth.requestId(), truth.label(),
                            truth.value().isPresent() ? truth.value().getAsDouble() : null, truth.time(), now, actor);
                    stored++;
                }
            }
            return stored;
        });
    }

    /** The label of a request in project {@code default}. */
    public Optional<GroundTruth> find(String requestId) {
        return find(ProjectService.DEFAULT, requestId);
    }

    /** The label a monitor of the project joins to the request. */
    public Optional<GroundTruth> find(String project, String requestId) {
        return Optional.ofNullable(lookup(project, List.of(requestId)).get(requestId));
    }

    /** The labels a monitor of the project joins to these request ids: its own, else an unscoped one. */
    public Map<String, GroundTruth> lookup(String project, Collection<String> requestIds) {
        Map<String, GroundTruth> found = new HashMap<>();
        Map<String, GroundTruth> unscoped = new HashMap<>();
        List<String> ids = List.copyOf(requestIds);
        for (int start = 0; start < ids.size(); start += LOOKUP_CHUNK) {
            List<String> chunk = ids.subList(start, Math.min(ids.size(), start + LOOKUP_CHUNK));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            Object[] parameters = new Object[chunk.size() + 2];
            parameters[0] = project;
            parameters[1] = UNSCOPED;
            for (int i = 0; i < chunk.size(); i++) {
                parameters[i + 2] = chunk.get(i);
            }
            database.query("SELECT request_id, label, value, labelled_at, project FROM monitor_labels WHERE project IN (?, ?)"
                    + " AND request_id IN (" + marks + ")", row -> {
                        double value = row.getDouble(3);
                        OptionalDouble number = row.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(value);
                        GroundTruth truth = new GroundTruth(row.getString(1), Optional.ofNullable(row.getString(2)), number,
                                java.time.Instant.ofEpochMilli(row.getLong(4)));
                        (UNSCOPED.equals(row.getString(5)) ? unscoped : found).put(truth.requestId(), truth);
                        return truth;
                    }, parameters);
        }
        unscoped.forEach(found::putIfAbsent);
        return found;
    }

    public long count() {
        return database.queryOne("SELECT count(*) FROM monitor_labels", row -> row.getLong(1)).orElse(0L);
    }
}
