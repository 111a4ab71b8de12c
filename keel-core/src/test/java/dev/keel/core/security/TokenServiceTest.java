package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

@OnEachStore
class TokenServiceTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private Database database;
    private final TestingClock clock = new TestingClock();
    private TokenService tokens;
    private static final byte[] PEPPER = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final String SAME_ANSWER = "the token is not valid; send 'Authorization: Bearer <token>' with a current token";

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        database = store.database();
        tokens = new TokenService(database, clock, Duration.ofSeconds(5), PEPPER);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void create_thenAuthenticate_givesThePrincipalWithItsGrants() {
        TokenService.CreatedToken created = tokens.create("ci-bot", Map.of("default", Role.SCIENTIST, "*", Role.VIEWER), Optional.empty(),
                "admin", Optional.empty());

        Principal principal = tokens.authenticate(created.secret());

        assertThat(created.secret()).startsWith("keel_").hasSizeGreaterThan(40);
        assertThat(principal.tokenId()).isEqualTo(created.token().id());
        assertThat(principal.name()).isEqualTo("ci-bot");
        assertThat(principal.grants()).isEqualTo(Map.of("default", Role.SCIENTIST, "*", Role.VIEWER));
        assertThat(tokens.list()).extracting(TokenService.TokenInfo::id).containsExactly(created.token().id());
        assertThat(tokens.isEmpty()).isFalse();
    }

    @Test
    void secret_isNeverStoredInClear() {
        TokenService.CreatedToken created = tokens.create("reader", Map.of("default", Role.VIEWER), Optional.empty(), "admin",
                Optional.empty());

        List<String> cells = database.query("SELECT * FROM tokens", row -> {
            StringBuilder all = new StringBuilder();
            for (int column = 1; column <= row.getMetaData().getColumnCount(); column++) {
                all.append(row.getString(column)).append('|');
            }
            return all.toString();
        });

        assertThat(cells).hasSize(1);
        assertThat(cells.getFirst()).doesNotContain(created.secret())
                .doesNotContain(created.secret().substring("keel_".length()))
                .contains(tokens.hash(created.secret()))
                .doesNotContain(sha256(created.secret()));
    }

    @Test
    void storedHash_isKeyedByThePepper_soACopiedStoreCannotBeCheckedOffline() {
        TokenService.CreatedToken created = tokens.create("reader", Map.of("default", Role.VIEWER), Optional.empty(), "admin",
                Optional.empty());
        String stored = database.queryOne("SELECT secret_hash FROM tokens", row -> row.getString(1)).orElseThrow();

        byte[] otherPepper = "fedcba9876543210fedcba9876543210".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String underOtherPepper;
        try (TestDatabases.Opened other = TestDatabases.open(kind, directory.resolve("other"))) {
            underOtherPepper = new TokenService(other.database(), clock, Duration.ofSeconds(5), otherPepper).hash(created.secret());
        }

        assertThat(stored).isEqualTo(tokens.hash(created.secret())).isNotEqualTo(sha256(created.secret()))
                .isNotEqualTo(underOtherPepper);
    }

    @Test
    void storeHashedUnderAnotherPepper_isRefusedAtStartNamingThePepperSetting() {
        tokens.create("reader", Map.of("default", Role.VIEWER), Optional.empty(), "admin", Optional.empty());
        byte[] otherPepper = "fedcba9876543210fedcba9876543210".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> new TokenService(database, clock, Duration.ofSeconds(5), otherPepper))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("another pepper").hasMessageContaining("KEEL_SECURITY_TOKEN_PEPPER");
        assertThat(TokenService.hasPepperedTokens(database)).isTrue();
    }

    @Test
    void legacySha256Token_stillAuthenticates_andIsRehashedUnderThePepperOnFirstUse() {
        String secret = "keel_token-made-by-an-older-version-0123456789";
        database.update("INSERT INTO tokens (id, name, secret_hash, grants, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                "tk_0000000000aa", "old", sha256(secret), "{\"default\":\"viewer\"}", clock.instant(), "admin");
        assertThat(tokens.legacyHashes()).isEqualTo(1);

        assertThat(tokens.authenticate(secret).tokenId()).isEqualTo("tk_0000000000aa");

        assertThat(tokens.legacyHashes()).isZero();
        assertThat(database.queryOne("SELECT secret_hash FROM tokens WHERE id = ?", row -> row.getString(1), "tk_0000000000aa"))
                .contains(tokens.hash(secret));
        clock.advance(Duration.ofSeconds(10));
        assertThat(tokens.authenticate(secret).name()).isEqualTo("old");
    }

    @Test
    void unknownRevokedAndExpired_allGetTheSameAnswer() {
        TokenService.CreatedToken revoked = tokens.create("revoked", Map.of("default", Role.VIEWER), Optional.empty(), "admin",
                Optional.empty());
        tokens.revoke(revoked.token().id(), "admin");
        TokenService.CreatedToken expired = tokens.create("expired", Map.of("default", Role.VIEWER),
                Optional.of(clock.instant().plus(Duration.ofMinutes(1))), "admin", Optional.empty());
        clock.advance(Duration.ofMinutes(2));

        List<String> answers = java.util.stream.Stream.of("keel_not-a-real-token-at-all", revoked.secret(), expired.secret())
                .map(secret -> {
                    try {
                        tokens.authenticate(secret);
                        return "accepted";
                    } catch (KeelException e) {
                        return e.code() + ": " + e.getMessage();
                    }
                }).toList();

        assertThat(answers).containsOnly("UNAUTHENTICATED: " + SAME_ANSWER).hasSize(3);
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void authenticate_unknownSecret_isUnauthenticated() {
        assertThatThrownBy(() -> tokens.authenticate("keel_not-a-real-token-at-all"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessage(SAME_ANSWER);
    }

    @Test
    void authenticate_afterExpiry_isUnauthenticatedEvenWhenCached() {
        TokenService.CreatedToken created = tokens.create("short", Map.of("default", Role.VIEWER),
                Optional.of(clock.instant().plus(Duration.ofMinutes(1))), "admin", Optional.empty());
        tokens.authenticate(created.secret());

        clock.advance(Duration.ofSeconds(61));

        assertThatThrownBy(() -> tokens.authenticate(created.secret()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessage(SAME_ANSWER);
        assertThat(tokens.find(created.token().id()).orElseThrow().state(clock.instant())).isEqualTo("expired");
    }

    @Test
    void authenticate_afterExpiry_isUnauthenticatedWhenNotCached() {
        TokenService.CreatedToken created = tokens.create("short", Map.of("default", Role.VIEWER),
                Optional.of(clock.instant().plus(Duration.ofMinutes(1))), "admin", Optional.empty());

        clock.advance(Duration.ofMinutes(2));

        assertThatThrownBy(() -> tokens.authenticate(created.secret())).hasMessage(SAME_ANSWER);
        assertThat(tokens.find(created.token().id()).orElseThrow().state(clock.instant())).isEqualTo("expired");
    }

    @Test
    void revoke_stopsTheTokenAtOnceAndIsRecorded() {
        TokenService.CreatedToken created = tokens.create("leaked", Map.of("default", Role.ADMIN), Optional.empty(), "admin",
                Optional.empty());
        tokens.authenticate(created.secret());

        TokenService.TokenInfo revoked = tokens.revoke(created.token().id(), "security-team");

        assertThat(revoked.revokedAt()).contains(clock.instant());
        assertThat(revoked.state(clock.instant())).isEqualTo("revoked");
        assertThatThrownBy(() -> tokens.authenticate(created.secret()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessage(SAME_ANSWER);
        assertThat(database.queryOne("SELECT revoked_by FROM tokens WHERE id = ?", row -> row.getString(1), created.token().id()))
                .contains("security-team");
    }

    @Test
    void revoke_seenByAnotherServerOnceItsCacheExpires() {
        TokenService.CreatedToken created = tokens.create("shared", Map.of("default", Role.VIEWER), Optional.empty(), "admin",
                Optional.empty());
        TokenService otherReplica = new TokenService(database, clock, Duration.ofSeconds(5), PEPPER);
        otherReplica.authenticate(created.secret());

        tokens.revoke(created.token().id(), "admin");
        clock.advance(Duration.ofSeconds(6));

        assertThatThrownBy(() -> otherReplica.authenticate(created.secret())).hasMessage(SAME_ANSWER);
    }

    @Test
    void revoke_unknownToken_isNotFound() {
        assertThatThrownBy(() -> tokens.revoke("tk_000000000000", "admin"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("tk_000000000000");
    }

    @Test
    void create_refusesBadNamesEmptyGrantsPastExpiryAndShortSecrets() {
        assertThatThrownBy(() -> tokens.create("bad name!", Map.of("default", Role.VIEWER), Optional.empty(), "admin", Optional.empty()))
                .hasMessageContaining("bad name!");
        assertThatThrownBy(() -> tokens.create("empty", Map.of(), Optional.empty(), "admin", Optional.empty()))
                .hasMessageContaining("grants");
        assertThatThrownBy(() -> tokens.create("past", Map.of("default", Role.VIEWER), Optional.of(clock.instant()), "admin",
                Optional.empty())).hasMessageContaining("expiresAt");
        assertThatThrownBy(() -> tokens.create("short", Map.of("default", Role.VIEWER), Optional.empty(), "admin", Optional.of("abc")))
                .hasMessageContaining("at least 32 characters, got 3");
        assertThatThrownBy(() -> tokens.create("short", Map.of("default", Role.VIEWER), Optional.empty(), "admin",
                Optional.of("a-human-chosen-password-31-char"))).hasMessageContaining("got 31");
        assertThat(tokens.isEmpty()).isTrue();
    }

    @Test
    void create_withGivenSecret_authenticatesWithIt() {
        tokens.create("bootstrap", Map.of("*", Role.ADMIN), Optional.empty(), "keel", Optional.of("keel_bootstrap-secret-0123456789-abcdefghij"));

        assertThat(tokens.authenticate("keel_bootstrap-secret-0123456789-abcdefghij").name()).isEqualTo("bootstrap");
    }
}
