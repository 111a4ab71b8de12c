package dev.keel.core.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's public keys, fetched over HTTP(S) with timeouts and a size cap and cached for {@code jwks-cache}.
 * A key id that is not in the cache causes one fetch, at most once per {@code jwks-refetch-min-interval}, so a stream of
 * made-up key ids cannot make Keel hammer the provider; a failed fetch keeps the keys fetched before.
 */
final class ProviderKeys implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderKeys.class);

    private final OidcSettings settings;
    private final Clock clock;
    private final HttpClient http;
    private Optional<URI> jwksUrl;
    private Optional<JWKSet> keys = Optional.empty();
    private Instant fetchedAt = Instant.MIN;
    private Optional<Instant> lastAttempt = Optional.empty();

    ProviderKeys(OidcSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.jwksUrl = settings.jwksUrl();
        this.http = HttpClient.newBuilder().connectTimeout(settings.fetchTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        Instant now = clock.instant();
        boolean mayFetch = lastAttempt.map(at -> !at.plus(settings.jwksRefetchMinInterval()).isAfter(now)).orElse(true);
        boolean stale = keys.isEmpty() || !fetchedAt.plus(settings.jwksCache()).isAfter(now);
        boolean fetched = false;
        if (stale && mayFetch) {
            refresh(now);
            fetched = true;
        }
        JWKSet current = keys.orElseThrow(() -> new KeySourceException("the identity provider's keys could not be fetched; the next"
                + " attempt is allowed " + settings.jwksRefetchMinInterval() + " after the last"));
        List<JWK> found = selector.select(current);
        if (found.isEmpty() && mayFetch && !fetched) {
            LOG.info("no key of the identity provider matches a token's key id; fetching the keys again");
            refresh(now);
            found = selector.select(keys.orElseThrow());
        }
        return found;
    }

    private void refresh(Instant now) throws KeySourceException {
        lastAttempt = Optional.of(now);
        try {
            URI url = jwksUrl.isPresent() ? jwksUrl.get() : discover();
            jwksUrl = Optional.of(url);
            JWKSet fetched = JWKSet.parse(read(url)).toPublicJWKSet();
            keys = Optional.of(fetched);
            fetchedAt = now;
        } catch (KeySourceException e) {
            if (keys.isEmpty()) {
                LOG.warn("cannot fetch the identity provider's keys: {}", e.getMessage());
                throw e;
            }
            LOG.warn("cannot fetch the identity provider's keys again ({}); using those fetched at {}", e.getMessage(), fetchedAt);
        } catch (ParseException e) {
            KeySourceException failure = new KeySourceException("the key set at " + jwksUrl.map(URI::toString).orElse("?")
                    + " is not a JSON Web Key Set: " + e.getMessage(), e);
            if (keys.isEmpty()) {
                LOG.warn("{}", failure.getMessage());
                throw failure;
            }
            LOG.warn("{}; using the keys fetched at {}", failure.getMessage(), fetchedAt);
        }
    }

    /** Reads {@code jwks_uri} from the discovery document, whose {@code issuer} must be the configured one exactly. */
    private URI discover() throws KeySourceException {
        URI discovery = settings.discoveryUrl();
        JsonNode document;
        try {
            document = Json.MAPPER.readTree(read(discovery));
        } catch (IOException e) {
            throw new KeySourceException("the discovery document at " + discovery + " is not JSON", e);
        }
        String issuer = document.path("issuer").asText("");
        if (!issuer.equals(settings.issuer().toString())) {
            throw new KeySourceException("the discovery document at " + discovery + " names issuer '" + issuer + "'; expected '"
                    + settings.issuer() + "'");
        }
        String jwks = document.path("jwks_uri").asText("");
        try {
            URI uri = new URI(jwks);
            boolean secure = "https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && uri.getHost() != null
                    && OidcSettings.isLoopback(uri.getHost());
            if (!secure || uri.getHost() == null) {
                throw new KeySourceException("the discovery document at " + discovery + " gives jwks_uri '" + jwks + "'; expected an"
                        + " https:// URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new KeySourceException("the discovery document at " + discovery + " gives jwks_uri '" + jwks + "', which is not a URL", e);
        }
    }

    /** GETs a document of at most {@code max-document-size} bytes; redirects are not followed. */
    private String read(URI url) throws KeySourceException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(settings.fetchTimeout()).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new KeySourceException("GET " + url + " answered HTTP " + response.statusCode() + "; expected 200");
                }
                byte[] bytes = body.readNBytes(Math.toIntExact(settings.maxDocumentSize() + 1));
                if (bytes.length > settings.maxDocumentSize()) {
                    throw new KeySourceException("GET " + url + " answered more than " + settings.maxDocumentSize() + " bytes"
                            + " (security.oidc.max-document-size)");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new KeySourceException("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeySourceException("interrupted while fetching " + url, e);
        }
    }
}
