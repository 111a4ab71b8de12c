package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RowAccounting;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.Trigger;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run killed with SIGKILL while it writes its snapshot leaves no dataset version, and the next run starts clean. */
class CrashRecoveryTest {
    private static final String SPEC = """
            pipeline: big
            sources: [{name: raw, type: csv, path: big.csv}]
            steps:
              - {name: unique_rows, type: dedupe, input: raw, keys: [id]}
            outputs: [{dataset: big, from: unique_rows}]
            """;

    @TempDir
    Path directory;

    @Test
    void killDuringRun_leavesNoHalfWrittenVersion_andNextRunStartsClean() throws Exception {
        Path base = Files.createDirectories(directory.resolve("base"));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duck.createStatement()) {
            statement.execute("COPY (SELECT range AS id, 'item ' || (range % 100000) AS name, hash(range) % 1000 AS amount,"
                    + " repeat('x', 40) AS padding FROM range(1500000)) TO '" + base.resolve("big.csv") + "' (HEADER)");
        }
        Path spec = Files.writeString(directory.resolve("big.yaml"), SPEC);
        Path staging = directory.resolve("data").resolve("staging");
        Path snapshots = directory.resolve("data").resolve("snapshots");

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), directory.toString(), spec.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (files(staging).stream().noneMatch(file -> file.toString().endsWith(".parquet"))) {
                assertThat(child.isAlive()).as("child finished before the snapshot was staged: " + log()).isTrue();
                assertThat(System.nanoTime()).as("snapshot never staged").isLessThan(deadline);
                Thread.sleep(5);
            }
            // SIGKILL: no shutdown hooks, no finally blocks, no flush.
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).isEqualTo(137);
        assertThat(files(staging)).as("the killed run left its staging files").isNotEmpty();
        for (Path file : files(snapshots)) {
            String name = file.getFileName().toString();
            assertThat(dev.keel.core.data.SnapshotStoreHashes.sha256(file) + ".parquet").as("published files are whole").isEqualTo(name);
        }

        PipelineHarness restarted = new PipelineHarness(directory, java.util.Map.of(), true);
        PipelineRun killed = restarted.service.history("big", 10).get(0);
        assertThat(killed.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(restarted.service.datasets()).as("no dataset version was recorded").isEmpty();

        assertThat(restarted.service.recover()).isEqualTo(1);

        assertThat(restarted.service.runById(killed.id()).status()).isEqualTo(RunStatus.ABANDONED);
        assertThat(files(staging)).isEmpty();
        assertThat(files(snapshots)).isEmpty();
        assertThat(restarted.service.register(SPEC).version()).as("the spec version survived the crash").isEqualTo(1);
        PipelineRun run = restarted.service.run("big", Trigger.CLI);

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.accounting()).isEqualTo(new RowAccounting(1_500_000, 1_500_000, 0, 0, 0));
        try (var snapshot = restarted.service.openSnapshot("big", 1)) {
            assertThat(snapshot.path()).exists();
        }
        assertThat(files(staging)).isEmpty();
        assertThat(files(snapshots)).hasSize(1);
        assertThat(restarted.service.history("big", 10)).extracting(PipelineRun::status)
                .containsExactly(RunStatus.SUCCEEDED, RunStatus.ABANDONED);
    }

    private String log() {
        try {
            return Files.readString(directory.resolve("child.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<Path> files(Path root) {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(file -> !file.toString().contains(File.separator + "spill"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
