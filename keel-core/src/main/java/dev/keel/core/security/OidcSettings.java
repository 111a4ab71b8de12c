package dev.keel.core.security;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of {@code security.oidc}: which identity provider's JWTs are accepted and how their groups map to Keel roles.
 *
 * @param issuer the exact {@code iss} every token must carry ({@code issuer})
 * @param audience the value {@code aud} must hold ({@code audience})
 * @param jwksUrl where the provider's public keys are ({@code jwks-url}); when absent, {@code jwks_uri} from
 *     {@code <issuer>/.well-known/openid-configuration}
 * @param algorithms the signature algorithms accepted ({@code algorithms}, default RS256 and ES256); HS*, {@code none} and
 *     unknown names are refused
 * @param clockSkew how far {@code exp} and {@code nbf} may be off ({@code clock-skew}, 60s, at most 5m)
 * @param jwksCache how long fetched keys are used before they are fetched again ({@code jwks-cache}, 10m)
 * @param jwksRefetchMinInterval the shortest time between two fetches caused by an unknown {@code kid}
 *     ({@code jwks-refetch-min-interval}, 30s)
 * @param fetchTimeout how long connecting to and reading from the provider may take ({@code fetch-timeout}, 5s)
 * @param maxDocumentSize the largest key set or discovery document read ({@code max-document-size}, 256kb)
 * @param nameClaims the claims tried in turn for the caller's name ({@code name-claim}, preferred_username then sub)
 * @param groupsClaim the claim holding the caller's groups or roles ({@code groups-claim}, groups); a dotted path reaches
 *     into objects ({@code realm_access.roles})
 * @param mappings which group gives which role in which project ({@code mappings})
 */
