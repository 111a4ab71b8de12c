package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keel admin rewrap}. */
@Command(name = "admin", description = "Server-wide maintenance", subcommands = {AdminCommands.Rewrap.class})
final class AdminCommands {
    @Command(name = "rewrap", description = {"Wrap the data key of every encrypted artifact and dataset snapshot under the active"
            + " encryption key (security.encryption.active), while the server serves.",
            "Only each file's header is rewritten; run it after adding and activating a new key and before removing the old one.",
            "Exit code 0 when every encrypted file is under the active key, 1 when some could not be re-wrapped."})
    static final class Rewrap implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().post("/v1/admin/rewrap", Map.of());
            client.print(answer, () -> System.out.print(report(answer)));
            return answer.path("total").path("failed").asLong() == 0 ? 0 : 1;
        }

        /** The counts as lines an operator reads. */
        static String report(JsonNode answer) {
            StringBuilder out = new StringBuilder("active key: ").append(answer.path("activeKey").asText()).append('\n');
            for (String part : new String[] {"artifacts", "snapshots", "alertChannels", "total"}) {
                JsonNode counts = answer.path(part);
                out.append(String.format("  %-14s re-wrapped %d, already current %d, plaintext %d, failed %d%n", part + ":",
                        counts.path("rewrapped").asLong(), counts.path("current").asLong(), counts.path("plaintext").asLong(),
                        counts.path("failed").asLong()));
            }
            for (String part : new String[] {"artifacts", "snapshots", "alertChannels"}) {
                answer.path(part).path("failures").forEach(failure -> out.append("  failed: ").append(part).append('/')
                        .append(failure.asText()).append('\n'));
            }
            return out.toString();
        }
    }
}
