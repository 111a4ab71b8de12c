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

class AdminCommandsTest {
    @TempDir
    Path directory;

    @Test
    void adminRewrap_printsCountsPerStore_andIsRefusedWhenEncryptionIsOff() throws Exception {
        Path key = Files.writeString(directory.resolve("k1.key"), "ab".repeat(32));
        Map<String, String> environment = Map.of("KEEL_DATA_DIR", directory.resolve("on").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1");
        KeelConfig encrypted = KeelConfig.parse("security:\n  encryption:\n    active: k1\n    keys:\n      - {id: k1, file: '" + key + "'}\n",
                environment);
        ServerCommand.Started started = ServerCommand.start(encrypted, new PrintStream(PrintStream.nullOutputStream()));
        Cli.Run rewrap;
        try {
            rewrap = run(new String[] {"--url", "http://127.0.0.1:" + started.server().port(), "--token", started.adminSecret().orElseThrow()},
                    "admin", "rewrap");
        } finally {
            started.server().close();
        }
        KeelConfig plain = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("off").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        ServerCommand.Started off = ServerCommand.start(plain, new PrintStream(PrintStream.nullOutputStream()));
        Cli.Run refused;
        try {
            refused = run(new String[] {"--url", "http://127.0.0.1:" + off.server().port(), "--token", off.adminSecret().orElseThrow()},
                    "admin", "rewrap");
        } finally {
            off.server().close();
        }

        assertThat(rewrap.code()).as(rewrap.err()).isZero();
        assertThat(rewrap.out()).contains("active key: k1").contains("artifacts:     re-wrapped 0, already current 0, plaintext 0, failed 0")
                .contains("snapshots:").contains("alertChannels:").contains("total:");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("encryption at rest is off");
    }
}
