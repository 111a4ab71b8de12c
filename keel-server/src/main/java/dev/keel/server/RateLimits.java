package dev.keel.server;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request limits of {@code server.rate-limits}: per token, per project, per address for calls without a token, and the
 * brute-force guards on failed authentication and token creation. Each is a token bucket per key; a call over a limit is
 * refused with 429 {@code RATE_LIMITED} and {@code Retry-After}.
 */
final class RateLimits {
    /** Buckets kept per limit before full (idle) ones are forgotten. */
    static final int MAX_KEYS = 100_000;

    /** At most {@code requests} calls per {@code per}, with bursts up to {@code requests}. */
    record Limit(int requests, Duration per) {
        Limit {
            Objects.requireNonNull(per, "per");
            KeelException.requireArgument(requests > 0, "a limit needs at least 1 request, got %s", requests);
            KeelException.requireArgument(per.isPositive(), "a limit's period must be positive, got %s", per);
        }

        @Override
        public String toString() {
            return requests + " per " + describe(per);
        }
    }

    /**
     * The configured limits; the first three are off unless configured, the brute-force guards have defaults.
     *
     * @param failedAuthenticationPerAddress failed authentications one address may make ({@code failed-authentication-per-address})
     * @param failedAuthenticationPerToken failed authentications with one bearer value ({@code failed-authentication-per-token})
     * @param tokenCreation tokens one caller may create ({@code token-creation})
     */
    record Settings(Optional<Limit> perToken, Optional<Limit> perProject, Optional<Limit> unauthenticatedPerAddress,
                    Limit failedAuthenticationPerAddress, Limit failedAuthenticationPerToken, Limit tokenCreation) {
        static final Limit FAILED_PER_ADDRESS = new Limit(30, Duration.ofMinutes(1));
        static final Limit FAILED_PER_TOKEN = new Limit(10, Duration.ofMinutes(1));
        static final Limit TOKEN_CREATION = new Limit(20, Duration.ofMinutes(1));

        /** Reads {@code server.rate-limits}; a bad value fails naming the key, the value and what is allowed. */
        static Settings read(ConfigNode node) {
            Settings settings = new Settings(limit(node, "per-token"), limit(node, "per-project"), limit(node, "unauthenticated-per-address"),
                    limit(node, "failed-authentication-per-address").orElse(FAILED_PER_ADDRESS),
                    limit(node, "failed-authentication-per-token").orElse(FAILED_PER_TOKEN),
                    limit(node, "token-creation").orElse(TOKEN_CREATION));
            node.rejectUnknownKeys();
            return settings;
        }

        private static Optional<Limit> limit(ConfigNode parent, String name) {
            ConfigNode node = parent.section(name);
            List<String> keys = node.names();
            if (keys.isEmpty()) {
                return Optional.empty();
            }
            if (!keys.contains("requests") || !keys.contains("per")) {
                throw parent.invalid(name, keys, "a section with both 'requests' (a count) and 'per' (a duration), e.g. {requests: 100, per: 1m}");
            }
            int requests = node.integer("requests", 1, 1, 1_000_000_000);
            Duration per = node.duration("per", Duration.ofMinutes(1));
            if (per.isZero()) {
                throw node.invalid("per", node.string("per", ""), "a positive duration such as 1s, 1m or 1h");
            }
            node.rejectUnknownKeys();
            return Optional.of(new Limit(requests, per));
        }
    }

    private final Clock clock;
    private final Optional<Keyed> perToken;
    private final Optional<Keyed> perProject;
    private final Optional<Keyed> unauthenticated;
    private final Keyed failedPerAddress;
    private final Keyed failedPerToken;
    private final Keyed tokenCreation;