public record OidcSettings(URI issuer, String audience, Optional<URI> jwksUrl, List<Algorithm> algorithms, Duration clockSkew,
                           Duration jwksCache, Duration jwksRefetchMinInterval, Duration fetchTimeout, long maxDocumentSize,
                           List<String> nameClaims, String groupsClaim, List<Mapping> mappings) {
    /** The longest clock skew accepted in configuration. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    public OidcSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(jwksUrl, "jwksUrl");
        algorithms = List.copyOf(algorithms);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(jwksCache, "jwksCache");
        Objects.requireNonNull(jwksRefetchMinInterval, "jwksRefetchMinInterval");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        nameClaims = List.copyOf(nameClaims);
        Objects.requireNonNull(groupsClaim, "groupsClaim");
        mappings = List.copyOf(mappings);
        KeelException.requireArgument(!algorithms.isEmpty(), "at least one signature algorithm must be allowed");
        KeelException.requireArgument(!mappings.isEmpty(), "at least one group mapping is needed, or every caller would be refused");
    }

    /** A signature algorithm with a public key; symmetric (HS*) and unsigned ({@code none}) tokens are never accepted. */
    public enum Algorithm {
        RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA;

        static Optional<Algorithm> parse(String name) {
            for (Algorithm algorithm : values()) {
                if (algorithm.name().equalsIgnoreCase(name.trim())) {
                    return Optional.of(algorithm);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One line of the group mapping: a caller whose groups claim holds {@code group} gets {@code role} in {@code project}
     * ({@code *} for every project and the server-wide routes).
     */
    public record Mapping(String group, String project, Role role) {
        public Mapping {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(project, "project");
            Objects.requireNonNull(role, "role");
        }
    }

    /**
     * Reads {@code security.oidc}; empty when the section is absent or has no {@code issuer}. Unknown keys and bad values fail
     * naming the key, the value and what is allowed.
     */
    public static Optional<OidcSettings> from(ConfigNode node) {
        Optional<String> issuerValue = node.string("issuer").filter(value -> !value.isBlank());
        URI issuer = issuerValue.map(value -> url(node, "issuer", value)).orElse(null);
        String audience = node.string("audience", "").trim();
        Optional<URI> jwksUrl = node.string("jwks-url").filter(value -> !value.isBlank()).map(value -> url(node, "jwks-url", value));
        List<Algorithm> algorithms = new ArrayList<>();
        for (String name : node.strings("algorithms").orElse(List.of("RS256", "ES256"))) {
            algorithms.add(Algorithm.parse(name).orElseThrow(() -> node.invalid("algorithms", name, name.trim().toUpperCase(Locale.ROOT)
                    .startsWith("HS") ? "an algorithm with a public key; HS* would let anyone holding the provider's public key sign tokens"
                    : "one of " + List.of(Algorithm.values()) + " (never none)")));
        }
        Duration clockSkew = node.duration("clock-skew", Duration.ofSeconds(60));
        if (clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw node.invalid("clock-skew", clockSkew, "at most 5m");
        }
        Duration jwksCache = positive(node, "jwks-cache", Duration.ofMinutes(10));
        Duration refetchMinInterval = node.duration("jwks-refetch-min-interval", Duration.ofSeconds(30));
        if (refetchMinInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw node.invalid("jwks-refetch-min-interval", refetchMinInterval, "at least 1s, so that unknown key ids cannot make Keel"
                    + " fetch the provider's keys on every request");
        }
        Duration fetchTimeout = positive(node, "fetch-timeout", Duration.ofSeconds(5));
        long maxDocumentSize = node.size("max-document-size", 256L << 10);
        if (maxDocumentSize < 1024 || maxDocumentSize > (16L << 20)) {
            throw node.invalid("max-document-size", maxDocumentSize, "from 1kb to 16mb");
        }
        List<String> nameClaims = node.strings("name-claim").orElse(List.of("preferred_username", "sub"));
        String groupsClaim = node.string("groups-claim", "groups").trim();
        List<Mapping> mappings = new ArrayList<>();
        for (ConfigNode entry : node.sections("mappings")) {
            String group = entry.string("group", "").trim();
            if (group.isEmpty()) {
                throw entry.invalid("group", group, "the group or role name the groups claim holds");
            }
            String project = entry.string("project", "").trim();
            if (!project.equals(Principal.ALL_PROJECTS) && !project.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
                throw entry.invalid("project", project, "a project name or * for every project");
            }
            String roleName = entry.string("role", "");
            Role role = Role.parse(roleName.trim()).orElseThrow(() -> entry.invalid("role", roleName,
                    "one of viewer, consumer, scientist, steward, operator, admin"));
            entry.rejectUnknownKeys();
            mappings.add(new Mapping(group, project, role));
        }
        node.rejectUnknownKeys();
        if (issuer == null) {
            if (!audience.isEmpty() || jwksUrl.isPresent() || !mappings.isEmpty()) {
                throw node.invalid("issuer", "", "the identity provider's issuer URL when the other security.oidc keys are set");
            }
            return Optional.empty();
        }
        if (audience.isEmpty()) {
            throw node.invalid("audience", "", "the audience Keel's tokens are issued for (the aud claim)");
        }
        if (groupsClaim.isEmpty()) {
            throw node.invalid("groups-claim", "", "the name of the claim that holds the caller's groups");
        }
        if (nameClaims.isEmpty()) {
            throw node.invalid("name-claim", "", "one or more claim names");
        }
        if (mappings.isEmpty()) {
            throw node.invalid("mappings", "[]", "at least one {group, project, role}; without one every caller would be refused");
        }
        return Optional.of(new OidcSettings(issuer, audience, jwksUrl, algorithms, clockSkew, jwksCache, refetchMinInterval, fetchTimeout,
                maxDocumentSize, nameClaims, groupsClaim, mappings));
    }

    /** The discovery document's address: {@code <issuer>/.well-known/openid-configuration}. */
    public URI discoveryUrl() {
        String text = issuer.toString();
        return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/.well-known/openid-configuration");
    }

    private static Duration positive(ConfigNode node, String name, Duration fallback) {
        Duration value = node.duration(name, fallback);
        if (value.isZero() || value.isNegative()) {
            throw node.invalid(name, value, "a positive duration such as 30s or 10m");
        }
        return value;
    }

    /** An https URL, or http to a loopback address (a provider on the same machine, or a test). */
    private static URI url(ConfigNode node, String name, String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw node.invalid(name, value, "an https:// URL");
        }
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && isLoopback(uri.getHost()))) {
            throw node.invalid(name, value, "an https:// URL (http:// only to localhost or a loopback address)");
        }
        return uri;
    }

    /** True for {@code localhost} and literal loopback addresses; names are not resolved. */
    static boolean isLoopback(String host) {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
