package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.testing.StoreKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every answer over plain HTTP carries the security headers, successes and errors alike, and no HSTS. */
class SecurityHeadersTest {
    static final Map<String, String> EXPECTED = Map.of(
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store",
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");

    static TestingServer server;

    @BeforeAll
    static void start() {
        server = TestingServer.start(StoreKind.SQLITE);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void assertSecurityHeaders(TestingServer.Response answer) {
        EXPECTED.forEach((name, value) -> assertThat(answer.headers().allValues(name)).as(name + " on " + answer).containsExactly(value));
    }

    @Test
    void successfulAnswers_carryTheHeaders() {
        List<TestingServer.Response> answers = List.of(server.get("/health/live", null), server.get("/v1/whoami", server.adminToken()),
                server.get("/openapi.json", server.adminToken()), server.get("/v1/models", server.adminToken()),
                server.createModel("headers-model"));

        for (TestingServer.Response answer : answers) {
            assertThat(answer.status()).as(answer.toString()).isBetween(200, 299);
            assertSecurityHeaders(answer);
        }
    }

    @Test
    void errorAnswers_carryTheHeaders() {
        List<TestingServer.Response> answers = List.of(
                server.get("/v1/whoami", null),
                server.get("/v1/whoami", "keel_not-a-token-at-all-but-long-enough-to-try"),
                server.get("/v1/models/nobody", server.adminToken()),
                server.get("/no/such/route", server.adminToken()),
                server.send("DELETE", "/v1/models", server.adminToken(), null, null, Map.of()),
                server.postJson("/v1/models", server.adminToken(), "{not json"),
                server.get("/v2/models/nobody/ready", server.adminToken()));

        assertThat(answers).extracting(TestingServer.Response::status).containsExactly(401, 401, 404, 404, 405, 400, 404);
        answers.forEach(SecurityHeadersTest::assertSecurityHeaders);
    }

    @Test
    void plainHttp_sendsNoStrictTransportSecurity() {
        assertThat(server.get("/health/live", null).headers().firstValue("Strict-Transport-Security")).isEmpty();
        assertThat(server.get("/no/such/route", null).headers().firstValue("Strict-Transport-Security")).isEmpty();
    }
}
