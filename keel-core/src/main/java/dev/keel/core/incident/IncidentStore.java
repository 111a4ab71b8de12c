package dev.keel.core.incident;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.alert.Severity;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Incidents, their timelines and the durable channel of signals in the metadata store (migration V41). Writes are serialised
 * in this process; each batch of observations is one transaction, so an incident's count always equals the signals stored
 * for it.
 */
public final class IncidentStore {
    private static final String COLUMNS = "id, project, fingerprint, kind, title, severity, status, event_count, reopened, objects, "
            + "first_seen, last_seen, opened_at, acknowledged_by, acknowledged_at, resolved_by, resolved_at";
    private static final String SIGNAL_COLUMNS = "id, project, fingerprint, incident_id, kind, component, object_kind, severity, cause, "
            + "message, objects, event_count, first_at, last_at";
    private static final String TIMELINE_COLUMNS = "seq, at, entry_type, actor, text, detail, event_count, last_at";
    private static final TypeReference<Map<String, List<String>>> OBJECT_LISTS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> OBJECTS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Object>> DETAIL = new TypeReference<>() {
    };
    /** Occurrences of one kind closer together than this share one timeline entry. */
    static final Duration EVENT_ENTRY_SPAN = Duration.ofMinutes(1);
    private static final int MAX_TITLE = 160;

    private final Database database;
    private final Object writes = new Object();