    RateLimits(Settings settings, Clock clock) {
        this.clock = clock;
        this.perToken = settings.perToken().map(limit -> new Keyed("server.rate-limits.per-token", limit));
        this.perProject = settings.perProject().map(limit -> new Keyed("server.rate-limits.per-project", limit));
        this.unauthenticated = settings.unauthenticatedPerAddress().map(limit -> new Keyed("server.rate-limits.unauthenticated-per-address",
                limit));
        this.failedPerAddress = new Keyed("server.rate-limits.failed-authentication-per-address", settings.failedAuthenticationPerAddress());
        this.failedPerToken = new Keyed("server.rate-limits.failed-authentication-per-token", settings.failedAuthenticationPerToken());
        this.tokenCreation = new Keyed("server.rate-limits.token-creation", settings.tokenCreation());
    }

    /** Refuses a caller that has failed to authenticate too often, from its address or with this bearer value, before it is checked. */
    void beforeAuthentication(String address, String bearer) {
        Instant now = clock.instant();
        failedPerAddress.peek(address, now).ifPresent(wait -> {
            throw refusal("address " + address + " failed to authenticate too often", failedPerAddress, wait);
        });
        failedPerToken.peek(fingerprint(bearer), now).ifPresent(wait -> {
            throw refusal("this token failed to authenticate too often", failedPerToken, wait);
        });
    }

    /** Counts a failed authentication against the address and the bearer value. */
    void failedAuthentication(String address, String bearer) {
        Instant now = clock.instant();
        failedPerAddress.take(address, now);
        failedPerToken.take(fingerprint(bearer), now);
    }

    void caller(String tokenId, String tokenName) {
        perToken.ifPresent(limit -> limit.take(tokenId, clock.instant()).ifPresent(wait -> {
            throw refusal("token '" + tokenName + "' made too many requests", limit, wait);
        }));
    }

    void project(String project) {
        perProject.ifPresent(limit -> limit.take(project, clock.instant()).ifPresent(wait -> {
            throw refusal("project '" + project + "' received too many requests", limit, wait);
        }));
    }

    void unauthenticated(String address) {
        unauthenticated.ifPresent(limit -> limit.take(address, clock.instant()).ifPresent(wait -> {
            throw refusal("address " + address + " made too many requests without a token", limit, wait);
        }));
    }

    void tokenCreation(String tokenId, String tokenName) {
        tokenCreation.take(tokenId, clock.instant()).ifPresent(wait -> {
            throw refusal("token '" + tokenName + "' created too many tokens", tokenCreation, wait);
        });
    }

    private static KeelException refusal(String what, Keyed limit, Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new KeelException(ErrorCode.RATE_LIMITED, what + ": the limit is " + limit.limit() + " (" + limit.key() + "); retry in "
                + seconds + "s", List.of(), Map.of("retryAfterSeconds", seconds), null);
    }

    /** A bearer value is never kept: its buckets are keyed by its SHA-256. */
    private static String fingerprint(String bearer) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bearer.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(Duration per) {
        if (per.toMillis() % 3_600_000 == 0) {
            return per.toHours() + "h";
        }
        if (per.toMillis() % 60_000 == 0) {
            return per.toMinutes() + "m";
        }
        return per.toMillis() % 1000 == 0 ? per.toSeconds() + "s" : per.toMillis() + "ms";
    }

    /** One limit's buckets by key; full buckets are forgotten once there are too many keys. */
    private static final class Keyed {
        private final String key;
        private final Limit limit;
        private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

        Keyed(String key, Limit limit) {
            this.key = key;
            this.limit = limit;
        }

        String key() {
            return key;
        }

        Limit limit() {
            return limit;
        }

        Optional<Duration> take(String name, Instant now) {
            if (buckets.size() > MAX_KEYS) {
                buckets.values().removeIf(bucket -> bucket.full(now));
            }
            return buckets.computeIfAbsent(name, ignored -> new TokenBucket(limit, now)).take(now);
        }

        Optional<Duration> peek(String name, Instant now) {
            TokenBucket bucket = buckets.get(name);
            return bucket == null ? Optional.empty() : bucket.peek(now);
        }
    }
}
