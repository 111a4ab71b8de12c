package dev.keel.core.incident;

import dev.keel.core.alert.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns incidents into alerts for the alert dispatcher, which routes, groups, silences and delivers them: an alert fires when
 * an incident opens, reopens or is escalated, and resolves when the incident does. Occurrences of an incident that is already
 * firing raise no new alert; the dispatcher's {@code repeat_interval} reminds.
 *
 * <p><b>Inhibition</b> ({@link #inhibits}, the dispatcher's inhibition rule). While an active incident has had a successful
 * automated rollback or fallback for a model or endpoint, the alerts of other incidents about that model or endpoint are held
 * at every flush of their group: they are the symptoms of what automation is already handling (fallback answers, breaches of
 * the rolled-back version). As with Alertmanager's inhibition, a held alert stays in its group and is sent at the first flush
 * after the inhibiting incident resolves, if it still fires; the first hold is recorded on the held incident's timeline.
 */
public final class IncidentAlerts implements IncidentListener {
    /** Remediations whose incident inhibits the alerts of the same model or endpoint. */
    private static final Set<String> INHIBITING_ACTIONS = Set.of("rollback", "fallback");
    private static final List<String> INHIBITION_ROLES = List.of("model", "endpoint");
    private static final int ACTIONS_SHOWN = 10;
    private static final int TIMELINE_READ = 500;
    private static final int HOLDS_REMEMBERED = 10_000;

    private final Incidents incidents;
    private final Consumer<Alert> dispatcher;
    private final Set<String> holdsRecorded = ConcurrentHashMap.newKeySet();

    /** @param dispatcher where alerts go: the alert dispatcher's {@code receive} */
    public IncidentAlerts(Incidents incidents, Consumer<Alert> dispatcher) {
        this.incidents = Objects.requireNonNull(incidents, "incidents");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    }

    @Override
    public void changed(IncidentChange change) {
        Incident incident = change.incident();
        switch (change.type()) {
            case OPENED, REOPENED, ESCALATED -> {
                dispatcher.accept(alert(incident));
                incidents.record(incident.id(), TimelineEntry.Type.ALERT, Incidents.KEEL, "alert firing ("
                        + change.type().name().toLowerCase(java.util.Locale.ROOT) + ", " + incident.severity().label() + ")",
                        Map.of("status", "firing"));
            }
            case RESOLVED -> {
                dispatcher.accept(alert(incident).resolvedAt(incident.resolvedAt().orElse(incidents.clock().instant())));
                incidents.record(incident.id(), TimelineEntry.Type.ALERT, Incidents.KEEL, "alert resolved", Map.of("status", "resolved"));
            }
            case ACTED -> {
                // the alert says what automation did: a firing alert not yet sent, or due for its reminder, carries the action
                if (incident.active()) {
                    dispatcher.accept(alert(incident));
                }
            }
            case RECURRED, ACKNOWLEDGED -> {
                // the dispatcher repeats a firing alert on its own schedule; an acknowledgement changes nothing about the condition
            }
        }
    }

    /**
     * The dispatcher's inhibition rule: true for the alert of an active incident while another active incident of its project
     * has had a successful rollback or fallback of a model or endpoint this one involves.
     */
    public boolean inhibits(Alert alert) {
        String id = alert.labels().get("incident");
        if (id == null) {
            return false;
        }
        Optional<Incident> incident = incidents.store().find(id).filter(Incident::active);
        if (incident.isEmpty()) {
            return false;
        }
        Optional<Incident> inhibitor = inhibitor(incident.get());
        if (inhibitor.isEmpty()) {
            return false;
        }
        String hold = id + "\u0000" + inhibitor.get().id();
        if (holdsRecorded.size() < HOLDS_REMEMBERED && holdsRecorded.add(hold)) {
            incidents.record(id, TimelineEntry.Type.ALERT, Incidents.KEEL, "alert held: " + inhibitor.get().id() + " already remediated "
                    + String.join(", ", shared(incident.get(), inhibitor.get())) + " and is still active",
                    Map.of("status", "inhibited", "inhibited_by", inhibitor.get().id()));
        }
        return true;
    }

    /** An other active incident of the project with a successful rollback or fallback of a model or endpoint this one involves. */
    private Optional<Incident> inhibitor(Incident incident) {
        for (Incident other : incidents.list(incident.project(), List.of(Incident.Status.OPEN, Incident.Status.ACKNOWLEDGED), 200)) {
            if (other.id().equals(incident.id()) || shared(incident, other).isEmpty()) {
                continue;
            }
            boolean remediated = incidents.store().timeline(other.id(), TIMELINE_READ).stream()
                    .anyMatch(entry -> entry.type() == TimelineEntry.Type.ACTION && "succeeded".equals(entry.detail().get("outcome"))
                            && INHIBITING_ACTIONS.contains(String.valueOf(entry.detail().get("action"))));
            if (remediated) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    private static List<String> shared(Incident incident, Incident other) {
        List<String> shared = new ArrayList<>();
        for (String role : INHIBITION_ROLES) {
            for (String value : incident.objects(role)) {
                if (other.objects(role).contains(value)) {
                    shared.add(role + " " + value);
                }
            }
        }
        return shared;
    }

    /** The alert of an incident: its identity is the incident, so firing and resolved states match. */
    Alert alert(Incident incident) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("incident", incident.id());
        labels.put("kind", incident.kind());
        labels.put("component", incident.kind().substring(0, Math.max(0, incident.kind().indexOf('.'))));
        List<String> actions = new ArrayList<>();
        for (TimelineEntry entry : incidents.store().timeline(incident.id(), TIMELINE_READ)) {
            if (entry.type() == TimelineEntry.Type.ACTION && actions.size() < ACTIONS_SHOWN) {
                actions.add(entry.text() + " (" + entry.detail().getOrDefault("outcome", "done") + ")");
            }
        }
        StringBuilder text = new StringBuilder();
        text.append(incident.count()).append(incident.count() == 1 ? " occurrence" : " occurrences").append(" since ")
                .append(incident.openedAt()).append(", last at ").append(incident.lastSeen());
        if (incident.reopened() > 0) {
            text.append("; came back ").append(incident.reopened()).append(incident.reopened() == 1 ? " time" : " times")
                    .append(" after it was resolved");
        }
        Set<String> involved = new LinkedHashSet<>();
        incident.objects().forEach((role, values) -> {
            if (!"run".equals(role) && !"breach".equals(role)) {
                involved.add(role + " " + String.join(", ", values.subList(0, Math.min(3, values.size()))));
            }
        });
        if (!involved.isEmpty()) {
            text.append(". Involved: ").append(String.join("; ", involved));
        }
        text.append(actions.isEmpty() ? ". No automated action yet." : ". Automation: " + String.join("; ", actions) + ".");
        Duration open = Duration.between(incident.openedAt(), incident.lastSeen());
        if (!open.isNegative() && open.toMinutes() > 0) {
            text.append(" Ongoing for ").append(open.toMinutes()).append(" min.");
        }
        return new Alert(incident.project(), incident.severity(), incident.title(), text.toString(), labels, incident.link(), actions,
                Alert.Status.FIRING, incident.openedAt());
    }
}
