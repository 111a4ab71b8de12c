package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) against an OpenID Connect provider: the endpoints come from the
 * issuer's discovery document; the user is shown where to go and which code to enter; the token endpoint is polled at the
 * interval the provider asks for, five seconds slower after each {@code slow_down}, until it hands out an access token, the
 * user refuses, or the code expires.
 */
final class DeviceLogin {
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    private static final Duration SLOW_DOWN = Duration.ofSeconds(5);
    private static final int MAX_ANSWER = 64 * 1024;

    /** Waits between two polls; a test passes one that records the waits. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Where to ask for a device code and where to poll for the token. */
    record Endpoints(URI deviceAuthorization, URI token) {
    }

    /** What the user is shown: where to go and which code to enter there. */
    record Prompt(String userCode, URI verificationUri, Optional<URI> verificationUriComplete) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Sleeper sleeper;
    private final Clock clock;
    private final PrintStream out;

    DeviceLogin(Sleeper sleeper, Clock clock, PrintStream out) {
        this.sleeper = sleeper;
        this.clock = clock;
        this.out = out;
    }

    /** Runs the whole grant and returns the access token. */
    String login(URI issuer, String clientId, String scope, Optional<String> audience) {
        Endpoints endpoints = discover(issuer);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("scope", scope);
        audience.ifPresent(value -> form.put("audience", value));
        Answer device = post(endpoints.deviceAuthorization(), form);
        if (device.status() != 200) {
            throw failed("the device authorization endpoint " + endpoints.deviceAuthorization() + " answered HTTP " + device.status()
                    + describe(device.body()));
        }
        String deviceCode = required(device.body(), "device_code", endpoints.deviceAuthorization());
        String verification = device.body().hasNonNull("verification_uri") ? device.body().path("verification_uri").asText()
                : required(device.body(), "verification_url", endpoints.deviceAuthorization());
        Prompt prompt = new Prompt(required(device.body(), "user_code", endpoints.deviceAuthorization()), url(verification, "verification_uri"),
                Optional.ofNullable(device.body().get("verification_uri_complete")).map(JsonNode::asText)
                        .map(value -> url(value, "verification_uri_complete")));
        out.println("To sign in, open " + prompt.verificationUri() + " and enter the code " + prompt.userCode());
        prompt.verificationUriComplete().ifPresent(complete -> out.println("(or open " + complete + ")"));
        out.flush();
        Duration interval = device.body().path("interval").asLong(0) > 0 ? Duration.ofSeconds(device.body().path("interval").asLong())
                : DEFAULT_INTERVAL;
        Instant deadline = clock.instant().plusSeconds(device.body().path("expires_in").asLong(600));
        Map<String, String> poll = new LinkedHashMap<>();
        poll.put("grant_type", GRANT_TYPE);
        poll.put("device_code", deviceCode);
        poll.put("client_id", clientId);
        while (true) {
            if (!clock.instant().plus(interval).isBefore(deadline)) {
                throw failed("the code " + prompt.userCode() + " expired before the sign-in was completed; run keel login --device again");
            }
            try {
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted while waiting for the sign-in");
            }
            Answer answer = post(endpoints.token(), poll);
            if (answer.status() == 200) {
                return required(answer.body(), "access_token", endpoints.token());
            }
            String error = answer.body().path("error").asText("");
            switch (error) {
                case "authorization_pending" -> { }
                case "slow_down" -> interval = interval.plus(SLOW_DOWN);
                case "access_denied" -> throw failed("the sign-in was refused at the identity provider");
                case "expired_token" -> throw failed("the code " + prompt.userCode() + " expired before the sign-in was completed;"
                        + " run keel login --device again");
                default -> throw failed("the token endpoint " + endpoints.token() + " answered HTTP " + answer.status()
                        + describe(answer.body()));
            }
        }
    }

    /** Reads the device authorization and token endpoints from {@code <issuer>/.well-known/openid-configuration}. */
    Endpoints discover(URI issuer) {
        String base = issuer.toString().endsWith("/") ? issuer.toString().substring(0, issuer.toString().length() - 1) : issuer.toString();
        URI discovery = URI.create(base + "/.well-known/openid-configuration");
        Answer answer = send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(30)).header("Accept", "application/json").GET()
                .build());
        if (answer.status() != 200) {
            throw failed("the discovery document " + discovery + " answered HTTP " + answer.status());
        }
        String named = answer.body().path("issuer").asText("");
        if (!named.equals(issuer.toString())) {
            throw failed("the discovery document " + discovery + " names issuer '" + named + "'; expected '" + issuer + "'");
        }
        if (!answer.body().hasNonNull("device_authorization_endpoint")) {
            throw failed("the identity provider " + issuer + " does not offer the device authorization grant (its discovery document"
                    + " has no device_authorization_endpoint); log in elsewhere and pass the token: keel login --token <jwt>");
        }
        return new Endpoints(url(answer.body().path("device_authorization_endpoint").asText(), "device_authorization_endpoint"),
                url(required(answer.body(), "token_endpoint", discovery), "token_endpoint"));
    }

    /** An https URL, or http to the loopback interface. */
    static URI url(String value, String what) {
        try {
            URI uri = new URI(value);
            String host = uri.getHost();
            boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
            if (host == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && loopback)) {
                throw failed(what + " is '" + value + "'; expected an https:// URL (http:// only to localhost)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw failed(what + " is '" + value + "', which is not a URL");
        }
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer post(URI endpoint, Map<String, String> form) {
        String body = form.entrySet().stream().map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30)).header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = response.body();
            if (bytes.length > MAX_ANSWER) {
                throw failed(request.uri() + " answered more than " + MAX_ANSWER + " bytes");
            }
            JsonNode json;
            try {
                json = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw failed(request.uri() + " answered HTTP " + response.statusCode() + " with something that is not JSON");
            }
            return new Answer(response.statusCode(), json);
        } catch (IOException e) {
            throw failed("cannot reach " + request.uri() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("interrupted");
        }
    }

    private static String required(JsonNode body, String field, URI from) {
        String value = body.path(field).asText("");
        if (value.isBlank()) {
            throw failed(from + " answered without " + field);
        }
        return value;
    }

    private static String describe(JsonNode body) {
        String error = body.path("error").asText("");
        String description = body.path("error_description").asText("");
        return error.isEmpty() ? "" : ": " + error + (description.isEmpty() ? "" : " (" + description + ")");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static KeelException failed(String message) {
        return new KeelException(ErrorCode.EXTERNAL_FAILURE, message);
    }
}
