package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel pipeline …} and {@code keel dataset …} against a real server, with the demo pipeline on the committed data. */
class PipelineCommandsTest {
    private static final Path SPEC = Path.of("..", "examples", "pipelines", "credit-g.yaml");

    @TempDir
    Path directory;

    @Test
    void pipelineAndDatasetCommands_validateRunAndInspectTheDemoPipeline() throws Exception {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1",
                "KEEL_PIPELINES_BASE_DIRECTORY", Path.of("..").toAbsolutePath().normalize().toString(),
                "KEEL_PIPELINES_SCHEDULER", "false"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String[] client = {"--url", "http://127.0.0.1:" + started.server().port(), "--token", started.adminSecret().orElseThrow()};
            Path bad = Files.writeString(directory.resolve("bad.yaml"), "pipeline: p\nsources: [{name: raw, type: csv}]\n");

            Cli.Run valid = run(client, "pipeline", "validate", SPEC.toString());
            Cli.Run invalid = run(client, "pipeline", "validate", bad.toString());
            Cli.Run local = run(new String[0], "pipeline", "validate", "--local", bad.toString());
            Path failing = Files.writeString(directory.resolve("failing.yaml"), """
                    pipeline: too-few
                    sources: [{name: raw, type: csv, path: examples/credit-g/credit-g.csv}]
                    expectations: [{dataset: raw, rule: row-count, min: 100000, action: fail}]
                    outputs: [{dataset: too-few, from: raw}]
                    """);

            Cli.Run first = run(client, "pipeline", "run", "--wait", SPEC.toString());
            Cli.Run second = run(client, "pipeline", "run", "--wait", "credit-g");
            Cli.Run failed = run(client, "pipeline", "run", "--wait", failing.toString());
            Cli.Run paused = run(client, "pipeline", "schedule", "pause", "credit-g");
            Cli.Run schedule = run(client, "pipeline", "schedule", "show", "credit-g");
            Cli.Run resumed = run(client, "pipeline", "schedule", "resume", "credit-g");
            Cli.Run listed = run(client, "pipeline", "list");
            Cli.Run history = run(client, "pipeline", "history", "credit-g");
            Cli.Run datasets = run(client, "dataset", "list");
            Cli.Run shown = run(client, "dataset", "show", "credit-g-features");
            Cli.Run profile = run(client, "dataset", "profile", "credit-g-features", "--version", "1");
            Cli.Run diff = run(client, "dataset", "diff", "credit-g-features");

            assertThat(valid.code()).as(valid.err()).isZero();
            assertThat(valid.out()).contains("valid");
            assertThat(invalid.code()).isEqualTo(1);
            assertThat(invalid.out()).contains("sources[0].path: missing").contains("outputs: missing");
            assertThat(local.out()).isEqualTo(invalid.out());
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out()).contains("SUCCEEDED: 1000 in, 1000 out, 0 quarantined, 0 merged, 0 filtered")
                    .contains("published credit-g-features@1");
            assertThat(first.out()).contains("RUNNING, attempt 1");
            // The same data again: the same snapshot, so no new version.
            assertThat(second.code()).as(second.err()).isZero();
            assertThat(second.out()).contains("unchanged credit-g-features@1").doesNotContain("published");
            assertThat(failed.code()).isEqualTo(1);
            assertThat(failed.out()).contains("FAILED").contains("row count outside [100000,");
            assertThat(paused.out()).contains("schedule [\"0 2 * * *\"]: paused");
            assertThat(schedule.out()).contains("paused");
            assertThat(resumed.out()).contains("active");
            assertThat(listed.out()).contains("credit-g").contains("PROJECT").contains("default");
            assertThat(history.out()).contains("SUCCEEDED", "CLI").hasLineCount(3);
            assertThat(datasets.out()).contains("credit-g-features", "1000");
            assertThat(shown.out()).contains("credit-g-features@1: 1000 rows").contains("in project default").contains("source applications");
            assertThat(profile.out()).contains("credit_amount", "double", "250", "18424");
            // One version only: the diff compares it with itself and has nothing to report.
            assertThat(diff.out()).contains("v1 -> v1: rows 1000 -> 1000").doesNotContain("column duration");
            Cli.Run background = run(client, "pipeline", "run", "credit-g");
            assertThat(background.code()).as(background.err()).isZero();
            assertThat(background.out()).contains("RUNNING").contains("keel pipeline history credit-g");
        } finally {
            started.server().close();
        }
    }
}
