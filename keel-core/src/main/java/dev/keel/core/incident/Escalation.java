package dev.keel.core.incident;

import dev.keel.core.alert.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Escalates incidents that are patterns rather than one-off faults, each rule at most once per episode: a fingerprint seen
 * more than {@code recurrence-count} times within {@code recurrence-window} ({@link Rule#RECURRENCE}); an incident that came
 * back after it was resolved ({@link Rule#REOPENED}); one fingerprint failing several pipelines, endpoints or monitors within
 * {@code spread-window} ({@link Rule#SPREAD}); and incidents of one project whose failing objects all lead to one upstream
 * object within {@code spread-window} ({@link Rule#SHARED_UPSTREAM}). An escalation is an {@code ESCALATION} timeline entry
 * with its evidence in the detail, and the incident's severity raised one step (warning to critical).
 */
public final class Escalation implements IncidentListener {
    /** The escalation rules. */
    public enum Rule {
        /** Seen more than the recurrence count within the recurrence window. */
        RECURRENCE,
        /** Came back after it was resolved. */
        REOPENED,
        /** One fingerprint on several failing objects at once. */
        SPREAD,
        /** Several incidents whose failing objects lead to one upstream object. */
        SHARED_UPSTREAM;

        /** The name used in timeline details and JSON: {@code recurrence}, {@code reopened}, {@code spread}, {@code shared_upstream}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The most signals read per incident when looking for several failing objects. */
    static final int SIGNALS_READ = 1_000;
    /** The most other active incidents compared with a changed one for a shared upstream. */
    static final int INCIDENTS_COMPARED = 50;
    private static final int CACHED_EPISODES = 10_000;
    private static final List<String> PER_OCCURRENCE = List.of("run", "breach");

    private final Incidents incidents;
    private final PatternsConfig config;
    private final Upstreams upstreams;
    /** The rules already escalated, by incident and episode start; read back from the timeline when missing. */
    private final Map<String, Set<String>> escalated = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > CACHED_EPISODES;
        }
    };

    /** When the spread and shared-upstream checks last ran for an incident, and on which failing objects. */
    private record Checked(Set<String> symptoms, Instant at) {
    }

    /** The spread and shared-upstream checks of an incident run again this often when no new failing object comes in. */
    static final Duration RECHECK = Duration.ofMinutes(1);
    private final Map<String, Checked> checked = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Checked> eldest) {
            return size() > CACHED_EPISODES;
        }
    };

    public Escalation(Incidents incidents, PatternsConfig config, Upstreams upstreams) {
        this.incidents = Objects.requireNonNull(incidents, "incidents");
        this.config = Objects.requireNonNull(config, "config");
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
    }

    @Override
    public synchronized void changed(IncidentChange change) {
        switch (change.type()) {
            case OPENED, REOPENED, RECURRED -> check(change);
            case ACKNOWLEDGED, RESOLVED, ESCALATED, ACTED -> {
                // no new occurrence: nothing to count
            }
        }
    }

    private void check(IncidentChange change) {
        Incident incident = change.incident();
        Instant now = incidents.clock().instant();
        if (change.type() == IncidentChange.Type.REOPENED) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("counts", Map.of("reopened", incident.reopened(), "episodes", incident.reopened() + 1, "occurrences", incident.count()));
            detail.put("objects", objects(incident));
            escalate(incident, Rule.REOPENED, "came back after it was resolved (" + times(incident.reopened()) + " so far, "
                    + incident.count() + " occurrences since " + incident.firstSeen() + ")", detail);
        }
        checkRecurrence(incident, now);
        if (done(incident, Rule.SPREAD) && done(incident, Rule.SHARED_UPSTREAM) || !due(change, now)) {
            return;
        }
        List<StoredSignal> stored = incidents.store().incidentSignals(incident.id(), now.minus(config.spreadWindow()), SIGNALS_READ);
        List<Signal> recent = stored.stream().map(row -> row.observation().signal()).toList();
        long occurrences = stored.stream().mapToLong(row -> row.observation().count()).sum();
        if (!done(incident, Rule.SPREAD)) {
            checkSpread(incident, recent, occurrences);
        }
        if (!done(incident, Rule.SHARED_UPSTREAM)) {
            checkSharedUpstream(incident, recent, now);
        }
    }

    /**
     * Whether the spread and shared-upstream checks are due: the change brings a failing object not checked yet in this
     * episode, or they last ran {@link #RECHECK} ago. Comparing with every other active incident costs queries, and a storm
     * of one failure recurs on every flush.
     */
    private boolean due(IncidentChange change, Instant now) {
        String key = change.incident().id() + '@' + change.incident().openedAt().toEpochMilli();
        Set<String> symptoms = new HashSet<>(Upstreams.symptoms(change.observations().stream().map(Observation::signal).toList()));
        Checked last = checked.get(key);
        if (last != null && last.symptoms().containsAll(symptoms) && now.isBefore(last.at().plus(RECHECK))) {
            return false;
        }
        if (last != null) {
            symptoms.addAll(last.symptoms());
        }
        checked.put(key, new Checked(Set.copyOf(symptoms), now));
        return true;
    }

    private void checkRecurrence(Incident incident, Instant now) {
        if (done(incident, Rule.RECURRENCE)) {
            return;
        }
        Instant since = now.minus(config.recurrenceWindow());
        long occurrences = incidents.store().occurrences(incident.id(), since);
        if (config.recurrenceUnit() == PatternsConfig.Unit.OCCURRENCES && occurrences <= config.recurrenceCount()) {
            return;
        }
        long episodes = episodeStarts(incident.id(), since).size();
        long counted = config.recurrenceUnit() == PatternsConfig.Unit.OCCURRENCES ? occurrences : episodes;
        if (counted <= config.recurrenceCount()) {
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("window", config.recurrenceWindow().toString());
        detail.put("threshold", config.recurrenceCount());
        detail.put("unit", config.recurrenceUnit().label());
        detail.put("counts", Map.of("occurrences", occurrences, "episodes", episodes));
        detail.put("objects", objects(incident));
        escalate(incident, Rule.RECURRENCE, counted + " " + config.recurrenceUnit().label() + " within " + human(config.recurrenceWindow())
                + ", more than " + config.recurrenceCount(), detail);
    }

    private void checkSpread(Incident incident, List<Signal> recent, long occurrences) {
        List<String> symptoms = Upstreams.symptoms(recent);
        if (symptoms.size() < 2) {
            return;
        }
        List<Upstreams.Upstream> shared = upstreams.shared(recent);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("window", config.spreadWindow().toString());
        detail.put("counts", Map.of("objects", symptoms.size(), "occurrences", occurrences));
        detail.put("objects", symptoms);
        putUpstream(detail, shared);
        escalate(incident, Rule.SPREAD, "one fingerprint failed " + symptoms.size() + " objects within " + human(config.spreadWindow()) + " ("
                + String.join(", ", symptoms) + ")" + upstreamText(shared, symptoms), detail);
    }

    private void checkSharedUpstream(Incident incident, List<Signal> recent, Instant now) {
        if (recent.isEmpty()) {
            return;
        }
        Instant since = now.minus(config.spreadWindow());
        Set<String> mine = new HashSet<>(Upstreams.symptoms(recent));
        for (Incident other : incidents.list(incident.project(), List.of(Incident.Status.OPEN, Incident.Status.ACKNOWLEDGED), INCIDENTS_COMPARED)) {
            if (other.id().equals(incident.id()) || other.lastSeen().isBefore(since)) {
                continue;
            }
            List<Signal> theirs = recentSignals(other.id(), now);
            if (theirs.isEmpty()) {
                continue;
            }
            Set<String> theirSymptoms = new HashSet<>(Upstreams.symptoms(theirs));
            List<Signal> together = new ArrayList<>(recent);
            together.addAll(theirs);
            // only an upstream that links a failing object of each incident to one of the other
            List<Upstreams.Upstream> bridging = upstreams.shared(together).stream()
                    .filter(upstream -> upstream.symptoms().stream().anyMatch(symptom -> mine.contains(symptom) && !theirSymptoms.contains(symptom))
                            && upstream.symptoms().stream().anyMatch(symptom -> theirSymptoms.contains(symptom) && !mine.contains(symptom)))
                    .toList();
            if (bridging.isEmpty()) {
                continue;
            }
            List<String> linked = bridging.getFirst().symptoms();
            for (Incident involved : List.of(incident, other)) {
                Incident partner = involved == incident ? other : incident;
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("window", config.spreadWindow().toString());
                detail.put("counts", Map.of("incidents", 2, "objects", linked.size()));
                detail.put("objects", linked);
                detail.put("related", List.of(partner.id()));
                putUpstream(detail, bridging);
                escalate(involved, Rule.SHARED_UPSTREAM, "shares " + bridging.getFirst().label() + " with incident " + partner.id() + " ("
                        + partner.title() + ") within " + human(config.spreadWindow()) + " (" + String.join(", ", linked) + ")", detail);
            }
            return;
        }
    }

    private List<Signal> recentSignals(String incidentId, Instant now) {
        return incidents.store().incidentSignals(incidentId, now.minus(config.spreadWindow()), SIGNALS_READ).stream()
                .map(stored -> stored.observation().signal()).toList();
    }

    /** The openings and reopenings of the incident at or after {@code since}. */
    List<Instant> episodeStarts(String incidentId, Instant since) {
        return incidents.store().entries(incidentId, TimelineEntry.Type.STATUS, since, 100_000).stream().filter(Escalation::startsEpisode)
                .map(TimelineEntry::at).toList();
    }

    /** True for the timeline entry that opens or reopens an incident. */
    static boolean startsEpisode(TimelineEntry entry) {
        return entry.type() == TimelineEntry.Type.STATUS && Incidents.KEEL.equals(entry.actor())
                && ("opened".equals(entry.text()) || entry.detail().containsKey("reopened"));
    }

    private static void putUpstream(Map<String, Object> detail, List<Upstreams.Upstream> shared) {
        if (shared.isEmpty()) {
            detail.put("upstream", "");
            detail.put("evidence", List.of("no object Keel stores links two of the failing objects"));
            return;
        }
        Upstreams.Upstream first = shared.getFirst();
        detail.put("upstream", first.label());
        detail.put("upstream_kind", first.kind());
        detail.put("upstream_name", first.name());
        detail.put("upstream_objects", first.symptoms());
        detail.put("evidence", first.evidence());
        detail.put("upstreams", shared.stream().map(Upstreams.Upstream::label).toList());
    }

    private static String upstreamText(List<Upstreams.Upstream> shared, List<String> symptoms) {
        if (shared.isEmpty()) {
            return "; no common upstream found";
        }
        Upstreams.Upstream first = shared.getFirst();
        return "; likely upstream: " + first.label() + (first.symptoms().size() == symptoms.size() ? ""
                : " (of " + String.join(", ", first.symptoms()) + ")");
    }

    private boolean done(Incident incident, Rule rule) {
        return rules(incident).contains(rule.label());
    }

    private Set<String> rules(Incident incident) {
        return escalated.computeIfAbsent(incident.id() + '@' + incident.openedAt().toEpochMilli(), key -> {
            Set<String> found = new HashSet<>();
            for (TimelineEntry entry : incidents.store().entries(incident.id(), TimelineEntry.Type.ESCALATION, incident.openedAt(), 1_000)) {
                Object rule = entry.detail().get("rule");
                if (rule != null) {
                    found.add(rule.toString());
                }
            }
            return found;
        });
    }

    private void escalate(Incident incident, Rule rule, String text, Map<String, Object> evidence) {
        if (done(incident, rule)) {
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("rule", rule.label());
        detail.putAll(evidence);
        detail.put("fingerprint", incident.fingerprint());
        incidents.record(incident.id(), TimelineEntry.Type.ESCALATION, Incidents.KEEL, "recurring pattern (" + rule.label() + "): " + text, detail);
        rules(incident).add(rule.label());
        Severity raised = Severity.values()[Math.min(incident.severity().ordinal() + 1, Severity.CRITICAL.ordinal())];
        if (raised != incident.severity()) {
            incidents.raiseSeverity(incident.id(), raised, Incidents.KEEL, "recurring pattern (" + rule.label() + ")");
        }
    }

    private static Map<String, List<String>> objects(Incident incident) {
        Map<String, List<String>> objects = new LinkedHashMap<>(incident.objects());
        PER_OCCURRENCE.forEach(objects::remove);
        return objects;
    }

    private static String times(int count) {
        return count == 1 ? "once" : count + " times";
    }

    static String human(Duration duration) {
        if (duration.toDays() > 1 && duration.toHoursPart() == 0 && duration.toMinutesPart() == 0 && duration.toSecondsPart() == 0) {
            return duration.toDays() + " d";
        }
        if (duration.toMinutes() % 60 == 0 && duration.toHours() > 0) {
            return duration.toHours() + " h";
        }
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }
}
