package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Role;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestingClock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code server.rate-limits} on a real server whose clock the test moves: bursts get 429 with Retry-After, then recover. */
class RateLimitTest {
    private final TestingClock clock = new TestingClock();

    private TestingServer start(String limits) {
        return TestingServer.startWithServerConfig(StoreKind.SQLITE, "rate-limits:\n" + limits.indent(2), clock);
    }

    private static void assertRateLimited(TestingServer.Response answer, String retryAfter, String key) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(429);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.headers().firstValue("Retry-After")).hasValue(retryAfter);
        assertThat(answer.json().path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(answer.json().path("detail").asText()).contains(key);
    }

    @Test
    void perToken_burstOverTheLimit_is429WithRetryAfter_otherTokenUnaffected_andRecovers() {
        try (TestingServer server = start("per-token: {requests: 3, per: 1m}")) {
            String other = server.token("other", Map.of("default", Role.VIEWER));
            for (int i = 0; i < 3; i++) {
                assertThat(server.get("/v1/whoami", server.adminToken()).status()).isEqualTo(200);
            }

            assertRateLimited(server.get("/v1/whoami", server.adminToken()), "20", "server.rate-limits.per-token");
            assertThat(server.get("/v1/whoami", other).status()).isEqualTo(200);

            clock.advance(Duration.ofSeconds(20));
            assertThat(server.get("/v1/whoami", server.adminToken()).status()).isEqualTo(200);
            assertThat(server.get("/v1/whoami", server.adminToken()).status()).isEqualTo(429);
            clock.advance(Duration.ofMinutes(1));
            assertThat(IntStream.range(0, 3).map(i -> server.get("/v1/whoami", server.adminToken()).status())).containsOnly(200);
        }
    }

    @Test
    void perProject_isKeyedByTheProjectTheRouteResolves_whateverTheToken() {
        try (TestingServer server = start("per-project: {requests: 2, per: 1m}")) {
            assertThat(server.createModel("limited").status()).isEqualTo(201);
            clock.advance(Duration.ofMinutes(1));
            String viewer = server.token("viewer", Map.of("default", Role.VIEWER));

            assertThat(server.get("/v1/models/limited", server.adminToken()).status()).isEqualTo(200);
            assertThat(server.get("/v1/models/limited", viewer).status()).isEqualTo(200);

            assertRateLimited(server.get("/v1/models/limited", viewer), "30", "project 'default'");
            assertThat(server.get("/v1/whoami", viewer).status()).as("a route in no project").isEqualTo(200);
        }
    }

    @Test
    void withoutToken_perAddressLimitCoversPublicRoutes() {
        try (TestingServer server = start("unauthenticated-per-address: {requests: 2, per: 10s}")) {
            assertThat(server.get("/health/live", null).status()).isEqualTo(200);
            assertThat(server.get("/v1/whoami", null).status()).isEqualTo(401);

            assertRateLimited(server.get("/health/live", null), "5", "server.rate-limits.unauthenticated-per-address");
            assertThat(server.get("/v1/whoami", server.adminToken()).status()).isEqualTo(200);
        }
    }

    @Test
    void failedAuthentications_fromOneAddress_refuseEvenAValidTokenUntilTheWindowPasses() {
        try (TestingServer server = start("failed-authentication-per-address: {requests: 3, per: 1m}")) {
            for (int i = 0; i < 3; i++) {
                assertThat(server.get("/v1/whoami", "keel_guess-number-" + i + "-padded-to-be-long-enough").status()).isEqualTo(401);
            }

            assertRateLimited(server.get("/v1/whoami", "keel_guess-number-9-padded-to-be-long-enough"), "20",
                    "failed-authentication-per-address");
            assertRateLimited(server.get("/v1/whoami", server.adminToken()), "20", "failed-authentication-per-address");

            clock.advance(Duration.ofMinutes(1));
            assertThat(server.get("/v1/whoami", server.adminToken()).status()).isEqualTo(200);
        }
    }

    @Test
    void failedAuthentications_withOneTokenValue_refuseThatValueOnly() {
        try (TestingServer server = start("failed-authentication-per-token: {requests: 2, per: 1m}")) {
            String revoked = server.created("revoked", Map.of("default", Role.VIEWER)).secret();
            server.keel().tokens().revoke(server.keel().tokens().list().stream().filter(t -> t.name().equals("revoked")).findFirst()
                    .orElseThrow().id(), "test");
            assertThat(server.get("/v1/whoami", revoked).status()).isEqualTo(401);
            assertThat(server.get("/v1/whoami", revoked).status()).isEqualTo(401);

            assertRateLimited(server.get("/v1/whoami", revoked), "30", "failed-authentication-per-token");
            assertThat(server.get("/v1/whoami", "keel_another-guess-padded-to-be-long-enough").status()).isEqualTo(401);
            assertThat(server.get("/v1/whoami", server.adminToken()).status()).isEqualTo(200);
        }
    }

    @Test
    void tokenCreation_isLimitedPerCaller() {
        try (TestingServer server = start("token-creation: {requests: 2, per: 1h}")) {
            String body = "{\"name\": \"made\", \"grants\": {\"default\": \"viewer\"}}";
            assertThat(server.postJson("/v1/tokens", server.adminToken(), body).status()).isEqualTo(201);
            assertThat(server.postJson("/v1/tokens", server.adminToken(), body).status()).isEqualTo(201);

            assertRateLimited(server.postJson("/v1/tokens", server.adminToken(), body), "1800", "server.rate-limits.token-creation");

            clock.advance(Duration.ofMinutes(30));
            assertThat(server.postJson("/v1/tokens", server.adminToken(), body).status()).isEqualTo(201);
        }
    }

    @Test
    void withoutConfiguration_requestsAreNotLimited() {
        try (TestingServer server = TestingServer.start(StoreKind.SQLITE)) {
            assertThat(IntStream.range(0, 100).map(i -> server.get("/v1/whoami", server.adminToken()).status())).containsOnly(200);
        }
    }

    @Test
    void invalidLimit_failsNamingTheKeyAndWhatIsAllowed() {
        ConfigNode zero = ConfigNode.root(Map.of("per-token", Map.of("requests", 0, "per", "1m")), Map.of());
        ConfigNode noPeriod = ConfigNode.root(Map.of("per-project", Map.of("requests", 5)), Map.of());
        ConfigNode unknown = ConfigNode.root(Map.of("per-user", Map.of("requests", 5, "per", "1m")), Map.of());

        assertThatThrownBy(() -> RateLimits.Settings.read(zero)).isInstanceOf(KeelException.class)
                .hasMessageContaining("'per-token.requests' is '0'").hasMessageContaining("an integer from 1");
        assertThatThrownBy(() -> RateLimits.Settings.read(noPeriod)).hasMessageContaining("'per-project'").hasMessageContaining("'per'");
        assertThatThrownBy(() -> RateLimits.Settings.read(unknown)).hasMessageContaining("unknown configuration key 'per-user'");
    }
}
