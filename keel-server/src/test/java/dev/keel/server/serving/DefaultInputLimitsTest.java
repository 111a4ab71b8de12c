package dev.keel.server.serving;

import static dev.keel.server.serving.ServingServer.expect;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The body found by outside testing, against the default limits: 20 MB of ten million rows is a 413, not a server out of memory. */
class DefaultInputLimitsTest {
    @TempDir
    Path directory;

    @Test
    void tenMillionRowsInColumns_is413WithTheDefaultLimits() {
        try (ServingServer server = ServingServer.start(directory)) {
            server.registerCredit("credit");
            server.promote("credit", "champion", 1);
            expect(server.post("/v1/endpoints", Map.of("name", "credit-risk", "model", "credit")), 201);
            int rows = 10_000_000;
            StringBuilder body = new StringBuilder(2 * rows + 40).append("{\"columns\":{\"duration\":[1");
            for (int i = 1; i < rows; i++) {
                body.append(",1");
            }
            body.append("]}}");

            ServingServer.Response response = server.send("POST", "/v1/endpoints/credit-risk/predict", "application/json",
                    body.toString().getBytes(StandardCharsets.UTF_8));

            assertThat(response.status()).as(response.raw().body()).isEqualTo(413);
            assertThat(response.body().path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
            assertThat(response.body().path("detail").asText()).contains("serving.max-tensor-elements");
            assertThat(response.raw().body().length()).isLessThan(4096);
        }
    }
}
