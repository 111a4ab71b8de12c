package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.testing.TestModels;
import dev.keel.server.Keel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel score …} against a real server: the demo pipeline's features scored by the credit-g logistic regression in ONNX Runtime
 * into a table of Keel's store, followed with {@code --wait}; then the same job on a corrupted artifact fails with a non-zero exit.
 */
class ScoringCommandsTest {
    private static final Path PIPELINE = Path.of("..", "examples", "pipelines", "credit-g.yaml");

    @TempDir
    Path directory;

    @Test
    void scoreCommands_applyRunFollowAndInspectAJob_andAFailedRunExitsNonZero() throws Exception {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1",
                "KEEL_PIPELINES_BASE_DIRECTORY", Path.of("..").toAbsolutePath().normalize().toString(),
                "KEEL_PIPELINES_SCHEDULER", "false"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String[] client = {"--url", "http://127.0.0.1:" + started.server().port(), "--token", started.adminSecret().orElseThrow()};
            assertThat(run(client, "pipeline", "run", "--wait", PIPELINE.toString()).code()).isZero();
            Keel keel = started.server().keel();
            keel.registry().createModel("default", "credit", "credit-g", PromotionGate.open(), "test");
            ModelVersion version = keel.registry().registerVersion("credit", TestModels.creditGOnnx(), new NewVersion("onnx",
                    CreditFeatures.FEATURES.stream().map(FeatureSpec::number).toList(), Map.of(), Map.of(), null, ""), "test");
            Path spec = Files.writeString(directory.resolve("nightly.yaml"), """
                    name: nightly
                    model: {name: credit, version: 1}
                    input: {dataset: credit-g-features}
                    outputs: {probabilities: true, classes: [bad, good], label: true}
                    destination: {kind: sqlite, connection: keel, table: credit_scores}
                    chunk_size: 100
                    """);

            Cli.Run applied = run(client, "score", "apply", spec.toString());
            Cli.Run unchanged = run(client, "score", "apply", spec.toString());
            Cli.Run jobs = run(client, "score", "jobs");
            Cli.Run scored = run(client, "score", "run", "nightly", "--run-id", "nightly-1", "--wait", "--progress-seconds", "0");
            Cli.Run listed = run(client, "score", "list", "nightly");
            Cli.Run shown = run(client, "score", "show", "nightly-1");
            Cli.Run again = run(client, "score", "run", "nightly", "--run-id", "nightly-1");
            Cli.Run cancelled = run(client, "score", "cancel", "nightly-1");
            Cli.Run missing = run(client, "score", "show", "nope");

            assertThat(applied.code()).as(applied.err()).isZero();
            assertThat(applied.out()).contains("scoring job nightly version 1").contains("credit:1");
            assertThat(unchanged.out()).contains("(unchanged)");
            assertThat(jobs.out()).contains("NAME").contains("nightly").contains("credit-g-features");
            assertThat(scored.code()).as(scored.err()).isZero();
            assertThat(scored.err()).contains("rows").contains("SUCCEEDED");
            assertThat(scored.out()).contains("scoring run nightly-1 of job nightly: SUCCEEDED").contains("written");
            long rows = keel.database().queryOne("SELECT COUNT(*) FROM credit_scores", row -> row.getLong(1)).orElseThrow();
            assertThat(rows).isGreaterThan(500);
            assertThat(scored.out()).contains(rows + " written");
            assertThat(listed.out()).contains("nightly-1").contains("SUCCEEDED").contains("credit:1");
            assertThat(shown.out()).contains("trigger:  manual").contains("attempt 1");
            assertThat(again.out()).contains("nightly-1").contains("SUCCEEDED");
            assertThat(cancelled.out()).contains("nightly-1: SUCCEEDED");
            assertThat(missing.code()).isNotZero();
            assertThat(missing.err()).contains("does not exist");

            corrupt(config.artifacts().directory(), version.artifact().sha256());
            Cli.Run failed = run(client, "score", "run", "nightly", "--wait", "--progress-seconds", "0");
            assertThat(failed.code()).as(failed.out()).isEqualTo(1);
            assertThat(failed.out()).contains("FAILED");
        } finally {
            started.server().close();
        }
    }

    /** Overwrites the stored artifact with other bytes, so that it fails its integrity check when it is loaded. */
    private static void corrupt(Path artifacts, String sha256) throws IOException {
        try (Stream<Path> files = Files.walk(artifacts)) {
            Path file = files.filter(Files::isRegularFile).filter(path -> path.getFileName().toString().startsWith(sha256)).findFirst().orElseThrow();
            Files.write(file, new byte[] {1, 2, 3});
        }
    }
}
