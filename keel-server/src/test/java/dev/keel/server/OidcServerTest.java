package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Role;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestingIdentityProvider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real server (port 0, SQLite) that accepts the JWTs of a real identity provider on the JDK's HTTP server, beside API tokens. */
class OidcServerTest {
    private static final String REFUSED = "the token is not valid; send 'Authorization: Bearer <token>' with a current token";
    private static TestingIdentityProvider provider;
    private static TestingServer server;

    @BeforeAll
    static void start() {
        provider = new TestingIdentityProvider();
        server = TestingServer.start(StoreKind.SQLITE, """
                security:
                  oidc:
                    issuer: '%s'
                    audience: keel
                    mappings:
                      - {group: alpha-scientists, project: alpha, role: scientist}
                      - {group: beta-viewers, project: beta, role: viewer}
                      - {group: keel-admins, project: '*', role: admin}
                """.formatted(provider.issuer()));
        for (String project : List.of("alpha", "beta")) {
            assertThat(server.postJson("/v1/projects", server.adminToken(), "{\"name\": \"" + project + "\"}").status()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
        provider.close();
    }

    private static String jwt(String subject, String... groups) {
        return provider.token(subject, Instant.now(), groups);
    }

    private static TestingServer.Response createModel(String token, String project, String name, String requestId) {
        return server.send("POST", "/v1/models", token, ("{\"name\": \"" + name + "\", \"project\": \"" + project + "\"}")
                .getBytes(StandardCharsets.UTF_8), "application/json", Map.of("X-Request-Id", requestId));
    }

    private static void assertRefused(TestingServer.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.json().path("detail").asText()).isEqualTo(REFUSED);
    }

    @Test
    void jwtCaller_mayUseARouteTheirRoleAllows_andIsRefusedInAnotherProject() {
        String alice = jwt("alice", "alpha-scientists", "beta-viewers");

        TestingServer.Response created = createModel(alice, "alpha", "churn-oidc", "oidc-alpha");
        TestingServer.Response elsewhere = createModel(alice, "beta", "churn-beta", "oidc-beta");
        TestingServer.Response read = server.get("/v1/models/churn-oidc", alice);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(403);
        assertThat(elsewhere.json().path("detail").asText()).contains("MODEL_WRITE", "beta");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("project").asText()).isEqualTo("alpha");
        assertThat(server.get("/v1/tokens", alice).status()).isEqualTo(403);
        JsonNode audit = server.get("/v1/audit?limit=1000", server.adminToken()).json().path("entries");
        List<JsonNode> entries = new ArrayList<>();
        audit.forEach(entries::add);
        assertThat(entries).filteredOn(entry -> entry.path("requestId").asText().equals("oidc-alpha"))
                .extracting(entry -> entry.path("actor").asText()).containsOnly("alice (oidc:alice)");
    }

    @Test
    void apiTokens_keepWorkingBesideOidc() {
        String token = server.token("ci", Map.of("alpha", Role.VIEWER));

        assertThat(token).startsWith("keel_");
        assertThat(server.get("/v1/models", token).status()).isEqualTo(200);
        assertThat(server.get("/v1/tokens", server.adminToken()).status()).isEqualTo(200);
        assertThat(server.get("/v1/tokens", jwt("root", "keel-admins")).status()).isEqualTo(200);
        assertRefused(server.get("/v1/models", "keel_" + "x".repeat(43)));
    }

    @Test
    void forgedAndMalformedTokens_getTheSame401_neverA5xx_andTheAuditLogNeverHoldsThem() throws Exception {
        String valid = jwt("mallory", "beta-viewers");
        String[] parts = valid.split("\\.");
        String elevated = provider.claims("mallory", Instant.now(), "keel-admins").build().toPayload().toBase64URL().toString();
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                provider.claims("mallory", Instant.now(), "keel-admins").build());
        hmac.sign(new MACSigner(provider.rsa().toRSAPublicKey().getEncoded()));
        String bomb = Base64URL.encode("{\"alg\":" + "[".repeat(2000) + "]".repeat(2000) + "}").toString();
        List<String> forged = List.of(
                new PlainJWT(provider.claims("mallory", Instant.now(), "keel-admins").build()).serialize(),
                parts[0] + "." + elevated + "." + parts[2],
                hmac.serialize(),
                TestingIdentityProvider.sign(TestingIdentityProvider.rsaKey("rsa-1"), JWSAlgorithm.RS256,
                        provider.claims("mallory", Instant.now(), "keel-admins").build()),
                bomb + "." + parts[1] + "." + parts[2],
                "eyJ" + "A".repeat(5000) + ".e30.e30",
                "eyJ\u00e9.a.b");

        for (int index = 0; index < forged.size(); index++) {
            assertRefused(createModel(forged.get(index), "alpha", "forged-" + index, "forged-" + index));
        }
        TestingServer.Response huge = server.get("/v1/models", "eyJ" + "A".repeat(20_000) + ".e30.e30");
        assertThat(huge.status()).isIn(401, 431);
        String audit = server.get("/v1/audit?limit=1000", server.adminToken()).body();
        for (String token : forged) {
            assertThat(audit).doesNotContain(token);
            for (String part : token.split("\\.")) {
                if (part.length() >= 16) {
                    assertThat(audit).doesNotContain(part);
                }
            }
        }
        assertThat(audit).contains("forged-0");
    }

    @Test
    void refusedToken_isLoggedWithItsReason_butNotTheToken() {
        String valid = jwt("mallory", "beta-viewers");
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + provider.claims("mallory", Instant.now(), "keel-admins").build().toPayload().toBase64URL()
                + "." + parts[2];
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertRefused(server.get("/v1/models", tampered));
            assertRefused(server.get("/v1/models", jwt("carol", "marketing")));
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertThat(log).contains("refused a bearer token: an OIDC token: Signed JWT rejected: Invalid signature",
                "OIDC subject 'carol' is in no mapped group");
        assertThat(log).doesNotContain(parts[2]).doesNotContain(tampered.split("\\.")[1]);
    }

    @Test
    void jwtWhenOidcIsNotConfigured_isRefusedLikeAnUnknownToken() {
        try (TestingServer plain = TestingServer.start(StoreKind.SQLITE)) {
            TestingServer.Response response = plain.get("/v1/models", jwt("alice", "alpha-scientists"));

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.json().path("detail").asText()).isEqualTo(REFUSED);
        }
    }

    @Test
    void invalidOidcConfiguration_stopsTheServerAtStartNamingTheKey() {
        Assertions.assertThatThrownBy(() -> TestingServer.start(StoreKind.SQLITE, """
                security:
                  oidc:
                    issuer: '%s'
                    audience: keel
                    algorithms: [HS256]
                    mappings:
                      - {group: g, project: alpha, role: viewer}
                """.formatted(provider.issuer()))).isInstanceOfSatisfying(KeelException.class,
                        e -> assertThat(e.getMessage()).contains("security.oidc.algorithms", "HS256"));
    }
}
