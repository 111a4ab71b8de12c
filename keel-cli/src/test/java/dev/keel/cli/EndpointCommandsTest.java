package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import java.io.PrintStream;
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

            Cli.Run created = run(client, "endpoint", "create", "credit-risk", "--model", "credit", "--alias", "1", "--max-concurrency", "4",
                    "--fallback", "default-response", "--default-response", "{\"label\": 0, \"probabilities\": [1, 0]}");
            Cli.Run listed = run(client, "endpoint", "list");
            Cli.Run predicted = run(client, "endpoint", "predict", "credit-risk", "--data", "{\"instances\": [{\"features\": [" + zeros + "]}]}");
            Cli.Run invalid = run(client, "endpoint", "predict", "credit-risk", "--data", "{\"instances\": [{\"features\": [1, 2]}]}");
            Cli.Run logged = run(client, "model", "predictions", "credit", "--limit", "5");
            for (int attempt = 0; attempt < 200 && !logged.out().contains("credit-risk"); attempt++) {
                Thread.sleep(50);
                logged = run(client, "model", "predictions", "credit", "--limit", "5");
            }
            Cli.Run rateBefore = run(client, "monitor", "log-rate", "credit-risk");
            Cli.Run rateSet = run(client, "monitor", "log-rate", "credit-risk", "0.25");
            Cli.Run rateRefused = run(client, "monitor", "log-rate", "credit-risk", "2");
            Cli.Run deleted = run(client, "endpoint", "delete", "credit-risk");
            Cli.Run missing = run(client, "endpoint", "show", "credit-risk");

            assertThat(created.code()).as(created.err()).isZero();
            assertThat(created.out()).contains("endpoint credit-risk serves credit@1");
            assertThat(listed.out()).contains("credit-risk", "credit@1");
            assertThat(predicted.code()).isZero();
            assertThat(predicted.out()).contains("\"version\" : 1", "\"probabilities\"");
            assertThat(logged.code()).as(logged.err()).isZero();
            assertThat(logged.out()).contains("REQUEST", "INPUTS", "credit-risk", "\"probabilities\"");
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
}
