package dev.keel.core.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Date;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A small OpenID Connect identity provider on the JDK's HTTP server: discovery, a JSON Web Key Set holding an RSA and an EC key
 * generated here (which a test may replace, to rotate keys), and the device authorization grant's two endpoints with answers a
 * test scripts. It counts the requests for its key set.
 */
public final class TestingIdentityProvider implements AutoCloseable {
    /** The audience tokens are issued for. */
    public static final String AUDIENCE = "keel";

    private final HttpServer server;
    private final RSAKey rsa;
    private final ECKey ec;
    private volatile List<JWK> published;
    private volatile byte[] jwksOverride = new byte[0];
    private volatile Duration jwksDelay = Duration.ZERO;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final Deque<String> tokenAnswers = new ArrayDeque<>();
    private final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> deviceRequests = new CopyOnWriteArrayList<>();
    private volatile int interval = 5;

    public TestingIdentityProvider() {
        this.rsa = rsaKey("rsa-1");
        this.ec = ecKey("ec-1");
        this.published = List.of(rsa, ec);
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/openid-configuration", exchange -> {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("issuer", issuer());
            document.put("jwks_uri", issuer() + "/jwks");
            document.put("device_authorization_endpoint", issuer() + "/device");
            document.put("token_endpoint", issuer() + "/token");
            answer(exchange, 200, Json.write(document).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/jwks", exchange -> {
            jwksRequests.incrementAndGet();
            try {
                Thread.sleep(jwksDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] override = jwksOverride;
            answer(exchange, 200, override.length > 0 ? override
                    : new JWKSet(published).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/device", exchange -> {
            deviceRequests.add(form(exchange));
            answer(exchange, 200, Json.write(Map.of("device_code", "device-code-1", "user_code", "WDJB-MJHT", "verification_uri",
                    issuer() + "/activate", "verification_uri_complete", issuer() + "/activate?user_code=WDJB-MJHT", "expires_in", 600,
                    "interval", interval)).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/token", exchange -> {
            tokenRequests.add(form(exchange));
            String next;
            synchronized (tokenAnswers) {
                next = tokenAnswers.isEmpty() ? "expired_token" : tokenAnswers.size() == 1 ? tokenAnswers.peek() : tokenAnswers.poll();
            }
            if (next.startsWith("{")) {
                answer(exchange, 200, next.getBytes(StandardCharsets.UTF_8));
            } else {
                answer(exchange, 400, Json.write(Map.of("error", next)).getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}, the issuer and the base of every endpoint. */
    public String issuer() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    public RSAKey rsa() {
        return rsa;
    }

    public ECKey ec() {
        return ec;
    }

    /** How many times the key set was fetched. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** Publishes these keys (public parts only) from now on, in place of the ones before: a key rotation. */
    public void publish(JWK... keys) {
        this.published = List.of(keys);
    }

    /** Answers the key set's address with these bytes instead of the keys. */
    public void answerJwksWith(byte[] body) {
        this.jwksOverride = body.clone();
    }

    /** Holds every answer of the key set's address for this long before sending it: a provider that hangs. */
    public void answerJwksAfter(Duration delay) {
        this.jwksDelay = delay;
    }

    /** The {@code interval} the device endpoint tells clients to poll at, in seconds. */
    public void pollInterval(int seconds) {
        this.interval = seconds;
    }

    /**
     * What the token endpoint answers, in turn: an OAuth error code ({@code authorization_pending}, {@code slow_down}, …) as
     * a 400, or a JSON object as a 200; the last answer repeats.
     */
    public void tokenAnswers(String... answers) {
        synchronized (tokenAnswers) {
            tokenAnswers.clear();
            tokenAnswers.addAll(Arrays.asList(answers));
        }
    }

    /** The form fields of every request to the token endpoint, in order. */
    public List<Map<String, String>> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    /** The form fields of every request to the device authorization endpoint. */
    public List<Map<String, String>> deviceRequests() {
        return List.copyOf(deviceRequests);
    }

    /** Claims a valid token carries: this issuer, audience {@code keel}, the subject, its groups, valid for five minutes from {@code now}. */
    public JWTClaimsSet.Builder claims(String subject, Instant now, String... groups) {
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(AUDIENCE).subject(subject).claim("preferred_username", subject)
                .claim("groups", List.of(groups)).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    /** A token signed with the provider's RSA key (RS256, its key id in the header). */
    public String token(String subject, Instant now, String... groups) {
        return sign(rsa, JWSAlgorithm.RS256, claims(subject, now, groups).build());
    }

    /** Signs the claims with the key and algorithm, naming the key's id in the header. */
    public static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof ECKey ecKey ? new ECDSASigner(ecKey) : new RSASSASigner((RSAKey) key);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    /** A new 2048-bit RSA key pair with the key id. */
    public static RSAKey rsaKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new P-256 key pair with the key id. */
    public static ECKey ecKey(String keyId) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        return Arrays.stream(body.split("&")).filter(pair -> !pair.isEmpty()).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                        pair -> pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "", (first, second) -> second,
                        LinkedHashMap::new));
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
