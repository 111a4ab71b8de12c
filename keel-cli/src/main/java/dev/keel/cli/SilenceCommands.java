package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel silence add|list|expire}. */
@Command(name = "silence", description = "Silence alerts for a while", subcommands = {SilenceCommands.Add.class,
    SilenceCommands.ListSilences.class, SilenceCommands.Expire.class})
final class SilenceCommands {
    @Command(name = "add", description = "Silence a project's alerts whose labels equal every matcher, for a duration")
    static final class Add implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", required = true, description = "Project")
        String project;
        @Parameters(description = "Matchers label=value (severity, project and title match too)", arity = "1..*")
        List<String> matchers;
        @Option(names = "--duration", defaultValue = "2h", description = "How long: 30m, 2h, 1d or ISO-8601 (default 2h)")
        String duration;
        @Option(names = "--comment", defaultValue = "", description = "Why")
        String comment;

        @Override
        public Integer call() {
            Map<String, String> values = new LinkedHashMap<>();
            for (String matcher : matchers) {
                int equals = matcher.indexOf('=');
                if (equals <= 0) {
                    System.err.println("matcher '" + matcher + "' is not label=value");
                    return 2;
                }
                values.put(matcher.substring(0, equals), matcher.substring(equals + 1));
            }
            JsonNode answer = client.client().post("/v1/silences", Map.of("project", project, "matchers", values, "duration", duration,
                    "comment", comment));
            client.print(answer, () -> {
                System.out.println("silence " + answer.path("id").asText() + " until " + answer.path("endsAt").asText());
            });
            return 0;
        }
    }

    @Command(name = "list", description = "List a project's silences, expired ones included")
    static final class ListSilences implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", required = true, description = "Project")
        String project;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/silences?project=" + KeelClient.encode(project));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("silences"), List.of(Output.Column.field("ID", "id"),
                        Output.Column.field("ENDS", "endsAt"), Output.Column.field("BY", "createdBy"),
                        Output.Column.field("COMMENT", "comment")));
            });
            return 0;
        }
    }

    @Command(name = "expire", description = "End a silence now")
    static final class Expire implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Silence id")
        String id;

        @Override
        public Integer call() {
            JsonNode answer = client.client().delete("/v1/silences/" + KeelClient.encode(id));
            System.out.println("silence " + id + " ended at " + answer.path("endsAt").asText());
            return 0;
        }
    }
}
