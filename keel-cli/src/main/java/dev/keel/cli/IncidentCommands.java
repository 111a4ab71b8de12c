package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel incident list|show|timeline|ack|resolve|note|patterns}. */
@Command(name = "incident", description = "Follow incidents: failures Keel grouped, what automation did, who looked after them",
        subcommands = {IncidentCommands.ListIncidents.class, IncidentCommands.Show.class, IncidentCommands.Timeline.class,
            IncidentCommands.Ack.class, IncidentCommands.Resolve.class, IncidentCommands.Note.class, IncidentPatternsCommand.class})
final class IncidentCommands {
    private static final List<Output.Column> INCIDENT_COLUMNS = List.of(Output.Column.field("ID", "id"), Output.Column.field("STATUS", "status"),
            Output.Column.field("SEVERITY", "severity"), Output.Column.field("COUNT", "count"), Output.Column.field("LAST SEEN", "last_seen"),
            Output.Column.field("TITLE", "title"));

    @Command(name = "list", description = "List a project's incidents, most recently seen first (open and acknowledged by default)")
    static final class ListIncidents implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", defaultValue = "default", description = "Project (default: default)")
        String project;
        @Option(names = "--status", description = "open, acknowledged, resolved (comma-separated) or all")
        String status;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default 100)")
        int limit;

        @Override
        public Integer call() {
            String query = "?project=" + KeelClient.encode(project) + "&limit=" + limit + (status == null ? "" : "&status=" + KeelClient.encode(status));
            JsonNode answer = client.client().get("/v1/incidents" + query);
            client.print(answer, () -> Output.table(System.out, answer.path("incidents"), INCIDENT_COLUMNS));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one incident: what, where, how often, and its latest timeline entries")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Incident id")
        String id;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/incidents/" + KeelClient.encode(id));
            client.print(answer, () -> {
                System.out.println(answer.path("id").asText() + "  " + answer.path("status").asText() + "  " + answer.path("severity").asText());
                System.out.println(answer.path("title").asText());
                System.out.println("kind " + answer.path("kind").asText() + ", fingerprint " + answer.path("fingerprint").asText());
                System.out.println(answer.path("count").asLong() + " occurrences, first " + answer.path("first_seen").asText() + ", last "
                        + answer.path("last_seen").asText() + (answer.path("reopened").asInt() > 0 ? ", reopened " + answer.path("reopened").asInt()
                        + " times" : ""));
                answer.path("objects").properties().forEach(role -> System.out.println("  " + role.getKey() + ": " + join(role.getValue())));
                System.out.println();
                printTimeline(answer.path("timeline"));
            });
            return 0;
        }
    }

    @Command(name = "timeline", description = "An incident's whole timeline: events, status changes, automated actions, alerts, notes")
    static final class Timeline implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Incident id")
        String id;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/incidents/" + KeelClient.encode(id) + "/timeline");
            client.print(answer, () -> printTimeline(answer.path("timeline")));
            return 0;
        }
    }

    @Command(name = "ack", description = "Acknowledge an incident: someone is on it")
    static final class Ack implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Incident id")
        String id;
        @Option(names = "--comment", defaultValue = "", description = "What you are doing about it")
        String comment;

        @Override
        public Integer call() {
            return status(client, id, "ack", comment);
        }
    }

    @Command(name = "resolve", description = "Resolve an incident; it reopens if its fault comes back")
    static final class Resolve implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Incident id")
        String id;
        @Option(names = "--comment", defaultValue = "", description = "What fixed it")
        String comment;

        @Override
        public Integer call() {
            return status(client, id, "resolve", comment);
        }
    }

    @Command(name = "note", description = "Add a note to an incident's timeline")
    static final class Note implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Incident id")
        String id;
        @Parameters(index = "1", description = "The note")
        String text;

        @Override
        public Integer call() {
            JsonNode answer = client.client().post("/v1/incidents/" + KeelClient.encode(id) + "/notes", Map.of("text", text));
            client.print(answer, () -> System.out.println("note " + answer.path("seq").asInt() + " added to " + id));
            return 0;
        }
    }

    /** Acknowledges or resolves, printing the new status. */
    private static int status(ClientOptions client, String id, String verb, String comment) {
        JsonNode answer = client.client().post("/v1/incidents/" + KeelClient.encode(id) + "/" + verb, Map.of("comment", comment));
        client.print(answer, () -> System.out.println(id + " " + answer.path("status").asText()));
        return 0;
    }

    static void printTimeline(JsonNode timeline) {
        for (JsonNode entry : timeline) {
            String count = entry.has("count") ? " ×" + entry.path("count").asLong() + " until " + entry.path("last_at").asText() : "";
            System.out.printf("%3d  %s  %-10s %-14s %s%s%n", entry.path("seq").asInt(), entry.path("at").asText(), entry.path("type").asText(),
                    entry.path("actor").asText(), entry.path("text").asText(), count);
        }
    }

    private static String join(JsonNode values) {
        StringBuilder text = new StringBuilder();
        for (JsonNode value : values) {
            text.append(text.isEmpty() ? "" : ", ").append(value.asText());
        }
        return text.toString();
    }
}
