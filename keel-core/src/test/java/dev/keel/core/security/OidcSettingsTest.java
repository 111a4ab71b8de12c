package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OidcSettingsTest {
    private static final String MAPPING = """
                mappings:
                  - {group: ml-team, project: alpha, role: scientist}
            """;

    private static Optional<OidcSettings> parse(String oidc) {
        return OidcSettings.from(KeelConfig.parse("security:\n  oidc:\n" + oidc, Map.of()).root().section("security").section("oidc"));
    }

    private static void assertInvalid(String oidc, String... fragments) {
        assertThatThrownBy(() -> parse(oidc)).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).contains(fragments);
        });
    }

    @Test
    void absentSection_turnsOidcOff() {
        assertThat(OidcSettings.from(KeelConfig.load(Map.of()).root().section("security").section("oidc"))).isEmpty();
    }

    @Test
    void defaults_areRs256AndEs256_aMinuteOfSkew_tenMinutesOfCache_andThirtySecondsBetweenRefetches() {
        OidcSettings settings = parse("    issuer: https://login.example.com/realms/keel\n    audience: keel\n" + MAPPING).orElseThrow();

        assertThat(settings.issuer()).isEqualTo(URI.create("https://login.example.com/realms/keel"));
        assertThat(settings.jwksUrl()).isEmpty();
        assertThat(settings.discoveryUrl()).isEqualTo(URI.create("https://login.example.com/realms/keel/.well-known/openid-configuration"));
        assertThat(settings.algorithms()).containsExactly(OidcSettings.Algorithm.RS256, OidcSettings.Algorithm.ES256);
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.jwksCache()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.jwksRefetchMinInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.nameClaims()).containsExactly("preferred_username", "sub");
        assertThat(settings.groupsClaim()).isEqualTo("groups");
        assertThat(settings.mappings()).containsExactly(new OidcSettings.Mapping("ml-team", "alpha", Role.SCIENTIST));
    }

    @Test
    void symmetricAndUnsignedAlgorithms_areRefusedNamingTheKey() {
        String base = "    issuer: https://idp.example\n    audience: keel\n" + MAPPING;

        assertInvalid(base + "    algorithms: [RS256, HS256]\n", "security.oidc.algorithms", "HS256", "public key");
        assertInvalid(base + "    algorithms: [none]\n", "security.oidc.algorithms", "none", "never none");
        assertInvalid(base + "    algorithms: [RSA1_5]\n", "RSA1_5");
    }

    @Test
    void invalidValues_failNamingKeyValueAndWhatIsAllowed() {
        String base = "    issuer: https://idp.example\n    audience: keel\n";

        assertInvalid("    issuer: http://idp.example\n    audience: keel\n" + MAPPING, "security.oidc.issuer", "http://idp.example", "https://");
        assertInvalid("    issuer: https://idp.example\n" + MAPPING, "security.oidc.audience");
        assertInvalid(base, "security.oidc.mappings", "every caller would be refused");
        assertInvalid(base + "    mappings:\n      - {group: g, project: alpha, role: owner}\n", "security.oidc.mappings[0].role", "owner",
                "viewer, consumer, scientist, steward, operator, admin");
        assertInvalid(base + "    mappings:\n      - {group: g, project: 'Al pha', role: viewer}\n", "security.oidc.mappings[0].project");
        assertInvalid(base + "    mappings:\n      - {group: g, project: alpha, role: viewer, extra: 1}\n", "security.oidc.mappings[0].extra");
        assertInvalid(base + MAPPING + "    clock-skew: 10m\n", "security.oidc.clock-skew", "at most 5m");
        assertInvalid(base + MAPPING + "    jwks-refetch-min-interval: 0s\n", "security.oidc.jwks-refetch-min-interval");
        assertInvalid(base + MAPPING + "    jwks-url: ftp://idp.example/keys\n", "security.oidc.jwks-url");
        assertInvalid(base + MAPPING + "    issuers: x\n", "unknown configuration key 'security.oidc.issuers'");
        assertInvalid("    audience: keel\n" + MAPPING, "security.oidc.issuer");
    }

    @Test
    void plainHttp_isAllowedToLoopbackAddressesOnly() {
        assertThat(parse("    issuer: http://127.0.0.1:9000\n    audience: keel\n" + MAPPING)).isPresent();
        assertThat(parse("    issuer: http://localhost:9000\n    audience: keel\n    jwks-url: http://[::1]:9000/jwks\n" + MAPPING)).isPresent();
        assertInvalid("    issuer: http://127.0.0.1.nip.io\n    audience: keel\n" + MAPPING, "security.oidc.issuer");
        assertThat(parse("    issuer: https://idp.example\n    audience: keel\n    algorithms: [es256, EdDSA]\n" + MAPPING).orElseThrow()
                .algorithms()).isEqualTo(List.of(OidcSettings.Algorithm.ES256, OidcSettings.Algorithm.EdDSA));
    }
}