    public IncidentStore(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** Folds a batch of observations into their incidents in one transaction and answers what changed, one change per incident. */
    public List<IncidentChange> record(List<Observation> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        Map<String, List<Observation>> byIncident = new LinkedHashMap<>();
        for (Observation observation : batch) {
            byIncident.computeIfAbsent(observation.project() + '\u00ff' + observation.fingerprint(), key -> new ArrayList<>()).add(observation);
        }
        synchronized (writes) {
            return database.inTransaction(connection -> {
                List<IncidentChange> changes = new ArrayList<>();
                for (List<Observation> observations : byIncident.values()) {
                    changes.add(fold(connection, observations));
                }
                return changes;
            });
        }
    }

    private IncidentChange fold(Connection connection, List<Observation> observations) throws SQLException {
        Observation first = observations.getFirst();
        Optional<Incident> existing = Database.queryOne(connection, "SELECT " + COLUMNS + " FROM incidents WHERE project = ? AND fingerprint = ?",
                IncidentStore::incident, first.project(), first.fingerprint());
        long count = 0;
        Instant firstAt = first.firstAt();
        Instant lastAt = first.lastAt();
        Severity severity = first.signal().severity();
        Map<String, List<String>> objects = new LinkedHashMap<>(existing.map(Incident::objects).orElse(Map.of()));
        for (Observation observation : observations) {
            count += observation.count();
            firstAt = observation.firstAt().isBefore(firstAt) ? observation.firstAt() : firstAt;
            lastAt = observation.lastAt().isAfter(lastAt) ? observation.lastAt() : lastAt;
            severity = observation.signal().severity().atLeast(severity) ? observation.signal().severity() : severity;
            merge(objects, observation.signal().objects());
        }
        IncidentChange.Type type;
        String id;
        if (existing.isEmpty()) {
            id = "inc-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            type = IncidentChange.Type.OPENED;
            Database.update(connection, "INSERT INTO incidents (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)",
                    id, first.project(), first.fingerprint(), first.signal().kind(), title(first.signal()), severity.label(),
                    Incident.Status.OPEN.label(), count, 0, Json.write(objects), firstAt.toEpochMilli(), lastAt.toEpochMilli(), firstAt.toEpochMilli());
            append(connection, id, firstAt, TimelineEntry.Type.STATUS, "keel", "opened", Map.of("kind", first.signal().kind()), 1, firstAt);
        } else {
            Incident incident = existing.get();
            id = incident.id();
            Severity kept = incident.severity().atLeast(severity) ? incident.severity() : severity;
            if (incident.active()) {
                type = IncidentChange.Type.RECURRED;
                Database.update(connection, "UPDATE incidents SET event_count = event_count + ?, last_seen = ?, objects = ?, severity = ? WHERE id = ?",
                        count, Math.max(lastAt.toEpochMilli(), incident.lastSeen().toEpochMilli()), Json.write(objects), kept.label(), id);
            } else {
                type = IncidentChange.Type.REOPENED;
                Database.update(connection, "UPDATE incidents SET event_count = event_count + ?, last_seen = ?, objects = ?, severity = ?, status = ?,"
                        + " reopened = reopened + 1, opened_at = ?, acknowledged_by = NULL, acknowledged_at = NULL, resolved_by = NULL,"
                        + " resolved_at = NULL WHERE id = ?", count, Math.max(lastAt.toEpochMilli(), incident.lastSeen().toEpochMilli()),
                        Json.write(objects), kept.label(), Incident.Status.OPEN.label(), firstAt.toEpochMilli(), id);
                append(connection, id, firstAt, TimelineEntry.Type.STATUS, "keel", "reopened: the fingerprint came back "
                        + incident.resolvedAt().map(at -> Duration.between(at, first.firstAt()).toSeconds() + " s").orElse("") + " after it was resolved",
                        Map.of("reopened", incident.reopened() + 1), 1, firstAt);
            }
        }
        for (Observation observation : observations) {
            Signal signal = observation.signal();
            Database.update(connection, "INSERT INTO incident_signals (" + SIGNAL_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    UUID.randomUUID().toString(), observation.project(), observation.fingerprint(), id, signal.kind(), signal.component(),
                    signal.objectKind(), signal.severity().label(), observation.cause(), signal.message(), Json.write(signal.objects()),
                    observation.count(), observation.firstAt().toEpochMilli(), observation.lastAt().toEpochMilli());
            foldEvent(connection, id, observation);
        }
        Incident now = Database.queryOne(connection, "SELECT " + COLUMNS + " FROM incidents WHERE id = ?", IncidentStore::incident, id).orElseThrow();
        return new IncidentChange(now, type, observations, "keel");
    }

    /**
     * Adds the observation to the latest event entry when it is of the same kind and began less than a minute before, else
     * starts a new entry; entries of other types in between do not split it (an entry spans its {@code at} to {@code lastAt}).
     */
    private static void foldEvent(Connection connection, String id, Observation observation) throws SQLException {
        Optional<TimelineEntry> latest = Database.queryOne(connection, "SELECT " + TIMELINE_COLUMNS + " FROM incident_timeline WHERE incident_id = ?"
                + " AND entry_type = ? ORDER BY seq DESC LIMIT 1", IncidentStore::entry, id, TimelineEntry.Type.EVENT.label());
        Signal signal = observation.signal();
        if (latest.isPresent() && latest.get().type() == TimelineEntry.Type.EVENT && signal.kind().equals(latest.get().detail().get("kind"))
                && !observation.firstAt().isAfter(latest.get().at().plus(EVENT_ENTRY_SPAN))) {
            TimelineEntry entry = latest.get();
            Instant last = observation.lastAt().isAfter(entry.lastAt()) ? observation.lastAt() : entry.lastAt();
            Database.update(connection, "UPDATE incident_timeline SET event_count = event_count + ?, last_at = ?, detail = ? WHERE incident_id = ? AND seq = ?",
                    observation.count(), last.toEpochMilli(), Json.write(eventDetail(signal)), id, entry.seq());
        } else {
            append(connection, id, observation.firstAt(), TimelineEntry.Type.EVENT, "keel", signal.message(), eventDetail(signal), observation.count(),
                    observation.lastAt());
        }
    }

    private static Map<String, Object> eventDetail(Signal signal) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("kind", signal.kind());
        detail.put("objects", signal.objects());
        return detail;
    }

    private static void merge(Map<String, List<String>> objects, Map<String, String> added) {
        added.forEach((role, value) -> {
            List<String> values = new ArrayList<>(objects.getOrDefault(role, List.of()));
            values.remove(value);
            values.addFirst(value);
            objects.put(role, List.copyOf(values.subList(0, Math.min(values.size(), Incident.MAX_OBJECTS))));
        });
    }

