package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keel incident patterns}: the recurring-pattern report of a project's incidents. */
@Command(name = "patterns", description = "Recurring causes, escalated patterns and their likely upstream, time to automated remediation"
        + " and each policy's success rate, for a project's incidents")
final class IncidentPatternsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;
    @Option(names = "--project", defaultValue = "default", description = "Project (default: default)")
    String project;
    @Option(names = "--since", defaultValue = "30d", description = "How far back: 30d, 12h, 90m or ISO-8601, at most 366d (default 30d)")
    String since;

    @Override
    public Integer call() {
        JsonNode answer = client.client().get("/v1/incident-patterns?project=" + KeelClient.encode(project) + "&since=" + KeelClient.encode(since));
        client.print(answer, () -> print(System.out, answer));
        return 0;
    }

    /** The report as readable text: causes, escalations with their evidence, remediation times and policies. */
    static void print(PrintStream out, JsonNode report) {
        out.println("Incident patterns of project " + report.path("project").asText() + ", " + report.path("since").asText() + " to "
                + report.path("until").asText());
        out.println();
        out.println("Top recurring causes");
        Output.table(out, report.path("causes"), List.of(Output.Column.field("EPISODES", "episodes"), Output.Column.field("OCCURRENCES", "occurrences"),
                new Output.Column("EVERY", row -> duration(row.path("mean_seconds_between_recurrences"))), Output.Column.field("LAST SEEN", "last_seen"),
                Output.Column.field("STATUS", "status"), Output.Column.field("INCIDENT", "incident"), Output.Column.field("TITLE", "title")));
        for (JsonNode cause : report.path("causes")) {
            StringBuilder objects = new StringBuilder();
            for (Map.Entry<String, JsonNode> role : cause.path("objects").properties()) {
                List<String> values = new java.util.ArrayList<>();
                role.getValue().forEach(value -> values.add(value.asText()));
                objects.append(objects.isEmpty() ? "" : "; ").append(role.getKey()).append(' ').append(String.join(", ", values));
            }
            if (!objects.isEmpty()) {
                out.println("  " + cause.path("incident").asText() + " (" + cause.path("kind").asText() + ", fingerprint "
                        + cause.path("fingerprint").asText() + "): " + objects);
            }
        }
        out.println();
        out.println("Escalated patterns");
        if (report.path("escalations").isEmpty()) {
            out.println("(none)");
        }
        for (JsonNode escalation : report.path("escalations")) {
            out.println("  " + escalation.path("at").asText() + "  " + escalation.path("incident").asText() + "  " + escalation.path("text").asText());
            if (escalation.hasNonNull("upstream")) {
                out.println("    likely upstream: " + escalation.path("upstream").asText());
                escalation.path("evidence").forEach(line -> out.println("      - " + line.asText()));
            }
        }
        out.println();
        out.println("Time to automated remediation");
        JsonNode remediation = report.path("time_to_remediation");
        out.println("  " + remediation.path("remediated").asInt() + " of " + remediation.path("episodes").asInt() + " episodes remediated"
                + (remediation.path("remediated").asInt() == 0 ? "" : "; median " + duration(remediation.path("median_seconds")) + ", mean "
                + duration(remediation.path("mean_seconds"))));
        out.println();
        out.println("Policies");
        Output.table(out, report.path("policies"), List.of(Output.Column.field("POLICY", "policy"), Output.Column.field("FIRINGS", "firings"),
                Output.Column.field("SUCCEEDED", "succeeded"), Output.Column.field("FAILED", "failed"), Output.Column.field("SKIPPED", "skipped"),
                new Output.Column("SUCCESS", row -> row.path("success_rate").isNumber()
                        ? String.format(Locale.ROOT, "%.0f%%", row.path("success_rate").asDouble() * 100) : "-"),
                new Output.Column("ACTIONS", row -> {
                    List<String> actions = new java.util.ArrayList<>();
                    row.path("actions").forEach(action -> actions.add(action.asText()));
                    return actions.isEmpty() ? "-" : String.join(", ", actions);
                })));
    }

    /** Seconds as {@code 2 d 3 h}, {@code 24 h}, {@code 10 min 40 s}; {@code -} for none. */
    static String duration(JsonNode seconds) {
        if (!seconds.isNumber()) {
            return "-";
        }
        long total = Math.round(seconds.asDouble());
        long days = total / 86_400;
        long hours = total % 86_400 / 3_600;
        long minutes = total % 3_600 / 60;
        long rest = total % 60;
        StringBuilder text = new StringBuilder();
        if (days > 0) {
            text.append(days).append(" d ");
        }
        if (hours > 0) {
            text.append(hours).append(" h ");
        }
        if (minutes > 0 && days == 0) {
            text.append(minutes).append(" min ");
        }
        if (rest > 0 && days == 0 && hours == 0 || total == 0) {
            text.append(rest).append(" s ");
        }
        return text.toString().strip();
    }
}
