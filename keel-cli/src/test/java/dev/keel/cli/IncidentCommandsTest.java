package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import dev.keel.spi.event.PipelineRunFailed;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentCommandsTest {
    @TempDir
    Path directory;

    @Test
    void listShowAckNoteResolveAndTimeline_againstARealServer() {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("data").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            new KeelClient(url, Optional.of(token)).post("/v1/projects", Map.of("name", "fraud"));
            for (String run : new String[] {"run-1a2b", "run-3c4d", "run-5e6f"}) {
                started.server().keel().events().publish(new PipelineRunFailed("fraud", "orders", run, 3, false,
                        "source 'orders' could not be read: /srv/in/" + run + ".csv does not exist", Instant.now()));
            }
            started.server().keel().incidents().sink().flush();
            String[] client = {"--url", url, "--token", token};

            Cli.Run listed = run(client, "incident", "list", "--project", "fraud");
            assertThat(listed.code()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("open", "critical", "3", "Pipeline run failed: source 'orders' could not be read");
            String id = listed.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
            assertThat(id).startsWith("inc-");

            Cli.Run acked = run(client, "incident", "ack", id, "--comment", "looking at the export job");
            Cli.Run noted = run(client, "incident", "note", id, "the export moved to /srv/in2");
            Cli.Run resolved = run(client, "incident", "resolve", id, "--comment", "path fixed");
            Cli.Run shown = run(client, "incident", "show", id);
            Cli.Run timeline = run(client, "incident", "timeline", id);
            Cli.Run json = run(client, "incident", "list", "--project", "fraud", "--status", "all", "-o", "json");
            Cli.Run bad = run(client, "incident", "list", "--project", "fraud", "--status", "burning");

            assertThat(acked.out()).isEqualTo(id + " acknowledged\n");
            assertThat(noted.out()).startsWith("note ");
            assertThat(resolved.out()).isEqualTo(id + " resolved\n");
            assertThat(shown.out()).contains(id + "  resolved  critical", "3 occurrences", "pipeline: orders");
            assertThat(timeline.out()).contains("acknowledged: looking at the export job", "the export moved to /srv/in2", "resolved: path fixed",
                    "×3 until");
            assertThat(json.out()).contains("\"status\" : \"resolved\"");
            assertThat(bad.code()).isNotZero();
            assertThat(bad.err()).contains("status 'burning' is not one of");
        } finally {
            started.server().close();
        }
    }
}
