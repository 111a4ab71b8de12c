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
    @Command(name = "list", description = "Audit entries, newest first: of the projects where the token holds AUDIT_READ, or all when it holds it on *")
    static final class ListEntries implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--project", description = "Only entries of this project")
        String project;

        @Option(names = "--limit", defaultValue = "50", description = "Most entries shown, newest first (default: 50)")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/audit" + KeelClient.query(Map.of("project", Optional.ofNullable(project),
                    "limit", Optional.of(Integer.toString(limit)))));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("entries"), List.of(Output.Column.field("SEQ", "seq"), Output.Column.field("AT", "at"),
                        Output.Column.field("ACTOR", "actor"), Output.Column.field("ACTION", "action"), Output.Column.field("PROJECT", "project"),
                        Output.Column.field("OUTCOME", "outcome"), Output.Column.field("STATUS", "status")));
            });
            return 0;
        }
    }

    @Command(name = "verify", description = {"Walk the audit log's HMAC chain and hold it against the signed checkpoints.",
            "Exit code 0 when intact, 1 when not (edited, deleted, truncated or recomputed entries, a forged checkpoint,"
                    + " or another audit key)."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/audit/verify");
            boolean intact = answer.path("intact").asBoolean();
            client.print(answer, () -> {
                System.out.print(report(answer));
            });
            return intact ? 0 : 1;
        }

        /** The verification as lines an operator reads: the verdict first, then what was checked. */
        static String report(JsonNode answer) {
            StringBuilder out = new StringBuilder();
            boolean intact = answer.path("intact").asBoolean();
            out.append(intact ? "intact: " : "NOT INTACT (" + answer.path("finding").asText() + "): ").append(answer.path("message").asText())
                    .append('\n');
            if (answer.hasNonNull("firstBrokenSeq")) {
                line(out, "first broken seq", answer.get("firstBrokenSeq").asText());
            }
            String range = answer.hasNonNull("firstSeq") ? " (seq " + answer.get("firstSeq").asText() + " to " + answer.get("lastSeq").asText()
                    + ")" : "";
            line(out, "entries walked", answer.path("entries").asText() + range);
            if (answer.path("legacyEntries").asLong() > 0) {
                line(out, "legacy entries", answer.get("legacyEntries").asText() + " (plain SHA-256, from before keyed chaining; only as"
                        + " strong as that was)");
            }
            line(out, "audit key id", answer.path("keyId").asText());
            JsonNode latest = answer.path("latestCheckpoint");
            line(out, "checkpoints", answer.path("checkpointsChecked").asText() + " checked" + (latest.isObject() ? "; latest at seq "
                    + latest.path("seq").asText() + " (" + latest.path("at").asText() + ")" : "; none valid yet"));
            long after = answer.path("entriesAfterCheckpoint").asLong();
            line(out, "not yet covered", after == 0 ? "none" : after + (after == 1 ? " entry" : " entries")
                    + " after the latest checkpoint (a cut among them cannot be detected until the next one)");
            return out.toString();
        }

        private static void line(StringBuilder out, String label, String value) {
            out.append("  ").append(String.format("%-18s", label + ":")).append(value).append('\n');
        }
    }
}