    private static String title(Signal signal) {
        String description = Signals.KINDS.getOrDefault(signal.kind(), signal.kind());
        String text = description + ": " + signal.message().strip().replaceAll("\\s+", " ");
        return text.length() > MAX_TITLE ? text.substring(0, MAX_TITLE - 1) + "…" : text;
    }

    public Optional<Incident> find(String id) {
        return database.queryOne("SELECT " + COLUMNS + " FROM incidents WHERE id = ?", IncidentStore::incident, id);
    }

    /** The project's incidents with one of the statuses (all when empty), most recently seen first. */
    public List<Incident> list(String project, Collection<Incident.Status> statuses, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM incidents WHERE project = ?");
        List<Object> parameters = new ArrayList<>(List.of(project));
        if (!statuses.isEmpty()) {
            sql.append(" AND status IN (").append(String.join(", ", statuses.stream().map(status -> "?").toList())).append(')');
            statuses.forEach(status -> parameters.add(status.label()));
        }
        sql.append(" ORDER BY last_seen DESC, id LIMIT ?");
        parameters.add(limit);
        return database.query(sql.toString(), IncidentStore::incident, parameters.toArray());
    }

    /** Active incidents of every project whose latest occurrence is before the cutoff. */
    public List<Incident> quietSince(Instant cutoff) {
        return database.query("SELECT " + COLUMNS + " FROM incidents WHERE status <> ? AND last_seen < ? ORDER BY last_seen", IncidentStore::incident,
                Incident.Status.RESOLVED.label(), cutoff.toEpochMilli());
    }

    /** The incident's timeline, oldest first, at most {@code limit} entries from the start. */
    public List<TimelineEntry> timeline(String id, int limit) {
        return database.query("SELECT " + TIMELINE_COLUMNS + " FROM incident_timeline WHERE incident_id = ? ORDER BY seq LIMIT ?",
                IncidentStore::entry, id, limit);
    }

    /** Appends an entry to the incident's timeline. */
    public TimelineEntry append(String id, TimelineEntry.Type type, String actor, String text, Map<String, Object> detail, Instant at) {
        synchronized (writes) {
            return database.inTransaction(connection -> append(connection, id, at, type, actor, text, detail, 1, at));
        }
    }

    private static TimelineEntry append(Connection connection, String id, Instant at, TimelineEntry.Type type, String actor, String text,
                                        Map<String, Object> detail, long count, Instant lastAt) throws SQLException {
        int seq = Database.queryOne(connection, "SELECT COALESCE(MAX(seq), 0) AS top FROM incident_timeline WHERE incident_id = ?",
                row -> row.getInt("top"), id).orElse(0) + 1;
        String cut = text.length() > Signal.MAX_MESSAGE ? text.substring(0, Signal.MAX_MESSAGE) + "…" : text;
        Database.update(connection, "INSERT INTO incident_timeline (incident_id, " + TIMELINE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", id, seq,
                at.toEpochMilli(), type.label(), actor, cut, Json.write(detail), count, lastAt.toEpochMilli());
        return new TimelineEntry(seq, at, type, actor, cut, detail, count, lastAt);
    }

