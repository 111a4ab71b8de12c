package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingIdentityProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OidcAuthenticatorTest {
    private static final String REFUSED = "the token is not valid; send 'Authorization: Bearer <token>' with a current token";

    private final TestingIdentityProvider provider = new TestingIdentityProvider();
    private final TestingClock clock = new TestingClock(Instant.now());

    @AfterEach
    void stop() {
        provider.close();
    }

    private String mappings() {
        return """
                    mappings:
                      - {group: alpha-scientists, project: alpha, role: scientist}
                      - {group: alpha-viewers, project: alpha, role: viewer}
                      - {group: alpha-operators, project: alpha, role: operator}
                      - {group: beta-viewers, project: beta, role: viewer}
                      - {group: keel-admins, project: '*', role: admin}
                """;
    }

    private OidcSettings settings(String extra) {
        String yaml = """
                security:
                  oidc:
                    issuer: '%s'
                    audience: keel
                    jwks-url: '%s/jwks'
                """.formatted(provider.issuer(), provider.issuer()) + extra + mappings();
        return OidcSettings.from(KeelConfig.parse(yaml, Map.of()).root().section("security").section("oidc")).orElseThrow();
    }

    private OidcAuthenticator authenticator() {
        return new OidcAuthenticator(settings(""), clock);
    }

    private JWTClaimsSet.Builder claims(String... groups) {
        return provider.claims("alice", clock.instant(), groups);
    }

    private static void assertRefused(OidcAuthenticator authenticator, String token) {
        KeelException refused = catchThrowableOfType(KeelException.class, () -> authenticator.authenticate(token));
        assertThat(refused).as("token %s", token).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(refused.getMessage()).isEqualTo(REFUSED);
    }

    @Test
    void rsaToken_givesThePrincipalItsMappedRolePerProject() {
        Principal principal = authenticator().authenticate(provider.token("alice", clock.instant(), "alpha-scientists", "beta-viewers",
                "unmapped"));

        assertThat(principal.tokenId()).isEqualTo("oidc:alice");
        assertThat(principal.name()).isEqualTo("alice");
        assertThat(principal.grants()).isEqualTo(Map.of("alpha", Role.SCIENTIST, "beta", Role.VIEWER));
        assertThat(principal.can(Permission.MODEL_WRITE, "alpha")).isTrue();
        assertThat(principal.can(Permission.MODEL_WRITE, "beta")).isFalse();
        assertThat(principal.can(Permission.MODEL_READ, "gamma")).isFalse();
    }

    @Test
    void ecToken_isAcceptedWithES256() {
        String token = TestingIdentityProvider.sign(provider.ec(), JWSAlgorithm.ES256, claims("beta-viewers").build());

        assertThat(authenticator().authenticate(token).grants()).isEqualTo(Map.of("beta", Role.VIEWER));
    }

    @Test
    void severalGroupsInOneProject_giveTheHighestRole_andAStarMappingCoversEveryProject() {
        OidcAuthenticator authenticator = authenticator();

        Principal operator = authenticator.authenticate(provider.token("bob", clock.instant(), "alpha-viewers", "alpha-operators",
                "alpha-scientists"));
        Principal admin = authenticator.authenticate(provider.token("root", clock.instant(), "keel-admins"));

        assertThat(operator.grants()).isEqualTo(Map.of("alpha", Role.OPERATOR));
        assertThat(admin.grants()).isEqualTo(Map.of("*", Role.ADMIN));
        assertThat(admin.can(Permission.TOKEN_ADMIN, "*")).isTrue();
    }

    @Test
    void name_comesFromTheFirstNameClaimPresent_elseTheSubject() {
        String withoutUsername = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims("alpha-viewers").claim("preferred_username", null)
                .subject("00u1ab").build());
        OidcAuthenticator byEmail = new OidcAuthenticator(settings("    name-claim: [email, preferred_username]\n"), clock);
        String withEmail = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims("alpha-viewers")
                .claim("email", "alice@example.com").build());

        assertThat(authenticator().authenticate(withoutUsername).name()).isEqualTo("00u1ab");
        assertThat(authenticator().authenticate(withoutUsername).tokenId()).isEqualTo("oidc:00u1ab");
        assertThat(byEmail.authenticate(withEmail).name()).isEqualTo("alice@example.com");
    }

    @Test
    void groupsClaim_mayBeADottedPathIntoAnObject() {
        OidcAuthenticator keycloak = new OidcAuthenticator(settings("    groups-claim: realm_access.roles\n"), clock);
        String token = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims()
                .claim("realm_access", Map.of("roles", java.util.List.of("alpha-operators"))).build());

        assertThat(keycloak.authenticate(token).grants()).isEqualTo(Map.of("alpha", Role.OPERATOR));
    }

    @Test
    void tokenWhoseGroupsMapToNoRole_isRefusedLikeAnyInvalidToken() {
        assertRefused(authenticator(), provider.token("carol", clock.instant(), "marketing"));
        assertRefused(authenticator(), TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims().claim("groups", null).build()));
    }

    @Test
    void algNone_isRefused_inEverySpelling() {
        OidcAuthenticator authenticator = authenticator();
        String payload = claims("keel-admins").build().toPayload().toBase64URL().toString();

        assertRefused(authenticator, new PlainJWT(claims("keel-admins").build()).serialize());
        for (String alg : new String[] {"none", "None", "NONE"}) {
            String header = Base64URL.encode("{\"alg\":\"" + alg + "\",\"kid\":\"rsa-1\"}").toString();
            assertRefused(authenticator, header + "." + payload + ".");
            assertRefused(authenticator, header + "." + payload + "." + Base64URL.encode("signature"));
        }
    }

    @Test
    void tokenSignedWithAnotherKeyUnderTheProvidersKeyId_isRefused() {
        RSAKey attacker = TestingIdentityProvider.rsaKey("rsa-1");

        assertRefused(authenticator(), TestingIdentityProvider.sign(attacker, JWSAlgorithm.RS256, claims("keel-admins").build()));
    }

    @Test
    void hs256SignedWithTheProvidersRsaPublicKeyAsSecret_isRefused() throws Exception {
        byte[] publicKey = provider.rsa().toRSAPublicKey().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims("keel-admins").build());
        forged.sign(new MACSigner(publicKey));
        SignedJWT forgedFromJwk = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims("keel-admins").build());
        forgedFromJwk.sign(new MACSigner(provider.rsa().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));

        assertRefused(authenticator(), forged.serialize());
        assertRefused(authenticator(), forgedFromJwk.serialize());
        assertThat(provider.jwksRequests()).as("refused before any key is looked up").isZero();
    }

    @Test
    void algorithmOutsideTheAllowList_isRefusedEvenWithTheRightKey() {
        OidcAuthenticator rsaOnly = new OidcAuthenticator(settings("    algorithms: [RS256]\n"), clock);

        assertRefused(rsaOnly, TestingIdentityProvider.sign(provider.ec(), JWSAlgorithm.ES256, claims("alpha-viewers").build()));
        assertRefused(rsaOnly, TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS512, claims("alpha-viewers").build()));
    }

    @Test
    void expiredToken_isRefusedBeyondTheClockSkew_andAcceptedWithinIt() {
        OidcAuthenticator authenticator = authenticator();
        Instant now = clock.instant();
        String expiredLongAgo = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims("alpha-viewers")
                .expirationTime(Date.from(now.minus(Duration.ofSeconds(61)))).build());
        String expiredJustNow = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims("alpha-viewers")
                .expirationTime(Date.from(now.minus(Duration.ofSeconds(30)))).build());

        assertRefused(authenticator, expiredLongAgo);
        assertThat(authenticator.authenticate(expiredJustNow).name()).isEqualTo("alice");
        clock.advance(Duration.ofSeconds(31));
        assertRefused(authenticator, expiredJustNow);
    }

    @Test
    void notBeforeInTheFuture_isRefusedBeyondTheClockSkew_andAcceptedWithinIt() {
        OidcAuthenticator authenticator = authenticator();
        Instant now = clock.instant();
        String farFuture = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims("alpha-viewers")
                .notBeforeTime(Date.from(now.plus(Duration.ofSeconds(90)))).build());
        String nearFuture = TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims("alpha-viewers")
                .notBeforeTime(Date.from(now.plus(Duration.ofSeconds(30)))).build());

        assertRefused(authenticator, farFuture);
        assertThat(authenticator.authenticate(nearFuture).name()).isEqualTo("alice");
    }

    @Test
    void wrongAudience_wrongIssuer_andMissingRequiredClaims_areRefused() {
        OidcAuthenticator authenticator = authenticator();
        JWTClaimsSet valid = claims("alpha-viewers").build();

        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).audience("another-app").build()));
        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).audience((String) null).build()));
        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).issuer("https://evil.example").build()));
        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).issuer(provider.issuer() + "/").build()));
        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).issuer(null).build()));
        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).expirationTime(null).build()));
        assertRefused(authenticator, sign(new JWTClaimsSet.Builder(valid).subject(null).build()));
        assertThat(authenticator.authenticate(sign(new JWTClaimsSet.Builder(valid).audience(java.util.List.of("other", "keel")).build()))
                .name()).isEqualTo("alice");
    }

    @Test
    void tamperedPayload_isRefused() {
        OidcAuthenticator authenticator = authenticator();
        String token = provider.token("alice", clock.instant(), "beta-viewers");
        String[] parts = token.split("\\.");
        String elevated = claims("keel-admins").build().toPayload().toBase64URL().toString();

        assertThat(authenticator.authenticate(token).grants()).containsOnlyKeys("beta");
        assertRefused(authenticator, parts[0] + "." + elevated + "." + parts[2]);
        assertRefused(authenticator, parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4) + "AAAA");
    }

    @Test
    void unknownKeyId_causesOneRefetch_thenRefusal_andAnotherWithinTheMinimumIntervalCausesNone() {
        OidcAuthenticator authenticator = authenticator();
        authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers"));
        assertThat(provider.jwksRequests()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(31));

        assertRefused(authenticator, TestingIdentityProvider.sign(TestingIdentityProvider.rsaKey("made-up-1"), JWSAlgorithm.RS256,
                claims("keel-admins").build()));
        assertThat(provider.jwksRequests()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(10));
        assertRefused(authenticator, TestingIdentityProvider.sign(TestingIdentityProvider.rsaKey("made-up-2"), JWSAlgorithm.RS256,
                claims("keel-admins").build()));
        assertThat(provider.jwksRequests()).isEqualTo(2);
        assertThat(authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers")).name()).isEqualTo("alice");
        assertThat(provider.jwksRequests()).isEqualTo(2);
    }

    @Test
    void keyRotation_aTokenUnderTheNewKeyIdWorksAfterTheRefetch_andTheOldKeyStopsWorking() {
        OidcAuthenticator authenticator = authenticator();
        String old = provider.token("alice", clock.instant(), "alpha-viewers");
        authenticator.authenticate(old);
        RSAKey rotated = TestingIdentityProvider.rsaKey("rsa-2");
        ECKey ec = provider.ec();
        provider.publish(rotated, ec);
        clock.advance(Duration.ofSeconds(31));

        Principal principal = authenticator.authenticate(TestingIdentityProvider.sign(rotated, JWSAlgorithm.RS256,
                claims("alpha-operators").build()));

        assertThat(principal.grants()).isEqualTo(Map.of("alpha", Role.OPERATOR));
        assertThat(provider.jwksRequests()).isEqualTo(2);
        assertRefused(authenticator, provider.token("alice", clock.instant(), "alpha-viewers"));
    }

    @Test
    void cachedKeys_areFetchedAgainAfterTheCacheTime() {
        OidcAuthenticator authenticator = authenticator();
        authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers"));
        clock.advance(Duration.ofMinutes(9));
        authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers"));
        assertThat(provider.jwksRequests()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers"));

        assertThat(provider.jwksRequests()).isEqualTo(2);
    }

    @Test
    void malformedTokens_areRefusedAsUnauthenticated_neverAnotherError() {
        OidcAuthenticator authenticator = authenticator();
        String valid = provider.token("alice", clock.instant(), "alpha-viewers");
        String[] parts = valid.split("\\.");
        String bomb = "[".repeat(5000) + "]".repeat(5000);
        String nested = Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"x\":" + bomb + "}").toString();
        String payloadBomb = Base64URL.encode("{\"sub\":" + bomb + "}").toString();
        String badTypes = Base64URL.encode("{\"iss\":\"" + provider.issuer() + "\",\"aud\":\"keel\",\"sub\":[1],\"exp\":\"tomorrow\"}").toString();

        for (String token : new String[] {"", "a.b.c", "eyJ.eyJ.", "eyJ!!!.abc.def", "eyJhbGciOiJSUzI1NiJ9", parts[0] + "." + parts[1],
            Base64URL.encode("not json").toString() + "." + parts[1] + "." + parts[2], nested + "." + parts[1] + "." + parts[2],
            parts[0] + "." + payloadBomb + "." + parts[2], parts[0] + "." + badTypes + "." + parts[2], valid + "." + parts[2],
            "eyJ" + "A".repeat(OidcAuthenticator.MAX_TOKEN_LENGTH) + ".a.b", parts[0] + "." + parts[1] + ".%%%"}) {
            assertRefused(authenticator, token);
        }
    }

    @Test
    void jwtShape_isThreeBase64UrlPartsWhoseFirstIsAJsonObject() {
        String valid = provider.token("alice", clock.instant(), "alpha-viewers");

        assertThat(OidcAuthenticator.isJwtShaped(valid)).isTrue();
        assertThat(OidcAuthenticator.isJwtShaped(new PlainJWT(claims().build()).serialize())).isTrue();
        assertThat(OidcAuthenticator.isJwtShaped("keel_abc.def.ghi")).isFalse();
        assertThat(OidcAuthenticator.isJwtShaped("0123456789abcdef0123456789abcdef")).isFalse();
        assertThat(OidcAuthenticator.isJwtShaped("eyJ.a")).isFalse();
        assertThat(OidcAuthenticator.isJwtShaped("eyJ" + "A".repeat(OidcAuthenticator.MAX_TOKEN_LENGTH) + ".a.b")).isFalse();
    }

    @Test
    void keysFoundByDiscovery_whenNoJwksUrlIsGiven() {
        String yaml = """
                security:
                  oidc:
                    issuer: '%s'
                    audience: keel
                """.formatted(provider.issuer()) + mappings();
        OidcSettings discovered = OidcSettings.from(KeelConfig.parse(yaml, Map.of()).root().section("security").section("oidc")).orElseThrow();

        assertThat(new OidcAuthenticator(discovered, clock).authenticate(provider.token("alice", clock.instant(), "alpha-viewers")).name())
                .isEqualTo("alice");
        assertThat(provider.jwksRequests()).isEqualTo(1);
    }

    @Test
    void providerWhoseKeysCannotBeRead_makesAuthenticationUnavailable_notAcceptedNorAServerError() {
        provider.answerJwksWith("{\"keys\": [".getBytes(StandardCharsets.UTF_8));
        OidcAuthenticator broken = authenticator();
        provider.answerJwksWith(("{\"keys\": [], \"padding\": \"" + "x".repeat(300 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8));
        OidcAuthenticator huge = new OidcAuthenticator(settings(""), new TestingClock(clock.instant()));

        assertThatThrownBy(() -> broken.authenticate(provider.token("alice", clock.instant(), "alpha-viewers")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThatThrownBy(() -> huge.authenticate(provider.token("alice", clock.instant(), "alpha-viewers")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void providerThatDoesNotAnswer_isGivenUpAfterTheFetchTimeout() {
        provider.answerJwksAfter(Duration.ofSeconds(5));
        OidcAuthenticator authenticator = new OidcAuthenticator(settings("    fetch-timeout: 500ms\n"), clock);
        long start = System.nanoTime();

        assertThatThrownBy(() -> authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void failedRefetch_keepsTheKeysFetchedBefore() {
        OidcAuthenticator authenticator = authenticator();
        authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers"));
        provider.answerJwksWith("not json".getBytes(StandardCharsets.UTF_8));
        clock.advance(Duration.ofMinutes(11));

        assertThat(authenticator.authenticate(provider.token("alice", clock.instant(), "alpha-viewers")).name()).isEqualTo("alice");
        assertThat(provider.jwksRequests()).isEqualTo(2);
    }

    private String sign(JWTClaimsSet claims) {
        return TestingIdentityProvider.sign(provider.rsa(), JWSAlgorithm.RS256, claims);
    }
}
