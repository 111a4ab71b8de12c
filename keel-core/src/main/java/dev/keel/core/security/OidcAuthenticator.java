package dev.keel.core.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWT bearer tokens of an OpenID Connect identity provider against its published keys, and turns the caller's
 * groups into Keel roles per project.
 */
public final class OidcAuthenticator {
    /** The longest bearer value read at all; longer ones are refused before they are parsed. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(OidcAuthenticator.class);
    /** Three base64url parts, the first of which encodes a JSON object: a JWS in compact form (the signature may be empty). */
    private static final Pattern JWT_SHAPE = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");
    private static final String TOKEN_ID_PREFIX = "oidc:";

    private final OidcSettings settings;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public OidcAuthenticator(OidcSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        settings.algorithms().forEach(algorithm -> algorithms.add(jose(algorithm)));
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, new ProviderKeys(settings, clock)));
        ClockedClaimsVerifier verifier = new ClockedClaimsVerifier(settings, clock);
        verifier.setMaxClockSkew(Math.toIntExact(settings.clockSkew().toSeconds()));
        processor.setJWTClaimsSetVerifier(verifier);
    }

    /** True when the bearer value has the shape of a signed JWT, so that it is the identity provider's to verify. */
    public static boolean isJwtShaped(String token) {
        return token.length() <= MAX_TOKEN_LENGTH && JWT_SHAPE.matcher(token).matches();
    }

    /**
     * Verifies the token's signature (with an allowed algorithm and a key of the provider), issuer, audience, expiry and
     * not-before, and maps its groups to roles. Why a token was refused is logged, never the token; the caller is told the
     * same for every reason.
     *
     * @throws KeelException UNAUTHENTICATED for every refusal; UNAVAILABLE when the provider's keys cannot be fetched and none
     *     are cached
     */
    public Principal authenticate(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw TokenService.refuse("an OIDC token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (KeySourceException e) {
            LOG.warn("cannot verify an OIDC token: {}", printable(e.getMessage()));
            throw new KeelException(ErrorCode.UNAVAILABLE, "the identity provider's signing keys cannot be fetched; retry later");
        } catch (ParseException e) {
            throw TokenService.refuse("an OIDC token that does not parse: " + printable(e.getMessage()));
        } catch (BadJOSEException | JOSEException e) {
            throw TokenService.refuse("an OIDC token: " + printable(e.getMessage()));
        } catch (RuntimeException e) {
            throw TokenService.refuse("a malformed OIDC token (" + e.getClass().getSimpleName() + ")");
        }
        String subject = claims.getSubject();
        List<String> groups = groups(claims);
        Map<String, Role> grants = grants(groups);
        if (grants.isEmpty()) {
            throw TokenService.refuse("OIDC subject '" + printable(subject) + "' is in no mapped group (groups " + printable(groups.toString())
                    + ")");
        }
        return new Principal(TOKEN_ID_PREFIX + subject, name(claims, subject), grants);
    }

    /** Roles per project for the groups: every mapping that names one of them, the highest role winning per project. */
    Map<String, Role> grants(List<String> groups) {
        Map<String, Role> grants = new LinkedHashMap<>();
        for (OidcSettings.Mapping mapping : settings.mappings()) {
            if (groups.contains(mapping.group())) {
                grants.merge(mapping.project(), mapping.role(), OidcAuthenticator::stronger);
            }
        }
        return grants;
    }

    /**
     * Of two roles mapped in one project, the one that includes the other; of two that do not (steward and operator), the one with
     * more permissions, never a third that would grant what neither mapping gave.
     */
    static Role stronger(Role held, Role given) {
        if (held.includes(given)) {
            return held;
        }
        if (given.includes(held)) {
            return given;
        }
        return given.permissions().size() > held.permissions().size() ? given : held;
    }

    private String name(JWTClaimsSet claims, String subject) {
        for (String claim : settings.nameClaims()) {
            if (claims.getClaim(claim) instanceof String value && !value.isBlank()) {
                return value;
            }
        }
        return subject;
    }

    /** The groups claim's values: a list of strings or one string; a dotted name reaches into nested objects. */
    private List<String> groups(JWTClaimsSet claims) {
        String[] path = settings.groupsClaim().split("\\.");
        Object value = claims.getClaim(path[0]);
        for (int index = 1; index < path.length && value != null; index++) {
            value = value instanceof Map<?, ?> map ? map.get(path[index]) : null;
        }
        List<String> groups = new ArrayList<>();
        if (value instanceof String single) {
            groups.add(single);
        } else if (value instanceof List<?> list) {
            list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(groups::add);
        }
        return groups;
    }

    private static JWSAlgorithm jose(OidcSettings.Algorithm algorithm) {
        return switch (algorithm) {
            case RS256 -> JWSAlgorithm.RS256;
            case RS384 -> JWSAlgorithm.RS384;
            case RS512 -> JWSAlgorithm.RS512;
            case PS256 -> JWSAlgorithm.PS256;
            case PS384 -> JWSAlgorithm.PS384;
            case PS512 -> JWSAlgorithm.PS512;
            case ES256 -> JWSAlgorithm.ES256;
            case ES384 -> JWSAlgorithm.ES384;
            case ES512 -> JWSAlgorithm.ES512;
            case EdDSA -> JWSAlgorithm.EdDSA;
        };
    }

    /** Text from a token made safe for one log line: control and non-ASCII characters replaced, at most 200 characters. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder safe = new StringBuilder();
        for (int index = 0; index < text.length() && safe.length() < 200; index++) {
            char character = text.charAt(index);
            safe.append(character >= 0x20 && character < 0x7f ? character : '?');
        }
        return text.length() > 200 ? safe + "…" : safe.toString();
    }

    /** Nimbus's claims checks, with exact issuer, the audience and exp/sub required, against Keel's clock. */
    private static final class ClockedClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final Clock clock;

        ClockedClaimsVerifier(OidcSettings settings, Clock clock) {
            super(Set.of(settings.audience()), new JWTClaimsSet.Builder().issuer(settings.issuer().toString()).build(),
                    Set.of("iss", "aud", "exp", "sub"), Set.of());
            this.clock = clock;
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }
    }
}
