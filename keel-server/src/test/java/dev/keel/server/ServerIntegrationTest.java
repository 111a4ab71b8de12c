package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.Permission;
import dev.keel.core.security.Principal;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;

/** A real server on each store: authentication, the route-table x role matrix, real ONNX uploads, audit, metrics, OpenAPI. */
@OnEachStore
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerIntegrationTest {
    private static final String CREDIT_METADATA = "{\"metrics\": {\"auc\": 0.69, \"accuracy\": 0.70}, \"tags\": {\"data\": \"credit-g\"}, "
            + "\"lineage\": {\"codeVersion\": \"test\", \"parameters\": {\"epochs\": \"5\"}}, \"description\": \"logistic regression\"}";

    @Parameter
    StoreKind kind;

    private TestingServer server;

    /** One server per store, started before the first test of the class's invocation for that store. */
    @BeforeEach
    void start() {
        if (server != null && server.kind() == kind) {
            return;
        }
        stop();
        server = TestingServer.start(kind);
        assertThat(server.createModel("matrix").status()).isEqualTo(201);
        assertThat(server.upload("matrix", TestModels.creditGOnnx(), CREDIT_METADATA).status()).isEqualTo(201);
        assertThat(server.postJson("/v1/models/matrix/aliases/champion", server.adminToken(), "{\"version\": 1, \"reason\": \"first\"}")
                .status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void healthRoutes_areOpen() {
        TestingServer.Response live = server.get("/health/live", null);
        TestingServer.Response ready = server.get("/health/ready", null);

        assertThat(live.status()).isEqualTo(200);
        assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
        assertThat(ready.json().get("checks").get("store").asText()).isEqualTo("up");
    }

    @Test
    void everyOtherRoute_needsAToken() {
        List<ApiRoute> protectedRoutes = server.server().api().routes().stream().filter(route -> !route.isPublic()).toList();
        assertThat(protectedRoutes).isNotEmpty();
        for (ApiRoute route : protectedRoutes) {
            TestingServer.Response response = server.send(route.method(), concrete(route.path(), "tk_000000000000"), null,
                    body(route), "application/json", Map.of());

            assertThat(response.status()).as(route.method() + " " + route.path() + " -> " + response).isEqualTo(401);
            assertProblem(route, response, "UNAUTHENTICATED");
            assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        }
    }

    @Test
    void routeTable_timesRoles_forbidsExactlyWhatTheRoleLacks() {
        List<String> mismatches = new ArrayList<>();
        int calls = 0;
        for (String scope : List.of("default", Principal.ALL_PROJECTS)) {
            for (Role role : Role.values()) {
                String token = server.token(role.wireName() + "-" + (scope.equals("*") ? "all" : scope), Map.of(scope, role));
                for (ApiRoute route : server.server().api().routes()) {
                    if (route.isPublic()) {
                        continue;
                    }
                    Permission permission = route.permission().orElseThrow();
                    boolean allowed = role.grants(permission) && (scope.equals("*") || permission.projectScoped());
                    String victim = server.created("victim-" + calls, Map.of("default", Role.VIEWER)).token().id();
                    TestingServer.Response response = server.send(route.method(), concrete(route.path(), victim), token, body(route),
                            "application/json", Map.of());
                    calls++;
                    boolean denied = response.status() == 403;
                    if (allowed == denied || response.status() == 401 || response.status() >= 500) {
                        mismatches.add(role + " on " + scope + ": " + route.method() + " " + route.path() + " needs " + permission
                                + (allowed ? " (granted)" : " (not granted)") + " -> " + response);
                    }
                    if (denied) {
                        assertProblem(route, response, "FORBIDDEN");
                    }
                }
            }
        }

        assertThat(calls).isGreaterThan(20);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void realOnnxUpload_readsTheSignatureAndServesTheVerifiedArtifact() throws Exception {
        assertThat(server.createModel("credit").status()).isEqualTo(201);

        TestingServer.Response created = server.upload("credit", TestModels.creditGOnnx(), CREDIT_METADATA);
        TestingServer.Response artifact = server.get("/v1/models/credit/versions/1/artifact", server.adminToken());

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode version = created.json();
        assertThat(version.get("version").asInt()).isEqualTo(1);
        assertThat(version.get("artifact").get("sha256").asText()).isEqualTo(TestModels.CREDIT_G_ONNX_SHA256);
        JsonNode input = version.get("signature").get("inputs").get(0);
        assertThat(input.get("type").asText()).isEqualTo("FP32");
        assertThat(StreamSupport.stream(input.get("shape").spliterator(), false).map(JsonNode::asLong).toList()).containsExactly(-1L, 11L);
        assertThat(artifact.status()).isEqualTo(200);
        assertThat(artifact.bytes()).isEqualTo(TestModels.creditGOnnx());
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(artifact.bytes())))
                .isEqualTo(TestModels.CREDIT_G_ONNX_SHA256);
        assertThat(artifact.headers().firstValue("Digest")).contains("sha-256=" + TestModels.CREDIT_G_ONNX_SHA256);
    }

    @Test
    void realOnnxUpload_withAFeatureSchemaOfTheWrongWidth_isUnprocessable() {
        server.createModel("narrow");

        TestingServer.Response response = server.upload("narrow", TestModels.creditGOnnx(),
                "{\"features\": [{\"name\": \"age\", \"type\": \"number\"}]}");

        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        assertProblem(response, "INVALID_MODEL");
        assertThat(response.json().get("detail").asText()).contains("1 features").contains("11 columns");
    }

    @Test
    void gate_refusesPromotionOverHttp_namingThresholdAndShortfall() {
        server.createModel("gated", "auc >= 0.75");
        server.upload("gated", TestModels.creditGOnnx(), CREDIT_METADATA);

        TestingServer.Response response = server.postJson("/v1/models/gated/aliases/champion", server.adminToken(),
                "{\"version\": 1, \"reason\": \"try\"}");

        assertThat(response.status()).isEqualTo(422);
        assertProblem(response, "GATE_FAILED");
        assertThat(response.json().get("detail").asText()).contains("auc >= 0.75").contains("0.69").contains("misses by 0.06");
        assertThat(response.json().get("errors").get(0).get("field").asText()).isEqualTo("metrics.auc");
    }

    @Test
    void badInputs_eachGiveA4xxProblemWithACode() {
        String admin = server.adminToken();
        String viewer = server.token("bad-input-viewer", Map.of("default", Role.VIEWER));

        TestingServer.Response unknownModel = server.get("/v1/models/ghost", admin);
        assertThat(unknownModel.status()).isEqualTo(404);
        assertProblem(unknownModel, "NOT_FOUND");
        assertThat(unknownModel.json().get("detail").asText()).contains("'ghost'");

        TestingServer.Response unknownVersion = server.get("/v1/models/matrix/versions/9", admin);
        assertThat(unknownVersion.status()).isEqualTo(404);
        assertProblem(unknownVersion, "NOT_FOUND");
        assertThat(unknownVersion.json().get("detail").asText()).contains("no version 9").contains("latest is 1");

        TestingServer.Response malformed = server.postJson("/v1/models", admin, "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertProblem(malformed, "INVALID_JSON");

        TestingServer.Response notAnObject = server.postJson("/v1/models", admin, "[1, 2]");
        assertThat(notAnObject.status()).isEqualTo(400);
        assertProblem(notAnObject, "INVALID_JSON");

        TestingServer.Response wrongType = server.postJson("/v1/models/matrix/aliases/champion", admin, "{\"version\": \"first\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertProblem(wrongType, "INVALID_REQUEST");
        assertThat(wrongType.json().get("detail").asText()).contains("'version'");
        assertThat(wrongType.json().get("errors").get(0).get("field").asText()).isEqualTo("version");

        TestingServer.Response wrongNestedType = server.postJson("/v1/models", admin, "{\"name\": \"typed\", \"gate\": {\"thresholds\": 5}}");
        assertThat(wrongNestedType.status()).as(wrongNestedType.toString()).isEqualTo(400);
        assertThat(wrongNestedType.json().get("detail").asText()).contains("gate.thresholds");

        TestingServer.Response unknownField = server.postJson("/v1/models", admin, "{\"name\": \"x\", \"colour\": \"red\"}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertProblem(unknownField, "INVALID_REQUEST");
        assertThat(unknownField.json().get("detail").asText()).contains("'colour'");

        TestingServer.Response badMetadata = server.upload("matrix", TestModels.creditGOnnx(), "{\"metrics\": {\"auc\": \"high\"}}");
        assertThat(badMetadata.status()).as(badMetadata.toString()).isEqualTo(400);
        assertThat(badMetadata.json().get("detail").asText()).contains("metrics.auc");

        TestingServer.Response oversized = server.upload("matrix", new byte[(int) TestingServer.MAX_MODEL_SIZE + 1], null);
        assertThat(oversized.status()).isEqualTo(413);
        assertProblem(oversized, "PAYLOAD_TOO_LARGE");
        assertThat(oversized.json().get("detail").asText()).contains(Long.toString(TestingServer.MAX_MODEL_SIZE));
        // far over the limit: refused before the body is sent, as the command line asks
        TestingServer.Response huge = server.send("POST", "/v1/models/matrix/versions", admin, new byte[4 << 20], "application/octet-stream",
                Map.of(), true);
        assertThat(huge.status()).isEqualTo(413);
        assertProblem(huge, "PAYLOAD_TOO_LARGE");

        TestingServer.Response notOnnx = server.upload("matrix", "name,age\nada,36\n".getBytes(StandardCharsets.UTF_8), null);
        assertThat(notOnnx.status()).as(notOnnx.toString()).isEqualTo(422);
        assertProblem(notOnnx, "INVALID_MODEL");

        TestingServer.Response wrongMedia = server.send("POST", "/v1/models/matrix/versions", admin, new byte[] {1}, "text/csv", Map.of());
        assertThat(wrongMedia.status()).isEqualTo(415);
        assertProblem(wrongMedia, "UNSUPPORTED_MEDIA_TYPE");

        TestingServer.Response missingToken = server.get("/v1/models", null);
        assertThat(missingToken.status()).isEqualTo(401);
        assertProblem(missingToken, "UNAUTHENTICATED");

        TestingServer.Response notBearer = server.send("GET", "/v1/models", null, null, null, Map.of("Authorization", "Basic YTpi"));
        assertThat(notBearer.status()).isEqualTo(401);
        assertProblem(notBearer, "UNAUTHENTICATED");

        TestingServer.Response unknownToken = server.get("/v1/models", "keel_made-up-token-0123456789");
        assertThat(unknownToken.status()).isEqualTo(401);
        assertProblem(unknownToken, "UNAUTHENTICATED");

        var expiring = server.created("expired", Map.of("default", Role.VIEWER));
        server.keel().database().update("UPDATE tokens SET expires_at = ? WHERE id = ?", 1_000L, expiring.token().id());
        TestingServer.Response expired = server.get("/v1/models", expiring.secret());
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.json().get("detail").asText()).isEqualTo(unknownToken.json().get("detail").asText())
                .doesNotContain("expired");

        var revoking = server.created("revoked", Map.of("default", Role.VIEWER));
        assertThat(server.get("/v1/models", revoking.secret()).status()).isEqualTo(200);
        TestingServer.Response revoke = server.send("DELETE", "/v1/tokens/" + revoking.token().id(), admin, null, null, Map.of());
        assertThat(revoke.status()).isEqualTo(200);
        assertThat(revoke.json().get("state").asText()).isEqualTo("revoked");
        TestingServer.Response revoked = server.get("/v1/models", revoking.secret());
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.json().get("detail").asText()).isEqualTo(unknownToken.json().get("detail").asText())
                .doesNotContain("revoked");

        TestingServer.Response forbidden = server.postJson("/v1/models", viewer, "{\"name\": \"nope\"}");
        assertThat(forbidden.status()).isEqualTo(403);
        assertProblem(forbidden, "FORBIDDEN");
        assertThat(forbidden.json().get("detail").asText()).contains("MODEL_WRITE");

        TestingServer.Response otherProject = server.get("/v1/models/matrix",
                server.token("elsewhere", Map.of(createProject("elsewhere"), Role.ADMIN)));
        assertThat(otherProject.status()).isEqualTo(403);
        assertProblem(otherProject, "FORBIDDEN");

        TestingServer.Response noRoute = server.get("/v1/nothing-here", admin);
        assertThat(noRoute.status()).isEqualTo(404);
        assertProblem(noRoute, "ROUTE_NOT_FOUND");

        TestingServer.Response wrongMethod = server.send("PATCH", "/v1/models", admin, new byte[0], "application/json", Map.of());
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertProblem(wrongMethod, "METHOD_NOT_ALLOWED");

        TestingServer.Response badQuery = server.get("/v1/audit?limit=lots", admin);
        assertThat(badQuery.status()).isEqualTo(400);
        assertThat(badQuery.json().get("detail").asText()).contains("'limit'").contains("'lots'");

        TestingServer.Response noReason = server.postJson("/v1/models/matrix/aliases/champion/rollback", admin, "{}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().get("detail").asText()).contains("reason");
    }

    private String createProject(String name) {
        if (server.keel().projects().find(name).isEmpty()) {
            server.keel().projects().create(name, "", "test");
        }
        return name;
    }

    @Test
    void auditLog_recordsMutatingCallsIncludingDeniedOnes() {
        String viewer = server.token("audited-viewer", Map.of("default", Role.VIEWER));
        server.createModel("audited");
        server.postJson("/v1/models", viewer, "{\"name\": \"sneaky\"}");
        server.postJson("/v1/models", null, "{\"name\": \"anonymous\"}");
        server.get("/v1/models", viewer);

        JsonNode entries = server.get("/v1/audit?limit=1000", server.adminToken()).json().get("entries");
        List<JsonNode> all = StreamSupport.stream(entries.spliterator(), false).toList();

        assertThat(all).anySatisfy(entry -> {
            assertThat(entry.get("action").asText()).isEqualTo("model.create");
            assertThat(entry.get("outcome").asText()).isEqualTo("success");
            assertThat(entry.get("status").asInt()).isEqualTo(201);
            assertThat(entry.get("actor").asText()).startsWith("admin");
        });
        assertThat(all).anySatisfy(entry -> {
            assertThat(entry.get("action").asText()).isEqualTo("model.create");
            assertThat(entry.get("outcome").asText()).isEqualTo("denied");
            assertThat(entry.get("status").asInt()).isEqualTo(403);
            assertThat(entry.get("actor").asText()).startsWith("audited-viewer");
        });
        assertThat(all).anySatisfy(entry -> {
            assertThat(entry.get("outcome").asText()).isEqualTo("denied");
            assertThat(entry.get("status").asInt()).isEqualTo(401);
            assertThat(entry.get("actor").asText()).isEqualTo("anonymous");
        });
        assertThat(all).noneSatisfy(entry -> assertThat(entry.get("action").asText()).isEqualTo("model.list"));
        JsonNode verify = server.get("/v1/audit/verify", server.adminToken()).json();
        assertThat(verify.get("intact").asBoolean()).as(verify.toString()).isTrue();
    }

    @Test
    void metrics_countRequestsByRoute() {
        server.get("/v1/models", server.adminToken());

        TestingServer.Response metrics = server.get("/metrics", server.adminToken());

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.body()).contains("keel_http_requests_seconds_count").contains("route=\"/v1/models\"");
    }

    @Test
    void openApi_listsEveryRouteOfTheTable() {
        JsonNode document = server.get("/openapi.json", server.adminToken()).json();

        assertThat(document.get("openapi").asText()).startsWith("3.1");
        JsonNode paths = document.get("paths");
        for (ApiRoute route : server.server().api().routes()) {
            JsonNode operation = paths.path(route.path()).path(route.method().toLowerCase(java.util.Locale.ROOT));
            assertThat(operation.isMissingNode()).as(route.method() + " " + route.path()).isFalse();
            assertThat(operation.get("operationId").asText()).isEqualTo(route.operationId());
        }
        Set<String> operationIds = new java.util.HashSet<>();
        server.server().api().routes().forEach(route -> assertThat(operationIds.add(route.operationId()))
                .as("operationId %s is unique", route.operationId()).isTrue());
    }

    @Test
    void predictionRoutes_triedFirst_overlapNoOtherRoute() {
        List<ApiRoute> routes = server.server().api().routes();
        List<ApiRoute> predictions = routes.stream().filter(KeelServer::servesPredictions).toList();
        assertThat(predictions).extracting(ApiRoute::operationId).contains("endpoint.predict", "v2.infer");
        for (ApiRoute prediction : predictions) {
            for (ApiRoute other : routes) {
                if (other != prediction) {
                    assertThat(KeelServer.overlap(prediction, other)).as(prediction.path() + " vs " + other.path()).isFalse();
                }
            }
        }
        assertThat(KeelServer.matchingOrder(routes).subList(0, predictions.size())).containsExactlyElementsOf(predictions);
        assertThat(KeelServer.overlap(predictions.getFirst(), predictions.getFirst())).isTrue();
    }

    @Test
    void whoami_answersForAProjectScopedToken() {
        TestingServer.Response response = server.get("/v1/whoami", server.token("who", Map.of("default", Role.CONSUMER)));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("grants").get("default").asText()).isEqualTo("consumer");
    }

    /** The route's path with parameters replaced by objects that exist. */
    private static String concrete(String path, String tokenId) {
        return path.replace("{model}", "matrix").replace("{version}", "1").replace("{alias}", "champion").replace("{id}", tokenId)
                .replace("{name}", "matrix").replace("{m}", "matrix").replace("{v}", "1").replace("{pipeline}", "matrix")
                .replace("{dataset}", "matrix").replace("{job}", "matrix");
    }

    /** A body that changes nothing: every mutating route refuses an empty object or leaves state as it was. */
    private static byte[] body(ApiRoute route) {
        return route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}".getBytes(StandardCharsets.UTF_8);
    }

    /** Problem+json, or on the Open Inference Protocol's /v2 routes its {"error": "..."} object. */
    private static void assertProblem(ApiRoute route, TestingServer.Response response, String code) {
        if (!route.path().startsWith("/v2")) {
            assertProblem(response, code);
            return;
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(code.equals("UNAUTHENTICATED") ? 401 : 403);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/json");
        assertThat(response.json().get("error").asText()).as(response.toString()).isNotBlank();
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("dev.keel.");
    }

    static void assertProblem(TestingServer.Response response, String code) {
        assertThat(response.status()).as(response.toString()).isBetween(400, 499);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        JsonNode body = response.json();
        assertThat(body.get("code").asText()).as(response.toString()).isEqualTo(code);
        assertThat(body.get("status").asInt()).isEqualTo(response.status());
        assertThat(body.get("requestId").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("dev.keel.");
    }

    /** A 503 while draining is the one 5xx a client may see; it still is a problem with a code. */
    static void assertProblem5xx(TestingServer.Response response) {
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().get("code").asText()).isEqualTo("UNAVAILABLE");
    }
}
