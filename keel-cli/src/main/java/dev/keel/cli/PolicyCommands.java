package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel policy apply|list|show|delete|dry-run}. */
@Command(name = "policy", description = "Remediation policies: automated actions on incidents", subcommands = {PolicyCommands.Apply.class,
    PolicyCommands.ListPolicies.class, PolicyCommands.Show.class, PolicyCommands.Delete.class, PolicyCommands.DryRunCommand.class})
final class PolicyCommands {
    private PolicyCommands() {
    }

    @Command(name = "apply", description = "Apply a policy spec (YAML or JSON): created, a new version, or unchanged")
    static final class Apply implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = {"-f", "--file"}, required = true, description = "The spec file")
        Path file;

        @Override
        public Integer call() throws IOException {
            String text = Files.readString(file);
            String type = text.stripLeading().startsWith("{") ? "application/json" : "application/yaml";
            JsonNode answer = client.client().putText("/v1/policies", text, type);
            client.print(answer, () -> System.out.println("policy " + answer.path("name").asText() + " version " + answer.path("version").asInt()
                    + " in project " + answer.path("project").asText() + (answer.path("changed").asBoolean(true) ? "" : " (unchanged)")));
            return 0;
        }
    }

    @Command(name = "list", description = "List a project's policies")
    static final class ListPolicies implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", defaultValue = "default", description = "Project (default: default)")
        String project;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/policies?project=" + KeelClient.encode(project));
            client.print(answer, () -> Output.table(System.out, answer.path("policies"), List.of(Output.Column.field("NAME", "name"),
                    Output.Column.field("VERSION", "version"), new Output.Column("KINDS", row -> join(row.path("kinds"))),
                    new Output.Column("ACTIONS", row -> join(row.path("actions"))), Output.Column.field("UPDATED", "updatedAt"),
                    Output.Column.field("BY", "updatedBy"))));
            return 0;
        }
    }

    @Command(name = "show", description = "Show a policy's spec and its most recent actions")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Policy name")
        String name;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/policies/" + KeelClient.encode(name));
            client.print(answer, () -> {
                System.out.println("policy " + answer.path("name").asText() + " version " + answer.path("version").asInt() + " in project "
                        + answer.path("project").asText() + ", updated " + answer.path("updatedAt").asText() + " by "
                        + answer.path("updatedBy").asText());
                System.out.println();
                System.out.println(answer.path("spec").asText().stripTrailing());
                System.out.println();
                if (answer.path("recentActions").isEmpty()) {
                    System.out.println("no actions yet");
                } else {
                    Output.table(System.out, answer.path("recentActions"), List.of(Output.Column.field("AT", "at"),
                            Output.Column.field("INCIDENT", "incident"), Output.Column.field("ACTION", "action"),
                            Output.Column.field("TARGET", "target"), Output.Column.field("OUTCOME", "outcome"),
                            Output.Column.field("REASON", "reason")));
                }
            });
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a policy; the actions it took stay on the incidents' timelines")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Policy name")
        String name;

        @Override
        public Integer call() {
            client.client().delete("/v1/policies/" + KeelClient.encode(name));
            System.out.println("policy " + name + " deleted");
            return 0;
        }
    }

    @Command(name = "dry-run", description = "What a policy would have done over the last days' stored signals; does nothing")
    static final class DryRunCommand implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", arity = "0..1", description = "A stored policy's name (or give -f)")
        String name;
        @Option(names = {"-f", "--file"}, description = "A spec file to try, not applied")
        Path file;
        @Option(names = "--days", defaultValue = "7", description = "How many days back to replay (1-90, default 7)")
        int days;

        @Override
        public Integer call() throws IOException {
            if ((name == null) == (file == null)) {
                System.err.println("give a policy name or -f FILE, not both");
                return 2;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            if (file != null) {
                body.put("spec", Files.readString(file));
            } else {
                body.put("name", name);
            }
            body.put("days", days);
            JsonNode answer = client.client().post("/v1/policies/dry-run", body);
            client.print(answer, () -> {
                System.out.println("policy " + answer.path("policy").asText() + " over " + answer.path("signals").asInt() + " stored signals of project "
                        + answer.path("project").asText() + " since " + answer.path("since").asText()
                        + (answer.path("truncated").asBoolean() ? " (truncated: the oldest only)" : ""));
                if (answer.path("actions").isEmpty()) {
                    System.out.println("it would have done nothing");
                    return;
                }
                Output.table(System.out, answer.path("actions"), List.of(Output.Column.field("AT", "at"), Output.Column.field("INCIDENT", "incident"),
                        Output.Column.field("ACTION", "action"), Output.Column.field("TARGET", "target"), Output.Column.field("OUTCOME", "outcome"),
                        Output.Column.field("REASON", "reason")));
            });
            return 0;
        }
    }

    private static String join(JsonNode values) {
        StringBuilder text = new StringBuilder();
        values.forEach(value -> text.append(text.isEmpty() ? "" : ",").append(value.asText()));
        return text.toString();
    }
}
