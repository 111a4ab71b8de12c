package dev.keel.core.incident;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Recurring-pattern analysis: the {@link Escalation} listener that escalates incidents which keep coming back or share a
 * cause, and the {@link PatternReport} of a project over a period.
 */
public final class Patterns {
    /** The most causes a report lists. */
    public static final int MAX_CAUSES = 20;
    /** The most incidents, and timeline entries of each type, a report reads. */
    static final int MAX_READ = 100_000;
    private static final int MAX_INCIDENTS = 1_000;
    private static final List<String> PER_OCCURRENCE = List.of("run", "breach");

    private final Incidents incidents;
    private final Escalation escalation;

    public Patterns(Incidents incidents, Upstreams.Catalog catalog) {
        this.incidents = Objects.requireNonNull(incidents, "incidents");
        this.escalation = new Escalation(incidents, incidents.config().patterns(), new Upstreams(catalog));
    }

    /** Pattern analysis over the incidents, its escalation listening to every change from now on. */
    public static Patterns install(Incidents incidents, Upstreams.Catalog catalog) {
        Patterns patterns = new Patterns(incidents, catalog);
        incidents.addListener(patterns.escalation);
        return patterns;
    }

    /** The listener that escalates patterns; {@link #install} registers it. */
    public IncidentListener escalation() {
        return escalation;
    }

    /** Now, by the incidents' clock: the end of every report. */
    public Instant now() {
        return incidents.clock().instant();
    }

    /** The project's report from {@code since} until now. */
    public PatternReport report(String project, Instant since) {
        Objects.requireNonNull(project, "project");
        Instant until = incidents.clock().instant();
        IncidentStore store = incidents.store();
        Map<String, Incident> byId = new LinkedHashMap<>();
        for (Incident incident : store.list(project, List.of(), MAX_INCIDENTS)) {
            byId.put(incident.id(), incident);
        }
        Map<String, List<Instant>> starts = new LinkedHashMap<>();
        for (IncidentStore.ProjectEntry status : store.projectEntries(project, TimelineEntry.Type.STATUS, since, MAX_READ)) {
            if (Escalation.startsEpisode(status.entry())) {
                starts.computeIfAbsent(status.incidentId(), id -> new ArrayList<>()).add(status.entry().at());
            }
        }
        List<IncidentStore.ProjectEntry> actions = store.projectEntries(project, TimelineEntry.Type.ACTION, since, MAX_READ);
        List<PatternReport.Cause> causes = causes(project, byId, starts, since);
        List<PatternReport.Escalated> escalations = new ArrayList<>();
        for (IncidentStore.ProjectEntry escalated : store.projectEntries(project, TimelineEntry.Type.ESCALATION, since, MAX_READ)) {
            Map<String, Object> detail = escalated.entry().detail();
            if (!detail.containsKey("rule")) {
                continue;
            }
            Optional<Incident> incident = Optional.ofNullable(byId.get(escalated.incidentId())).or(() -> store.find(escalated.incidentId()));
            Object upstream = detail.get("upstream");
            escalations.add(new PatternReport.Escalated(escalated.incidentId(), incident.map(Incident::fingerprint).orElse(""),
                    incident.map(Incident::title).orElse(""), detail.get("rule").toString(), escalated.entry().at(), escalated.entry().text(),
                    Optional.ofNullable(upstream).map(Object::toString).filter(text -> !text.isEmpty()),
                    upstream == null || upstream.toString().isEmpty() ? List.of() : strings(detail.get("evidence")), detail));
        }
        return new PatternReport(project, since, until, causes, escalations, remediation(starts, actions), policies(actions));
    }

