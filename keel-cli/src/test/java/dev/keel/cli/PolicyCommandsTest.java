package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import dev.keel.spi.event.PipelineRunFailed;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandsTest {
    private static final String POLICY = """
            # retry the scoring pipeline when it fails
            name: retry-scores
            project: fraud
            when: {kind: pipeline.run_failed, count: 2}
            actions:
              - retry: {attempts: 3, backoff: 30s}
            """;

    @TempDir
    Path directory;

    @Test
    void applyListShowDryRunDelete_workAgainstARealServer() throws Exception {
        Path file = directory.resolve("policy.yaml");
        Files.writeString(file, POLICY);
        Path tighter = directory.resolve("tighter.yaml");
        Files.writeString(tighter, POLICY.replace("retry-scores", "retry-sooner").replace("count: 2", "count: 1"));
        Path broken = directory.resolve("broken.yaml");
        Files.writeString(broken, POLICY.replace("count: 2", "count: 0"));
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("data").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            new KeelClient(url, Optional.of(token)).post("/v1/projects", Map.of("name", "fraud"));
            String[] client = {"--url", url, "--token", token};

            Cli.Run applied = run(client, "policy", "apply", "-f", file.toString());
            Cli.Run again = run(client, "policy", "apply", "-f", file.toString());
            Cli.Run refused = run(client, "policy", "apply", "-f", broken.toString());
            Cli.Run listed = run(client, "policy", "list", "--project", "fraud");
            Cli.Run shown = run(client, "policy", "show", "retry-scores");
            started.server().keel().events().publish(new PipelineRunFailed("fraud", "scores", "run-1", 1, false, "source 'raw' could not be read",
                    Instant.now()));
            started.server().keel().incidents().sink().flush();
            assertThat(started.server().keel().policies().engine().awaitIdle(Duration.ofSeconds(30))).isTrue();
            Cli.Run byName = run(client, "policy", "dry-run", "retry-scores", "--days", "1");
            Cli.Run byFile = run(client, "policy", "dry-run", "-f", tighter.toString(), "--days", "1");
            Cli.Run neither = run(client, "policy", "dry-run", "--days", "1");
            Cli.Run deleted = run(client, "policy", "delete", "retry-scores");
            Cli.Run gone = run(client, "policy", "show", "retry-scores");

            assertThat(applied.code()).as(applied.err()).isZero();
            assertThat(applied.out()).contains("policy retry-scores version 1 in project fraud");
            assertThat(again.out()).contains("(unchanged)");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("when.count");
            assertThat(listed.out()).contains("retry-scores", "pipeline.run_failed", "retry");
            assertThat(shown.out()).contains("# retry the scoring pipeline when it fails", "no actions yet");
            assertThat(byName.code()).as(byName.err()).isZero();
            assertThat(byName.out()).contains("over 1 stored signals", "it would have done nothing");
            assertThat(byFile.code()).as(byFile.err()).isZero();
            assertThat(byFile.out()).contains("retry", "scores", "would_run");
            assertThat(neither.code()).isEqualTo(2);
            assertThat(deleted.out()).isEqualTo("policy retry-scores deleted\n");
            assertThat(gone.code()).isNotZero();
        } finally {
            started.server().close();
        }
    }
}
