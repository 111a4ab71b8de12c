package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.core.monitor.GroundTruth;
import dev.keel.core.monitor.LabelStore;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/**
 * Labels and prediction-log counters belong to the project of the prediction: a token of project b neither labels project a's
 * predictions nor replaces their labels, and sees only its own projects' counters.
 */
@OnEachStore
class LabelScopingTest {
    @Parameter
    StoreKind kind;

    private TestingServer server;
    private String scientistA;
    private String scientistB;
    private String adminB;
    private String viewerA;

    @BeforeEach
    void start() {
        server = TestingServer.start(kind);
        server.keel().projects().create("a", "project a", "test");
        server.keel().projects().create("b", "project b", "test");
        scientistA = server.token("scientist-a", Map.of("a", Role.SCIENTIST));
        scientistB = server.token("scientist-b", Map.of("b", Role.SCIENTIST));
        adminB = server.token("admin-b", Map.of("b", Role.ADMIN));
        viewerA = server.token("viewer-a", Map.of("a", Role.VIEWER));
        for (String project : List.of("a", "b")) {
            TestingServer.Response model = server.postJson("/v1/models", server.adminToken(),
                    "{\"name\": \"model-" + project + "\", \"project\": \"" + project + "\"}");
            assertThat(model.status()).as(model.toString()).isEqualTo(201);
            TestingServer.Response version = server.upload("model-" + project, TestModels.creditGOnnx(), "{\"metrics\": {\"auc\": 0.7}}");
            assertThat(version.status()).as(version.toString()).isEqualTo(201);
            TestingServer.Response logged = server.postJson("/v1/predictions/log", server.adminToken(), Json.write(Map.of("records", List.of(
                    prediction("req-" + project + "-1", "model-" + project), prediction("req-" + project + "-2", "model-" + project)))));
            assertThat(logged.status()).as(logged.toString()).isEqualTo(200);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Map<String, Object> prediction(String requestId, String model) {
        return Map.of("requestId", requestId, "model", model, "version", 1, "time", "2026-12-04T10:00:00Z",
                "inputs", Map.of("x", 1.0), "outputs", Map.of("label", "good"));
    }

    private TestingServer.Response label(String token, String query, String... requestIdAndLabel) {
        List<Map<String, Object>> labels = new java.util.ArrayList<>();
        for (int i = 0; i < requestIdAndLabel.length; i += 2) {
            labels.add(Map.of("requestId", requestIdAndLabel[i], "label", requestIdAndLabel[i + 1]));
        }
        return server.postJson("/v1/labels" + query, token, Json.write(labels));
    }

    private LabelStore labels() {
        return server.keel().monitoring().labels();
    }

    @Test
    void aTokenOfAnotherProject_cannotLabelItsPredictions_andTheWholeBatchIsRefused() {
        for (String token : List.of(scientistB, adminB)) {
            TestingServer.Response foreign = label(token, "", "req-a-1", "bad");
            TestingServer.Response mixed = label(token, "", "req-b-1", "bad", "req-a-2", "bad");
            TestingServer.Response claimed = label(token, "?project=b", "req-a-1", "bad");

            for (TestingServer.Response refused : List.of(foreign, mixed, claimed)) {
                assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
                assertThat(refused.json().get("detail").asText()).matches("token '(scientist|admin)-b' lacks permission LABEL_WRITE in project 'a'");
            }
        }
        assertThat(labels().count()).as("nothing of a refused batch is stored").isZero();
    }

    @Test
    void aTokenOfAnotherProject_cannotReplaceAnExistingLabel() {
        assertThat(label(scientistA, "", "req-a-1", "good").json().get("recorded").asInt()).isEqualTo(1);

        TestingServer.Response overwrite = label(scientistB, "", "req-a-1", "bad");

        assertThat(overwrite.status()).as(overwrite.toString()).isEqualTo(403);
        assertThat(labels().find("a", "req-a-1")).map(GroundTruth::label).contains(Optional.of("good"));
        assertThat(labels().count()).isEqualTo(1);
    }

    @Test
    void aLabelOfTheTokensOwnProject_isRecordedInThatProject() {
        TestingServer.Response own = label(scientistB, "", "req-b-1", "bad", "req-b-2", "good");

        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().get("recorded").asInt()).isEqualTo(2);
        assertThat(labels().find("b", "req-b-1")).map(GroundTruth::label).contains(Optional.of("bad"));
        assertThat(labels().find("a", "req-b-1")).isEmpty();
    }

    @Test
    void aLabelForAPredictionNotLoggedYet_staysInTheTokensProject_andNeverReachesAnotherProjectsMonitors() {
        TestingServer.Response early = label(scientistB, "", "req-a-later", "bad");
        server.postJson("/v1/predictions/log", server.adminToken(), Json.write(Map.of("records", List.of(
                prediction("req-a-later", "model-a")))));
        TestingServer.Response late = label(scientistB, "", "req-a-later", "bad");

        assertThat(early.status()).as(early.toString()).isEqualTo(200);
        assertThat(labels().find("b", "req-a-later")).isPresent();
        assertThat(labels().lookup("a", List.of("req-a-later"))).as("a's monitors join only a's labels").isEmpty();
        assertThat(late.status()).as("once logged, the prediction's project decides").isEqualTo(403);
        assertThat(label(viewerA, "?project=a", "req-a-new", "bad").status()).as("a viewer holds no LABEL_WRITE").isEqualTo(403);
    }

    @Test
    void logStats_showOnlyTheEndpointsOfProjectsTheTokenMayRead() {
        JsonNode ofA = server.get("/v1/predictions/log/stats", viewerA).json();
        JsonNode ofB = server.get("/v1/predictions/log/stats", scientistB).json();
        JsonNode all = server.get("/v1/predictions/log/stats", server.adminToken()).json();
        JsonNode askedA = server.get("/v1/predictions/log/stats?project=a", server.adminToken()).json();
        TestingServer.Response foreign = server.get("/v1/predictions/log/stats?project=a", scientistB);

        assertThat(ofA.get("endpoints").properties()).extracting(Map.Entry::getKey).containsExactly("model-a");
        assertThat(ofA.get("written").asLong()).isEqualTo(2);
        assertThat(ofB.get("endpoints").properties()).extracting(Map.Entry::getKey).containsExactly("model-b");
        assertThat(ofB.get("written").asLong()).isEqualTo(2);
        assertThat(all.get("endpoints").properties()).extracting(Map.Entry::getKey).containsExactly("model-a", "model-b");
        assertThat(all.get("written").asLong()).isEqualTo(4);
        assertThat(askedA.get("written").asLong()).isEqualTo(2);
        assertThat(foreign.status()).as(foreign.toString()).isEqualTo(403);
        assertThat(foreign.json().get("detail").asText()).isEqualTo("token 'scientist-b' lacks permission MONITOR_READ in project 'a'");
    }
}
