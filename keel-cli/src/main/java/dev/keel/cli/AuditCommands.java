package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keel audit list|verify}. */
@Command(name = "audit", description = "Read and verify the audit log", subcommands = {AuditCommands.ListEntries.class, AuditCommands.Verify.class})
final class AuditCommands {
    @Command(name = "list", description = "Audit entries, newest first")
    static final class ListEntries implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--project")
        String project;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/audit" + KeelClient.query(Map.of("project", Optional.ofNullable(project),
                    "limit", Optional.of(Integer.toString(limit)))));
            if (client.json()) {
                Output.json(System.out, answer);
            } else {
                Output.table(System.out, answer.path("entries"), List.of(Output.Column.field("SEQ", "seq"), Output.Column.field("AT", "at"),
                        Output.Column.field("ACTOR", "actor"), Output.Column.field("ACTION", "action"), Output.Column.field("PROJECT", "project"),
                        Output.Column.field("OUTCOME", "outcome"), Output.Column.field("STATUS", "status")));
            }
            return 0;
        }
    }

    @Command(name = "verify", description = "Recompute the audit log's hash chain")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/audit/verify");
            System.out.println((answer.path("intact").asBoolean() ? "intact: " : "BROKEN: ") + answer.path("message").asText());
            return answer.path("intact").asBoolean() ? 0 : 1;
        }
    }
}
