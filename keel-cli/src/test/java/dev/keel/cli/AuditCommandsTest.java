package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandsTest {
    @TempDir
    Path directory;

    @Test
    void auditVerify_printsWhatWasChecked_andExitsNonZeroOnceAnEntryIsEdited() {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            KeelClient api = new KeelClient(url, Optional.of(token));
            api.post("/v1/projects", Map.of("name", "audited"));
            api.post("/v1/models", Map.of("name", "credit", "project", "audited"));
            started.server().keel().audit().checkpoint();
            api.post("/v1/models", Map.of("name", "later", "project", "audited"));
            String[] client = {"--url", url, "--token", token};

            Cli.Run listed = run(client, "audit", "list", "--project", "audited");
            Cli.Run intact = run(client, "audit", "verify");
            Cli.Run intactJson = run(client, "audit", "verify", "-o", "json");
            started.server().keel().database().update("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
            Cli.Run broken = run(client, "audit", "verify");

            assertThat(listed.code()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("model.create", "attempt", "success");
            assertThat(intact.code()).as(intact.err()).isZero();
            assertThat(intact.out()).startsWith("intact: 6 entries (seq 1-6), chain intact")
                    .contains("entries walked:   6 (seq 1 to 6)", "audit key id:     " + started.server().keel().audit().keyId(),
                            "checkpoints:      2 checked; latest at seq 4", "not yet covered:  2 entries after the latest checkpoint");
            assertThat(intactJson.code()).isZero();
            assertThat(intactJson.out()).contains("\"finding\" : \"INTACT\"");
            assertThat(broken.code()).isEqualTo(1);
            assertThat(broken.out()).startsWith("NOT INTACT (TAMPERED): entry 3 was altered").contains("first broken seq: 3");
        } finally {
            started.server().close();
        }
    }
}
