package dev.keel.core.security;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens: created with a random secret shown once, stored only as an HMAC-SHA256 of the secret under a server-side
 * key (the pepper, which never enters the store), scoped to roles per project, with expiry and revocation. Verified
 * tokens are cached for a short time so prediction traffic does not hit the store.
 */
public final class TokenService {
    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "keel_";
    private static final HexFormat HEX = HexFormat.of();
    private static final MessageDigest SHA_256 = digest();
    /** Hashes of tokens created before peppering: upgraded to the keyed scheme when they are next used. */
    static final String LEGACY_SCHEME = "sha256";
    /** The shortest secret a caller may choose for a token ({@code KEEL_ADMIN_TOKEN} included). */
    public static final int MIN_CHOSEN_SECRET = 32;

    private final Database database;
    private final Clock clock;
    private final Duration cacheTtl;
    private final Mac pepper;
    private final String scheme;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param pepper the server-side HMAC key (at least 32 bytes) under which secrets are hashed; the same on every replica
     * @throws KeelException INVALID_CONFIG when tokens in the store were hashed under another pepper
     */
    public TokenService(Database database, Clock clock, Duration cacheTtl, byte[] pepper) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cacheTtl = Objects.requireNonNull(cacheTtl, "cacheTtl");
        KeelException.requireArgument(pepper.length >= 32, "the token pepper must have at least 32 bytes, got %s", pepper.length);
        try {
            this.pepper = Mac.getInstance("HmacSHA256");
            this.pepper.init(new SecretKeySpec(pepper, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
        this.scheme = "hmac-sha256:" + mac("keel token pepper id").substring(0, 12);
        List<String> foreign = database.query("SELECT DISTINCT hash_scheme FROM tokens WHERE hash_scheme <> ? AND hash_scheme <> ?",
                row -> row.getString(1), scheme, LEGACY_SCHEME);
        if (!foreign.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "the tokens in the store were hashed under another pepper (" + foreign
                    + ", this server's is " + scheme + "); restore the pepper the store was created with (security.token-pepper-file"
                    + " or KEEL_SECURITY_TOKEN_PEPPER)");
        }
    }

    /** A token as listed: never its secret. */
    public record TokenInfo(String id, String name, Map<String, String> grants, Instant createdAt, String createdBy,
                            Optional<Instant> expiresAt, Optional<Instant> revokedAt) {
        /** active, expired or revoked at the given time. */
        public String state(Instant now) {
            if (revokedAt.isPresent()) {
                return "revoked";
            }
            return expiresAt.filter(at -> !at.isAfter(now)).isPresent() ? "expired" : "active";
        }
    }

    /** A token just created, with the secret that will not be shown again. */
    public record CreatedToken(TokenInfo token, String secret) {
    }

    private record Cached(Principal principal, Optional<Instant> expiresAt, Instant checkedAt) {
    }

    /**
     * Creates a token.
     *
     * @param grants role per project ({@code *} for every project)
     * @param secret the secret to use, or empty to generate one
     */
    public CreatedToken create(String name, Map<String, Role> grants, Optional<Instant> expiresAt, String createdBy,
                               Optional<String> secret) {
        KeelException.requireArgument(name != null && name.matches("[A-Za-z0-9._@-]{1,64}"),
                "name must be 1-64 letters, digits or ._@-, got '%s'", name);
        KeelException.requireArgument(!grants.isEmpty(), "grants must name at least one project and role, e.g. {\"default\": \"viewer\"}");
        Instant now = clock.instant();
        expiresAt.ifPresent(at -> KeelException.requireArgument(at.isAfter(now), "expiresAt must be in the future, got %s", at));
        String value = secret.orElseGet(TokenService::newSecret);
        KeelException.requireArgument(value.length() >= MIN_CHOSEN_SECRET, "a token secret must have at least %s characters, got %s",
                MIN_CHOSEN_SECRET, value.length());
        String id = "tk_" + HexFormat.of().formatHex(randomBytes(6));
        Map<String, String> wire = new LinkedHashMap<>();
        grants.forEach((project, role) -> wire.put(project, role.wireName()));
        database.update("INSERT INTO tokens (id, name, secret_hash, hash_scheme, grants, created_at, created_by, expires_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, name, hash(value), scheme, Json.write(wire), now, createdBy, expiresAt.orElse(null));
        return new CreatedToken(new TokenInfo(id, name, wire, now, createdBy, expiresAt, Optional.empty()), value);
    }

    /** Every token, newest first. */
    public List<TokenInfo> list() {
        return database.query("SELECT * FROM tokens ORDER BY created_at DESC, id", TokenService::info);
    }

    public Optional<TokenInfo> find(String id) {
        return database.queryOne("SELECT * FROM tokens WHERE id = ?", TokenService::info, id);
    }

    /** Revokes a token; it stops working at once on this server and within the cache TTL on others. */
    public TokenInfo revoke(String id, String revokedBy) {
        TokenInfo token = find(id).orElseThrow(() -> KeelException.notFound("token '" + id + "' does not exist"));
        if (token.revokedAt().isEmpty()) {
            database.update("UPDATE tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?", clock.instant(), revokedBy, id);
        }
        cache.values().removeIf(cached -> cached.principal().tokenId().equals(id));
        return find(id).orElseThrow();
    }

    /** True when some token is stored under a pepper: a new pepper would lock them all out. */
    public static boolean hasPepperedTokens(Database database) {
        return database.queryOne("SELECT COUNT(*) FROM tokens WHERE hash_scheme <> ?", row -> row.getLong(1), LEGACY_SCHEME).orElse(0L) > 0;
    }

    /** True when no token exists yet: the first start. */
    public boolean isEmpty() {
        return database.queryOne("SELECT COUNT(*) FROM tokens", row -> row.getLong(1)).orElse(0L) == 0;
    }

    /**
     * Verifies a bearer secret. Whether the token is unknown, expired or revoked is logged but not told to the caller.
     *
     * @throws KeelException UNAUTHENTICATED, the same for every reason
     */
    public Principal authenticate(String secret) {
        String key = hash(secret);
        Instant now = clock.instant();
        Cached cached = cache.get(key);
        if (cached != null && cached.checkedAt().plus(cacheTtl).isAfter(now)) {
            if (cached.expiresAt().filter(at -> !at.isAfter(now)).isPresent()) {
                cache.remove(key);
                throw refused("expired", cached.principal().tokenId());
            }
            return cached.principal();
        }
        TokenInfo info = database.queryOne("SELECT * FROM tokens WHERE secret_hash = ? AND hash_scheme = ?", TokenService::info, key, scheme)
                .or(() -> upgradeLegacy(secret, key))
                .orElseThrow(() -> refused("unknown", "-"));
        if (info.revokedAt().isPresent()) {
            throw refused("revoked", info.id());
        }
        if (info.expiresAt().filter(at -> !at.isAfter(now)).isPresent()) {
            throw refused("expired", info.id());
        }
        Map<String, Role> grants = new LinkedHashMap<>();
        info.grants().forEach((project, role) -> grants.put(project, Role.parse(role).orElseThrow()));
        Principal principal = new Principal(info.id(), info.name(), grants);
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(key, new Cached(principal, info.expiresAt(), now));
        return principal;
    }

    /** A token stored under the unkeyed SHA-256 of older versions: found by that hash once, then stored under the pepper. */
    private Optional<TokenInfo> upgradeLegacy(String secret, String key) {
        String legacy = HEX.formatHex(sha256().digest(secret.getBytes(StandardCharsets.UTF_8)));
        Optional<TokenInfo> found = database.queryOne("SELECT * FROM tokens WHERE secret_hash = ? AND hash_scheme = ?", TokenService::info,
                legacy, LEGACY_SCHEME);
        found.ifPresent(token -> {
            database.update("UPDATE tokens SET secret_hash = ?, hash_scheme = ? WHERE id = ? AND hash_scheme = ?", key, scheme, token.id(),
                    LEGACY_SCHEME);
            LOG.info("token {} is now stored under the server's pepper instead of a bare SHA-256", token.id());
        });
        return found;
    }

    /** How many tokens are still stored as a bare SHA-256 (created before peppering and not used since). */
    public long legacyHashes() {
        return database.queryOne("SELECT COUNT(*) FROM tokens WHERE hash_scheme = ?", row -> row.getLong(1), LEGACY_SCHEME).orElse(0L);
    }

    private static KeelException refused(String reason, String tokenId) {
        return refuse(reason + " (token " + tokenId + ")");
    }

    /**
     * Logs why a bearer value was refused and returns the one answer every refusal gets, so that a caller cannot tell an
     * unknown token from an expired, revoked or forged one.
     *
     * @param reason what was wrong, for the server log; it must not hold the bearer value
     */
    public static KeelException refuse(String reason) {
        LOG.info("refused a bearer token: {}", reason);
        return new KeelException(ErrorCode.UNAUTHENTICATED, "the token is not valid; send 'Authorization: Bearer <token>' with a"
                + " current token");
    }

    private static TokenInfo info(ResultSet row) throws SQLException {
        Map<String, String> grants = Json.read(row.getString("grants"), new TypeReference<LinkedHashMap<String, String>>() { });
        return new TokenInfo(row.getString("id"), row.getString("name"), grants, Instant.ofEpochMilli(row.getLong("created_at")),
                row.getString("created_by"), Database.instant(row, "expires_at"), Database.instant(row, "revoked_at"));
    }

    static String newSecret() {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The stored form of a secret: HMAC-SHA256 under the pepper, hex. */
    String hash(String secret) {
        return mac(secret);
    }

    private String mac(String text) {
        Mac copy;
        try {
            copy = (Mac) pepper.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
        return HEX.formatHex(copy.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** A fresh SHA-256 digest, cloned from one looked up once: looking up a provider on every request costs more than hashing. */
    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return digest();
        }
    }
}