    /**
     * Moves an active incident to acknowledged or resolved and records it on the timeline; answers empty when the incident is
     * already in that status (or resolved, for an acknowledgement), so that a repeated call changes nothing.
     */
    public Optional<IncidentChange> setStatus(String id, Incident.Status status, String actor, String comment, Instant at) {
        if (status == Incident.Status.OPEN) {
            throw new IllegalArgumentException("an incident is opened by its signals only");
        }
        synchronized (writes) {
            return database.inTransaction(connection -> {
                Optional<Incident> found = Database.queryOne(connection, "SELECT " + COLUMNS + " FROM incidents WHERE id = ?", IncidentStore::incident, id);
                if (found.isEmpty() || found.get().status() == status || !found.get().active()) {
                    return Optional.empty();
                }
                if (status == Incident.Status.ACKNOWLEDGED) {
                    Database.update(connection, "UPDATE incidents SET status = ?, acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                            status.label(), actor, at.toEpochMilli(), id);
                } else {
                    Database.update(connection, "UPDATE incidents SET status = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                            status.label(), actor, at.toEpochMilli(), id);
                }
                String text = status.label() + (comment.isBlank() ? "" : ": " + comment);
                append(connection, id, at, TimelineEntry.Type.STATUS, actor, text, Map.of("status", status.label()), 1, at);
                Incident now = Database.queryOne(connection, "SELECT " + COLUMNS + " FROM incidents WHERE id = ?", IncidentStore::incident, id).orElseThrow();
                return Optional.of(new IncidentChange(now, status == Incident.Status.ACKNOWLEDGED ? IncidentChange.Type.ACKNOWLEDGED
                        : IncidentChange.Type.RESOLVED, List.of(), actor));
            });
        }
    }

    /** Raises an active incident's severity to the given one; empty when it already is that severe or is resolved. */
    public Optional<IncidentChange> raiseSeverity(String id, Severity severity, String actor, String reason, Instant at) {
        synchronized (writes) {
            return database.inTransaction(connection -> {
                Optional<Incident> found = Database.queryOne(connection, "SELECT " + COLUMNS + " FROM incidents WHERE id = ?", IncidentStore::incident, id);
                if (found.isEmpty() || !found.get().active() || found.get().severity().atLeast(severity)) {
                    return Optional.empty();
                }
                Database.update(connection, "UPDATE incidents SET severity = ? WHERE id = ?", severity.label(), id);
                append(connection, id, at, TimelineEntry.Type.ESCALATION, actor, "severity raised from " + found.get().severity().label() + " to "
                        + severity.label() + (reason.isBlank() ? "" : ": " + reason), Map.of("severity", severity.label()), 1, at);
                Incident now = Database.queryOne(connection, "SELECT " + COLUMNS + " FROM incidents WHERE id = ?", IncidentStore::incident, id).orElseThrow();
                return Optional.of(new IncidentChange(now, IncidentChange.Type.ESCALATED, List.of(), actor));
            });
        }
    }

    /** The stored signals of a project (of every project when {@code project} is empty) last seen in [since, until), oldest first. */
    public List<StoredSignal> signals(String project, Instant since, Instant until, int limit) {
        String where = project.isEmpty() ? "" : "project = ? AND ";
        List<Object> parameters = new ArrayList<>();
        if (!project.isEmpty()) {
            parameters.add(project);
        }
        parameters.addAll(List.of(since.toEpochMilli(), until.toEpochMilli(), limit));
        return database.query("SELECT " + SIGNAL_COLUMNS + " FROM incident_signals WHERE " + where
                + "last_at >= ? AND last_at < ? ORDER BY last_at, id LIMIT ?", IncidentStore::signal, parameters.toArray());
    }

    /** The stored signals of one incident last seen at or after {@code since}, oldest first. */
    public List<StoredSignal> incidentSignals(String incidentId, Instant since, int limit) {
        return database.query("SELECT " + SIGNAL_COLUMNS + " FROM incident_signals WHERE incident_id = ? AND last_at >= ? ORDER BY last_at, id LIMIT ?",
                IncidentStore::signal, incidentId, since.toEpochMilli(), limit);
    }

    /** The occurrences stored for the incident in signals last seen at or after {@code since}. */
    public long occurrences(String incidentId, Instant since) {
        return database.queryOne("SELECT COALESCE(SUM(event_count), 0) AS total FROM incident_signals WHERE incident_id = ? AND last_at >= ?",
                row -> row.getLong("total"), incidentId, since.toEpochMilli()).orElse(0L);
    }

    /** The occurrences stored for each incident of the project in signals last seen at or after {@code since}. */
    public Map<String, Long> occurrencesByIncident(String project, Instant since) {
        Map<String, Long> counts = new LinkedHashMap<>();
        database.query("SELECT incident_id, SUM(event_count) AS total FROM incident_signals WHERE project = ? AND last_at >= ? GROUP BY incident_id",
                row -> Map.entry(row.getString("incident_id"), row.getLong("total")), project, since.toEpochMilli())
                .forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
        return counts;
    }

    /** The incident's timeline entries of one type at or after {@code since}, oldest first. */
    public List<TimelineEntry> entries(String incidentId, TimelineEntry.Type type, Instant since, int limit) {
        return database.query("SELECT " + TIMELINE_COLUMNS + " FROM incident_timeline WHERE incident_id = ? AND entry_type = ? AND at >= ?"
                + " ORDER BY seq LIMIT ?", IncidentStore::entry, incidentId, type.label(), since.toEpochMilli(), limit);
    }

    /** A timeline entry with the incident it belongs to. */
    public record ProjectEntry(String incidentId, TimelineEntry entry) {
        public ProjectEntry {
            Objects.requireNonNull(incidentId, "incidentId");
            Objects.requireNonNull(entry, "entry");
        }
    }

    /** The timeline entries of one type of every incident of the project at or after {@code since}, oldest first. */
    public List<ProjectEntry> projectEntries(String project, TimelineEntry.Type type, Instant since, int limit) {
        return database.query("SELECT t.incident_id AS incident_id, t.seq AS seq, t.at AS at, t.entry_type AS entry_type, t.actor AS actor,"
                + " t.text AS text, t.detail AS detail, t.event_count AS event_count, t.last_at AS last_at FROM incident_timeline t"
                + " JOIN incidents i ON i.id = t.incident_id WHERE i.project = ? AND t.entry_type = ? AND t.at >= ?"
                + " ORDER BY t.at, t.incident_id, t.seq LIMIT ?", row -> new ProjectEntry(row.getString("incident_id"), entry(row)),
                project, type.label(), since.toEpochMilli(), limit);
    }

    /** How many occurrences were stored for the incident, over its whole life; equals its count. */
    public long storedCount(String incidentId) {
        return database.queryOne("SELECT COALESCE(SUM(event_count), 0) AS total FROM incident_signals WHERE incident_id = ?",
                row -> row.getLong("total"), incidentId).orElse(0L);
    }

    /** Deletes stored signals last seen before the cutoff; incidents and timelines stay. */
    public int deleteSignalsBefore(Instant cutoff) {
        synchronized (writes) {
            return database.update("DELETE FROM incident_signals WHERE last_at < ?", cutoff.toEpochMilli());
        }
    }

    private static Incident incident(ResultSet row) throws SQLException {
        return new Incident(row.getString("id"), row.getString("project"), row.getString("fingerprint"), row.getString("kind"), row.getString("title"),
                Severity.parse(row.getString("severity")), Incident.Status.parse(row.getString("status")), row.getLong("event_count"),
                row.getInt("reopened"), Json.read(row.getString("objects"), OBJECT_LISTS), Instant.ofEpochMilli(row.getLong("first_seen")),
                Instant.ofEpochMilli(row.getLong("last_seen")), Instant.ofEpochMilli(row.getLong("opened_at")),
                Optional.ofNullable(row.getString("acknowledged_by")), Database.instant(row, "acknowledged_at"),
                Optional.ofNullable(row.getString("resolved_by")), Database.instant(row, "resolved_at"));
    }

    private static TimelineEntry entry(ResultSet row) throws SQLException {
        return new TimelineEntry(row.getInt("seq"), Instant.ofEpochMilli(row.getLong("at")),
                TimelineEntry.Type.valueOf(row.getString("entry_type").toUpperCase(java.util.Locale.ROOT)), row.getString("actor"), row.getString("text"),
                Json.read(row.getString("detail"), DETAIL), row.getLong("event_count"), Instant.ofEpochMilli(row.getLong("last_at")));
    }

    private static StoredSignal signal(ResultSet row) throws SQLException {
        Signal signal = new Signal(row.getString("kind"), row.getString("component"), row.getString("object_kind"), row.getString("project"),
                Severity.parse(row.getString("severity")), row.getString("message"), Json.read(row.getString("objects"), OBJECTS),
                Instant.ofEpochMilli(row.getLong("last_at")));
        return new StoredSignal(row.getString("id"), row.getString("incident_id"), new Observation(signal, row.getString("fingerprint"),
                row.getString("cause"), row.getLong("event_count"), Instant.ofEpochMilli(row.getLong("first_at")),
                Instant.ofEpochMilli(row.getLong("last_at"))));
    }
}
