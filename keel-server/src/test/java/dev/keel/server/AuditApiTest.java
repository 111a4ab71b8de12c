package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.AuditCheckpoints;
import dev.keel.core.security.Role;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;

/** The audit log over HTTP on each store: project-scoped reading, verification, failing closed, checkpoints. */
@OnEachStore
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditApiTest {
    @Parameter
    StoreKind kind;

    private TestingServer server;

    @BeforeEach
    void start() {
        if (server != null && server.kind() == kind) {
            return;
        }
        stop();
        server = TestingServer.start(kind);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private String suffix() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private List<JsonNode> entries(String query, String token) {
        TestingServer.Response response = server.get("/v1/audit" + query, token);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return StreamSupport.stream(response.json().get("entries").spliterator(), false).toList();
    }

    private List<JsonNode> entriesOfRequest(String requestId) {
        return entries("?limit=1000", server.adminToken()).stream().filter(entry -> entry.path("requestId").asText().equals(requestId))
                .sorted(java.util.Comparator.comparingLong(entry -> entry.get("seq").asLong())).toList();
    }

    private TestingServer.Response post(String path, String token, String json, String requestId) {
        return server.send("POST", path, token, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json",
                Map.of("X-Request-Id", requestId));
    }

    @Test
    void auditList_forAnOperatorOfOneProject_showsThatProjectOnly_andRefusesAnother() {
        String admin = server.adminToken();
        for (String project : List.of("audit-a", "audit-b")) {
            if (server.keel().projects().find(project).isEmpty()) {
                assertThat(server.postJson("/v1/projects", admin, "{\"name\": \"" + project + "\"}").status()).isEqualTo(201);
            }
        }
        for (String project : List.of("audit-a", "audit-b")) {
            String body = "{\"name\": \"model-" + project + "-" + suffix() + "\", \"project\": \"" + project + "\"}";
            assertThat(server.postJson("/v1/models", admin, body).status()).isEqualTo(201);
        }
        String operator = server.token("operator-a", Map.of("audit-a", Role.OPERATOR));
        String projectAdmin = server.token("admin-a", Map.of("audit-a", Role.ADMIN));
        String viewer = server.token("viewer-a", Map.of("audit-a", Role.VIEWER));

        List<JsonNode> seenByOperator = entries("?limit=1000", operator);
        List<JsonNode> seenByProjectAdmin = entries("?limit=1000", projectAdmin);
        List<JsonNode> seenByGlobalAdmin = entries("?limit=1000", admin);
        TestingServer.Response otherProject = server.get("/v1/audit?project=audit-b", operator);
        TestingServer.Response ownProject = server.get("/v1/audit?project=audit-a", operator);
        TestingServer.Response byViewer = server.get("/v1/audit", viewer);
        TestingServer.Response verifyByOperator = server.get("/v1/audit/verify", operator);

        assertThat(seenByOperator).isNotEmpty().allSatisfy(entry -> assertThat(entry.get("project").asText()).isEqualTo("audit-a"));
        assertThat(seenByOperator).anySatisfy(entry -> assertThat(entry.get("action").asText()).isEqualTo("model.create"));
        assertThat(seenByProjectAdmin).extracting(entry -> entry.get("seq").asLong())
                .containsExactlyElementsOf(seenByOperator.stream().map(entry -> entry.get("seq").asLong()).toList());
        assertThat(seenByGlobalAdmin).anySatisfy(entry -> assertThat(entry.get("project").asText()).isEqualTo("audit-b"));
        assertThat(seenByGlobalAdmin).anySatisfy(entry -> {
            assertThat(entry.get("action").asText()).isEqualTo("project.create");
            assertThat(entry.get("project").isNull()).isTrue();
        });
        assertThat(otherProject.status()).as(otherProject.toString()).isEqualTo(403);
        ServerIntegrationTest.assertProblem(otherProject, "FORBIDDEN");
        assertThat(otherProject.json().get("detail").asText()).contains("AUDIT_READ", "audit-b");
        assertThat(ownProject.status()).isEqualTo(200);
        assertThat(byViewer.status()).isEqualTo(403);
        assertThat(verifyByOperator.status()).as(verifyByOperator.toString()).isEqualTo(200);
        assertThat(verifyByOperator.json().get("intact").asBoolean()).as(verifyByOperator.toString()).isTrue();
    }

    @Test
    void auditedCall_writesAnAttemptBeforeAndTheOutcomeAfter_linkedByRequestId() {
        String requestId = "attempt-then-outcome-" + kind;

        TestingServer.Response created = post("/v1/projects", server.adminToken(), "{\"name\": \"linked-" + suffix() + "\"}",
                requestId);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        List<JsonNode> entries = entriesOfRequest(requestId);
        assertThat(entries).extracting(entry -> entry.get("outcome").asText()).containsExactly("attempt", "success");
        assertThat(entries).extracting(entry -> entry.get("status").asInt()).containsExactly(0, 201);
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.get("action").asText()).isEqualTo("project.create");
            assertThat(entry.get("actor").asText()).startsWith("admin");
            assertThat(entry.get("scheme").asText()).startsWith("hmac-sha256:");
        });
    }

    @Test
    void deniedAndUnauthenticatedCalls_areRecordedWithoutAnAttempt() {
        String viewer = server.token("denied-viewer", Map.of("default", Role.VIEWER));

        TestingServer.Response denied = post("/v1/models", viewer, "{\"name\": \"not-allowed\"}", "denied-" + kind);
        TestingServer.Response anonymous = post("/v1/models", null, "{\"name\": \"not-allowed\"}", "anonymous-" + kind);

        assertThat(denied.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(entriesOfRequest("denied-" + kind)).singleElement().satisfies(entry -> {
            assertThat(entry.get("outcome").asText()).isEqualTo("denied");
            assertThat(entry.get("status").asInt()).isEqualTo(403);
            assertThat(entry.get("actor").asText()).startsWith("denied-viewer");
        });
        assertThat(entriesOfRequest("anonymous-" + kind)).singleElement().satisfies(entry -> {
            assertThat(entry.get("outcome").asText()).isEqualTo("denied");
            assertThat(entry.get("status").asInt()).isEqualTo(401);
            assertThat(entry.get("actor").asText()).isEqualTo("anonymous");
        });
    }

    @Test
    void auditedCall_whenTheAuditLogCannotBeWritten_isRefusedWith503AndChangesNothing() throws Exception {
        String admin = server.adminToken();
        String project = "closed-door-" + suffix();
        String model = "closed-model-" + suffix();
        TestingServer.Response createdProject;
        TestingServer.Response createdModel;
        TestingServer.Response read;
        closeAuditTable();
        try {
            createdProject = post("/v1/projects", admin, "{\"name\": \"" + project + "\"}", "closed-project-" + kind);
            createdModel = post("/v1/models", admin, "{\"name\": \"" + model + "\"}", "closed-model-" + kind);
            read = server.get("/v1/models", admin);
        } finally {
            reopenAuditTable();
        }
        TestingServer.Response afterwards = post("/v1/projects", admin, "{\"name\": \"" + project + "\"}", "reopened-" + kind);

        for (TestingServer.Response refused : List.of(createdProject, createdModel)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("code").asText()).isEqualTo("AUDIT_UNAVAILABLE");
            assertThat(refused.headers().firstValue("Retry-After")).contains("5");
            assertThat(refused.json().get("detail").asText()).contains("audit log cannot be written", "not carried out")
                    .doesNotContain("closed for the test");
        }
        assertThat(read.status()).isEqualTo(200);
        assertThat(server.keel().registry().findModel(model)).isEmpty();
        assertThat(afterwards.status()).as("the project was not created while the audit log was closed").isEqualTo(201);
        assertThat(entriesOfRequest("closed-project-" + kind)).isEmpty();
        assertThat(entriesOfRequest("reopened-" + kind)).extracting(entry -> entry.get("outcome").asText()).containsExactly("attempt", "success");
        JsonNode verify = server.get("/v1/audit/verify", admin).json();
        assertThat(verify.get("intact").asBoolean()).as(verify.toString()).isTrue();
    }

    @Test
    void verify_reportsWhatItChecked() {
        server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"verified-" + suffix() + "\"}");
        server.keel().audit().checkpoint();

        JsonNode verify = server.get("/v1/audit/verify", server.adminToken()).json();

        assertThat(verify.get("intact").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.get("finding").asText()).isEqualTo("INTACT");
        assertThat(verify.get("entries").asLong()).isPositive();
        assertThat(verify.get("firstSeq").asLong()).isEqualTo(1);
        assertThat(verify.get("lastSeq").asLong()).isEqualTo(verify.get("entries").asLong());
        assertThat(verify.get("keyId").asText()).isEqualTo(server.keel().audit().keyId());
        assertThat(verify.get("checkpointsChecked").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(verify.get("latestCheckpoint").get("seq").asLong()).isEqualTo(verify.get("lastSeq").asLong());
        assertThat(verify.get("entriesAfterCheckpoint").asLong()).isZero();
    }

    @Test
    void checkpoints_atStartAndOnShutdown_withKeysOutsideTheStore() throws Exception {
        try (TestingServer own = TestingServer.start(kind)) {
            Path data = own.keel().config().dataDirectory();
            Path file = data.resolve("audit").resolve("checkpoints.jsonl");
            AuditCheckpoints reader = AuditCheckpoints.open(file, data.resolve("keys").resolve("audit-signing.key"));
            List<AuditCheckpoints.Checkpoint> atStart = reader.read().checkpoints();

            own.postJson("/v1/projects", own.adminToken(), "{\"name\": \"shutdown\"}");
            own.keel().audit().close();
            List<AuditCheckpoints.Checkpoint> afterShutdown = reader.read().checkpoints();

            assertThat(atStart).extracting(AuditCheckpoints.Checkpoint::seq).containsExactly(0L);
            assertThat(afterShutdown).extracting(AuditCheckpoints.Checkpoint::seq).containsExactly(0L, 2L);
            assertThat(reader.signatureValid(afterShutdown.getLast())).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keys").resolve("audit.key"))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keys").resolve("audit-signing.key"))))
                    .isEqualTo("rw-------");
            assertThat(data.resolve("keys").resolve("audit-signing.pub")).exists();
        }
    }

    /** Makes every insert into audit_log fail, through a connection of its own, as a store that refuses writes would. */
    private void closeAuditTable() throws SQLException {
        execute(switch (kind) {
            case SQLITE -> List.of("CREATE TRIGGER keel_audit_closed BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'closed for the test'); END");
            case POSTGRES -> List.of("CREATE FUNCTION keel_audit_closed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                            + " RAISE EXCEPTION 'closed for the test'; END $$",
                    "CREATE TRIGGER keel_audit_closed BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION keel_audit_closed()");
        });
    }

    private void reopenAuditTable() throws SQLException {
        execute(switch (kind) {
            case SQLITE -> List.of("DROP TRIGGER keel_audit_closed");
            case POSTGRES -> List.of("DROP TRIGGER keel_audit_closed ON audit_log", "DROP FUNCTION keel_audit_closed()");
        });
    }

    private void execute(List<String> statements) throws SQLException {
        String url = server.keel().database().url();
        String user = kind == StoreKind.POSTGRES ? TestDatabases.POSTGRES_USER : "";
        try (Connection connection = DriverManager.getConnection(url, user, ""); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
