package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * POST /v1/labels checks every label against the prediction it labels before storing any: a bad item refuses the batch with
 * 400 naming each bad item; labels for request ids with no logged prediction are stored and reported as unmatched.
 */
@OnEachStore
class LabelValidationTest {
    @Parameter
    StoreKind kind;

    private TestingServer server;

    @BeforeEach
    void start() {
        server = TestingServer.start(kind);
        TestingServer.Response model = server.postJson("/v1/models", server.adminToken(), "{\"name\": \"credit\"}");
        assertThat(model.status()).as(model.toString()).isEqualTo(201);
        TestingServer.Response version = server.upload("credit", TestModels.creditGOnnx(),
                "{\"metrics\": {\"auc\": 0.7}, \"tags\": {\"labels\": \"good,bad\"}}");
        assertThat(version.status()).as(version.toString()).isEqualTo(201);
        TestingServer.Response logged = server.postJson("/v1/predictions/log", server.adminToken(), Json.write(Map.of("records", List.of(
                prediction("req-1"), prediction("req-2")))));
        assertThat(logged.status()).as(logged.toString()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Map<String, Object> prediction(String requestId) {
        return Map.of("requestId", requestId, "model", "credit", "version", 1, "time", "2026-12-04T10:00:00Z",
                "inputs", Map.of("x", 1.0), "outputs", Map.of("label", "good"));
    }

    private TestingServer.Response post(String body) {
        return server.postJson("/v1/labels", server.adminToken(), body);
    }

    private long stored() {
        return server.keel().monitoring().labels().count();
    }

    @Test
    void aLabelThatIsNotOneOfTheClassifiersClasses_isRefusedNamingTheClasses() {
        TestingServer.Response answer = post("[{\"requestId\": \"req-1\", \"label\": 1}]");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.json().get("detail").asText()).contains("req-1").contains("'1'").contains("[good, bad]");
        assertThat(stored()).isZero();
    }

    @Test
    void aValueForAClassifier_isRefused() {
        TestingServer.Response answer = post("[{\"requestId\": \"req-1\", \"value\": 1.0}]");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.json().get("detail").asText()).contains("classifier credit:1").contains("expected 'label', not 'value'");
        assertThat(stored()).isZero();
    }

    @Test
    void labelAndValueTogether_areRefused() {
        TestingServer.Response answer = post("[{\"requestId\": \"req-unknown\", \"label\": \"bad\", \"value\": 1.0}]");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.json().get("detail").asText()).contains("both 'label' and 'value'");
        assertThat(stored()).isZero();
    }

    @Test
    void oneBadItem_refusesTheWholeBatch_andNamesEveryBadItem() {
        TestingServer.Response answer = post("[{\"requestId\": \"req-1\", \"label\": \"bad\"}, {\"requestId\": \"req-2\", \"label\": \"maybe\"},"
                + " {\"requestId\": \"req-2\", \"value\": 3}]");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.json().get("detail").asText()).startsWith("2 of 3 labels are invalid");
        assertThat(answer.toString()).contains("[1].label").contains("[2].value");
        assertThat(stored()).isZero();
    }

    @Test
    void labelsForUnknownRequestIds_areStoredAndReportedAsUnmatched() {
        TestingServer.Response answer = post("[{\"requestId\": \"req-1\", \"label\": \"bad\"}, {\"requestId\": \"req-later\", \"label\": \"good\"}]");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode json = answer.json();
        assertThat(json.get("recorded").asInt()).isEqualTo(2);
        assertThat(json.get("unmatched").asInt()).isEqualTo(1);
        assertThat(json.get("unmatchedRequestIds").get(0).asText()).isEqualTo("req-later");
        assertThat(stored()).isEqualTo(2);
    }
}
