package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path dataDir;

    @Test
    void demoOnce_runsEveryStepOnRealDataAndExitsZero() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = Main.run("demo", "--once", "--port", "0", "--data-dir", dataDir.toString());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.println(output);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("All demo steps succeeded")
                .contains("refused by the gate (HTTP 422)")
                .contains("champion: 3 -> 1 (rollback)")
                .contains("chain intact")
                .contains("[security 4] Sensitive columns").contains("    scientist: [\"h:").contains("\"***\",null")
                .contains("feature age: steward ").contains(", scientist \"***\"")
                .contains("[monitor 4]").contains("state breached").contains(MonitorDemo.MONITOR)
                .contains("dataset drift:")
                .contains("labelled predictions, state ok")
                .contains("ok: dataset:credit-g-features@1, 1000 rows")
                .contains("rolled credit-risk:champion back from version 5 to version 1  [succeeded]")
                .contains("no request failed")
                .contains("signatures verified: true")
                .contains("alert held: ")
                .contains("escalated (reopened)")
                .contains("likely upstream: file ");
    }

    @Test
    void version_needsNoServer() {
        assertThat(Main.run("version")).isZero();
    }

    @Test
    void clientCommand_withoutServer_failsWithAClearMessage() {
        assertThat(Main.run("model", "list", "--url", "http://127.0.0.1:9", "--token", "x")).isEqualTo(1);
    }
}
