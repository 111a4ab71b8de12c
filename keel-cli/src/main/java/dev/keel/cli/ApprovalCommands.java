package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel approval list|approve|reject}: promotions of retrained models held for a person (operator role, audited). */
@Command(name = "approval", description = "Promotions held for approval", subcommands = {ApprovalCommands.ListApprovals.class,
    ApprovalCommands.Approve.class, ApprovalCommands.Reject.class})
final class ApprovalCommands {
    private ApprovalCommands() {
    }

    @Command(name = "list", description = "List a project's pending approvals (--all for decided ones too)")
    static final class ListApprovals implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", defaultValue = "default", description = "Project (default: default)")
        String project;
        @Option(names = "--all", description = "Decided approvals too")
        boolean all;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/approvals" + KeelClient.query(Map.of("project", Optional.of(project), "all",
                    Optional.of(Boolean.toString(all)))));
            client.print(answer, () -> Output.table(System.out, answer.path("approvals"), List.of(Output.Column.field("ID", "id"),
                    Output.Column.field("MODEL", "model"), Output.Column.field("VERSION", "version"), Output.Column.field("ALIAS", "alias"),
                    Output.Column.field("STATUS", "status"), Output.Column.field("REQUESTED", "requestedAt"), Output.Column.field("BY", "decidedBy"),
                    Output.Column.field("REASON", "reason"))));
            return 0;
        }
    }

    @Command(name = "approve", description = "Approve a held promotion: the version is promoted (through its rollout, when declared)")
    static final class Approve implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Approval id")
        String id;
        @Option(names = "--reason", description = "Why (kept in the audit log)")
        String reason;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode answer = client.client().post("/v1/approvals/" + KeelClient.encode(id) + "/approve", body);
            client.print(answer, () -> System.out.println("approved: " + answer.path("model").asText() + ":" + answer.path("version").asInt()
                    + " goes to '" + answer.path("alias").asText() + "'"));
            return 0;
        }
    }

    @Command(name = "reject", description = "Reject a held promotion; the alias stays")
    static final class Reject implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Approval id")
        String id;
        @Option(names = "--reason", required = true, description = "Why (required, kept in the audit log)")
        String reason;

        @Override
        public Integer call() {
            JsonNode answer = client.client().post("/v1/approvals/" + KeelClient.encode(id) + "/reject", Map.of("reason", reason));
            client.print(answer, () -> System.out.println("rejected: " + answer.path("model").asText() + ":" + answer.path("version").asInt()
                    + " stays where it is"));
            return 0;
        }
    }
}
