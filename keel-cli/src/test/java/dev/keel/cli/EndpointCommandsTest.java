package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointCommandsTest {
    @TempDir
    Path directory;

    @Test
    void endpointCommands_createListPredictAndDeleteThroughTheApi() throws Exception {
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            KeelClient api = new KeelClient(url, Optional.of(token));
            api.post("/v1/models", Map.of("name", "credit", "project", "default"));
            byte[] artifact = Files.readAllBytes(Path.of("..", "build", "fixtures", "models", "credit_rf.onnx"));
            api.upload("/v1/models/credit/versions", artifact, Map.of("format", "onnx"));
            String[] client = {"--url", url, "--token", token};
            String zeros = String.join(",", Collections.nCopies(63, "0"));

            Run created = run(client, "endpoint", "create", "credit-risk", "--model", "credit", "--alias", "1", "--max-concurrency", "4",
                    "--fallback", "default-response", "--default-response", "{\"label\": 0}");
            Run listed = run(client, "endpoint", "list");
            Run predicted = run(client, "endpoint", "predict", "credit-risk", "--data", "{\"instances\": [{\"features\": [" + zeros + "]}]}");
            Run invalid = run(client, "endpoint", "predict", "credit-risk", "--data", "{\"instances\": [{\"features\": [1, 2]}]}");
            Run rateBefore = run(client, "monitor", "log-rate", "credit-risk");
            Run rateSet = run(client, "monitor", "log-rate", "credit-risk", "0.25");
            Run rateRefused = run(client, "monitor", "log-rate", "credit-risk", "2");
            Run deleted = run(client, "endpoint", "delete", "credit-risk");
            Run missing = run(client, "endpoint", "show", "credit-risk");

            assertThat(created.code()).as(created.err()).isZero();
            assertThat(created.out()).contains("endpoint credit-risk serves credit@1");
            assertThat(listed.out()).contains("credit-risk", "credit@1");
            assertThat(predicted.code()).isZero();
            assertThat(predicted.out()).contains("\"version\" : 1", "\"probabilities\"");
            assertThat(invalid.code()).isEqualTo(1);
            assertThat(invalid.err()).contains("instances[0].features", "422");
            assertThat(rateBefore.out()).contains("credit-risk", "1.0");
            assertThat(rateSet.code()).as(rateSet.err()).isZero();
            assertThat(rateSet.out()).contains("credit-risk", "0.25");
            assertThat(rateRefused.code()).isEqualTo(1);
            assertThat(rateRefused.err()).contains("sampleRate", "expected a number from 0 to 1");
            assertThat(deleted.code()).isZero();
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("does not exist");
        } finally {
            started.server().close();
        }
    }

    record Run(int code, String out, String err) {
    }

    private static Run run(String[] client, String... arguments) {
        String[] all = new String[arguments.length + client.length];
        System.arraycopy(arguments, 0, all, 0, arguments.length);
        System.arraycopy(client, 0, all, arguments.length, client.length);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = Main.run(all);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
