package dev.keel.server;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Incident;
import dev.keel.core.incident.Incidents;
import dev.keel.core.incident.TimelineEntry;
import dev.keel.core.security.Permission;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Incidents over HTTP: list a project's incidents, read one with its timeline, acknowledge, resolve, add a note. An incident
 * is named by its id and checked in its project; the list takes {@code ?project=}.
 */
public final class IncidentRoutes implements HttpService {
    /** The longest comment or note accepted. */
    static final int MAX_TEXT = 2_000;
    private final Incidents incidents;
    private final AlertRoutes.ProjectCheck projects;

    public IncidentRoutes(Incidents incidents, AlertRoutes.ProjectCheck projects) {
        this.incidents = incidents;
        this.projects = projects;
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> queryProject = call -> call.query("project");
        Function<Call, Optional<String>> incidentProject = call -> incidents.projectOf(call.path("id"));

        api.get("/v1/incidents", Permission.INCIDENT_READ).project(queryProject)
                .describe("incident.list", "A project's incidents (?project=), most recently seen first; ?status=open,acknowledged,resolved "
                        + "(default: open and acknowledged; 'all' for every status), ?limit= (default 100)")
                .handle(call -> {
                    String project = requireKnown(call.query("project"));
                    List<Incident> found = incidents.list(project, statuses(call.query("status")), call.queryInt("limit", 100, 1, 1000));
                    call.ok(Map.of("incidents", found.stream().map(IncidentRoutes::toJson).toList()));
                });
        api.get("/v1/incidents/{id}", Permission.INCIDENT_READ).project(incidentProject)
                .describe("incident.show", "One incident with its objects and its latest timeline entries (?entries=, default 20)")
                .handle(call -> {
                    Incident incident = incidents.get(call.path("id"));
                    Map<String, Object> body = toJson(incident);
                    List<TimelineEntry> timeline = incidents.timeline(incident.id(), 100_000);
                    int shown = call.queryInt("entries", 20, 0, 1000);
                    body.put("timeline", timeline.subList(Math.max(0, timeline.size() - shown), timeline.size()).stream()
                            .map(IncidentRoutes::toJson).toList());
                    call.ok(body);
                });
        api.get("/v1/incidents/{id}/timeline", Permission.INCIDENT_READ).project(incidentProject)
                .describe("incident.timeline", "An incident's timeline, oldest first: events, status changes, automated actions, alerts, "
                        + "escalations and notes (?limit=, default 500)")
                .handle(call -> call.ok(Map.of("timeline", incidents.timeline(call.path("id"), call.queryInt("limit", 500, 1, 10_000)).stream()
                        .map(IncidentRoutes::toJson).toList())));
        api.post("/v1/incidents/{id}/ack", Permission.INCIDENT_WRITE).project(incidentProject)
                .describe("incident.acknowledge", "Acknowledge an open incident: {comment}; acknowledging again changes nothing")
                .handle(call -> call.ok(toJson(incidents.acknowledge(call.path("id"), call.actor(), text(call, "comment", false)))));
        api.post("/v1/incidents/{id}/resolve", Permission.INCIDENT_WRITE).project(incidentProject)
                .describe("incident.resolve", "Resolve an incident: {comment}; it reopens when its fingerprint comes back")
                .handle(call -> call.ok(toJson(incidents.resolve(call.path("id"), call.actor(), text(call, "comment", false)))));
        api.post("/v1/incidents/{id}/notes", Permission.INCIDENT_WRITE).project(incidentProject)
                .describe("incident.note", "Add a note to an incident's timeline: {text}")
                .handle(call -> {
                    Incident incident = incidents.get(call.path("id"));
                    call.created(toJson(incidents.record(incident.id(), TimelineEntry.Type.NOTE, call.actor(), text(call, "text", true), Map.of())));
                });
    }

    /** The optional body's text field, checked: a string of at most {@link #MAX_TEXT} characters, no other fields. */
    private static String text(Call call, String field, boolean required) {
        if (call.body().length == 0) {
            if (required) {
                throw invalid(field, "field '" + field + "' is required");
            }
            return "";
        }
        com.fasterxml.jackson.databind.JsonNode body = call.json();
        if (!body.isObject()) {
            throw invalid("body", "the body must be a JSON object {\"" + field + "\": \"...\"}");
        }
        for (java.util.Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!name.equals(field)) {
                throw invalid(name, "field '" + name + "' is not one of [" + field + "]");
            }
        }
        com.fasterxml.jackson.databind.JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw invalid(field, "field '" + field + "' is required");
            }
            return "";
        }
        if (!value.isTextual()) {
            throw invalid(field, "field '" + field + "' must be a string");
        }
        String text = value.asText().strip();
        if (text.length() > MAX_TEXT) {
            throw invalid(field, "field '" + field + "' has " + text.length() + " characters; at most " + MAX_TEXT + " are allowed");
        }
        if (required && text.isEmpty()) {
            throw invalid(field, "field '" + field + "' must not be blank");
        }
        return text;
    }

    private static Set<Incident.Status> statuses(Optional<String> query) {
        if (query.isEmpty()) {
            return Set.of(Incident.Status.OPEN, Incident.Status.ACKNOWLEDGED);
        }
        if (query.get().equals("all")) {
            return Set.of();
        }
        Set<Incident.Status> statuses = new LinkedHashSet<>();
        for (String part : query.get().split(",", 10)) {
            try {
                statuses.add(Incident.Status.parse(part.strip()));
            } catch (KeelException e) {
                throw invalid("status", "status '" + part.strip() + "' is not one of [open, acknowledged, resolved, all]");
            }
        }
        return statuses;
    }

    private String requireKnown(Optional<String> project) {
        return projects.require(project, "?project=");
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }

    /** An incident as the API shows it. */
    static Map<String, Object> toJson(Incident incident) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", incident.id());
        body.put("project", incident.project());
        body.put("fingerprint", incident.fingerprint());
        body.put("kind", incident.kind());
        body.put("title", incident.title());
        body.put("severity", incident.severity().label());
        body.put("status", incident.status().label());
        body.put("count", incident.count());
        body.put("reopened", incident.reopened());
        body.put("objects", incident.objects());
        body.put("first_seen", incident.firstSeen().toString());
        body.put("last_seen", incident.lastSeen().toString());
        body.put("opened_at", incident.openedAt().toString());
        incident.acknowledgedBy().ifPresent(by -> body.put("acknowledged_by", by));
        incident.acknowledgedAt().ifPresent(at -> body.put("acknowledged_at", at.toString()));
        incident.resolvedBy().ifPresent(by -> body.put("resolved_by", by));
        incident.resolvedAt().ifPresent(at -> body.put("resolved_at", at.toString()));
        body.put("link", incident.link());
        return body;
    }

    static Map<String, Object> toJson(TimelineEntry entry) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", entry.seq());
        body.put("at", entry.at().toString());
        body.put("type", entry.type().label());
        body.put("actor", entry.actor());
        body.put("text", entry.text());
        if (entry.count() != 1 || !entry.lastAt().equals(entry.at())) {
            body.put("count", entry.count());
            body.put("last_at", entry.lastAt().toString());
        }
        if (!entry.detail().isEmpty()) {
            body.put("detail", entry.detail());
        }
        return body;
    }
}