    private List<PatternReport.Cause> causes(String project, Map<String, Incident> byId, Map<String, List<Instant>> starts, Instant since) {
        List<PatternReport.Cause> causes = new ArrayList<>();
        Map<String, Long> occurrences = incidents.store().occurrencesByIncident(project, since);
        for (Incident incident : byId.values()) {
            List<Instant> episodes = starts.getOrDefault(incident.id(), List.of());
            if (incident.lastSeen().isBefore(since) && episodes.isEmpty()) {
                continue;
            }
            Optional<Duration> between = episodes.size() < 2 ? Optional.empty()
                    : Optional.of(Duration.between(episodes.getFirst(), episodes.getLast()).dividedBy(episodes.size() - 1));
            Map<String, List<String>> objects = new LinkedHashMap<>(incident.objects());
            PER_OCCURRENCE.forEach(objects::remove);
            causes.add(new PatternReport.Cause(incident.fingerprint(), incident.id(), incident.title(), incident.kind(), incident.status(),
                    occurrences.getOrDefault(incident.id(), 0L), episodes.size(), between, incident.lastSeen(), objects));
        }
        causes.sort(Comparator.comparingInt(PatternReport.Cause::episodes).reversed()
                .thenComparing(Comparator.comparingLong(PatternReport.Cause::occurrences).reversed())
                .thenComparing(PatternReport.Cause::lastSeen, Comparator.reverseOrder()));
        return causes.subList(0, Math.min(MAX_CAUSES, causes.size()));
    }

    /** Each episode that started in the period, measured to its first succeeded action before the next episode of its incident began. */
    private static PatternReport.Remediation remediation(Map<String, List<Instant>> starts, List<IncidentStore.ProjectEntry> actions) {
        Map<String, List<Instant>> succeeded = new LinkedHashMap<>();
        for (IncidentStore.ProjectEntry action : actions) {
            if ("succeeded".equals(action.entry().detail().get("outcome"))) {
                succeeded.computeIfAbsent(action.incidentId(), id -> new ArrayList<>()).add(action.entry().at());
            }
        }
        int episodes = 0;
        List<Duration> times = new ArrayList<>();
        for (Map.Entry<String, List<Instant>> incident : starts.entrySet()) {
            List<Instant> begun = incident.getValue();
            for (int i = 0; i < begun.size(); i++) {
                episodes++;
                Instant start = begun.get(i);
                Instant next = i + 1 < begun.size() ? begun.get(i + 1) : Instant.MAX;
                succeeded.getOrDefault(incident.getKey(), List.of()).stream().filter(at -> !at.isBefore(start) && at.isBefore(next)).findFirst()
                        .ifPresent(at -> times.add(Duration.between(start, at)));
            }
        }
        if (times.isEmpty()) {
            return new PatternReport.Remediation(episodes, 0, Optional.empty(), Optional.empty());
        }
        List<Duration> sorted = times.stream().sorted().toList();
        int middle = sorted.size() / 2;
        Duration median = sorted.size() % 2 == 1 ? sorted.get(middle) : sorted.get(middle - 1).plus(sorted.get(middle)).dividedBy(2);
        Duration total = sorted.stream().reduce(Duration.ZERO, Duration::plus);
        return new PatternReport.Remediation(episodes, sorted.size(), Optional.of(median), Optional.of(total.dividedBy(sorted.size())));
    }

    private static List<PatternReport.PolicyStats> policies(List<IncidentStore.ProjectEntry> actions) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, Set<String>> kinds = new LinkedHashMap<>();
        for (IncidentStore.ProjectEntry action : actions) {
            Map<String, Object> detail = action.entry().detail();
            String policy = detail.containsKey("policy") ? detail.get("policy").toString()
                    : action.entry().actor().startsWith("policy:") ? action.entry().actor().substring("policy:".length()) : "";
            if (policy.isEmpty()) {
                continue;
            }
            long[] count = counts.computeIfAbsent(policy, name -> new long[4]);
            count[0]++;
            switch (String.valueOf(detail.get("outcome"))) {
                case "succeeded" -> count[1]++;
                case "failed" -> count[2]++;
                case "skipped" -> count[3]++;
                default -> {
                    // an outcome outside the convention counts as a firing only
                }
            }
            if (detail.get("action") != null) {
                kinds.computeIfAbsent(policy, name -> new LinkedHashSet<>()).add(detail.get("action").toString());
            }
        }
        List<PatternReport.PolicyStats> stats = new ArrayList<>();
        counts.forEach((policy, count) -> {
            long attempted = count[1] + count[2];
            stats.add(new PatternReport.PolicyStats(policy, count[0], count[1], count[2], count[3],
                    attempted == 0 ? Optional.empty() : Optional.of((double) count[1] / attempted), List.copyOf(kinds.getOrDefault(policy, Set.of()))));
        });
        stats.sort(Comparator.comparing(PatternReport.PolicyStats::policy));
        return stats;
    }

    private static List<String> strings(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(value.toString());
    }
}
