package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keel.core.alert.WebhookSignature;
import dev.keel.core.config.KeelConfig;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertCommandsTest {
    @TempDir
    Path directory;

    @Test
    void channelAddTestList_andSilenceAddListExpire_workAgainstARealServerAndReceiver() throws Exception {
        Path secretFile = directory.resolve("hook-secret");
        Files.writeString(secretFile, "cli-secret-77\n");
        List<Boolean> verified = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            verified.add(WebhookSignature.verify("cli-secret-77", exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER),
                    body, exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("data").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1",
                "KEEL_ALERTS_HTTP_ALLOW_PRIVATE", "true"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            String token = started.adminSecret().orElseThrow();
            new KeelClient(url, Optional.of(token)).post("/v1/projects", Map.of("name", "fraud"));
            String[] client = {"--url", url, "--token", token};
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

            Cli.Run added = run(client, "alert", "channel", "add", "ops-hook", "--project", "fraud", "--webhook", hook,
                    "--secret", "file:" + secretFile);
            Cli.Run listed = run(client, "alert", "channel", "list", "--project", "fraud");
            Cli.Run tested = run(client, "alert", "channel", "test", "ops-hook");
            Cli.Run deliveries = run(client, "alert", "channel", "deliveries", "ops-hook");
            Cli.Run silenced = run(client, "silence", "add", "--project", "fraud", "endpoint=churn", "--duration", "1h", "--comment", "deploy");
            String id = silenced.out().split(" ")[1];
            Cli.Run silences = run(client, "silence", "list", "--project", "fraud");
            Cli.Run expired = run(client, "silence", "expire", id);

            assertThat(added.code()).as(added.err()).isZero();
            assertThat(added.out()).contains("webhook channel ops-hook added to project fraud");
            assertThat(listed.out()).contains("ops-hook", "webhook").doesNotContain("cli-secret-77");
            assertThat(tested.code()).as(tested.err() + tested.out()).isZero();
            assertThat(tested.out()).contains("SENT", "204", "delivered");
            assertThat(verified).containsExactly(true);
            assertThat(deliveries.out()).contains("SENT");
            assertThat(silenced.code()).as(silenced.err()).isZero();
            assertThat(silences.out()).contains(id, "deploy");
            assertThat(expired.code()).as(expired.err()).isZero();
            assertThat(expired.out()).startsWith("silence " + id + " ended at ");
        } finally {
            started.server().close();
            receiver.stop(0);
        }
    }
}
