package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingIdentityProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeviceLoginTest {
    private final TestingIdentityProvider provider = new TestingIdentityProvider();
    private final TestingClock clock = new TestingClock();
    private final List<Duration> waits = new ArrayList<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final DeviceLogin login = new DeviceLogin(duration -> {
        waits.add(duration);
        clock.advance(duration);
    }, clock, new PrintStream(printed, true, StandardCharsets.UTF_8));

    @AfterEach
    void stop() {
        provider.close();
    }

    private String login() {
        return login.login(URI.create(provider.issuer()), "keel-cli", "openid profile", Optional.of("keel"));
    }

    @Test
    void pendingTwiceThenAToken_waitsTheIntervalBeforeEachPoll_andReturnsTheAccessToken() {
        provider.pollInterval(3);
        provider.tokenAnswers("authorization_pending", "authorization_pending", "{\"access_token\": \"the-access-token\", \"token_type\": \"Bearer\"}");

        String token = login();

        assertThat(token).isEqualTo("the-access-token");
        assertThat(waits).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3));
        assertThat(provider.deviceRequests()).containsExactly(Map.of("client_id", "keel-cli", "scope", "openid profile", "audience", "keel"));
        assertThat(provider.tokenRequests()).hasSize(3).allSatisfy(request -> assertThat(request).isEqualTo(Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", "device-code-1", "client_id", "keel-cli")));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains(provider.issuer() + "/activate", "WDJB-MJHT");
    }

    @Test
    void slowDown_addsFiveSecondsToThisAndEveryLaterWait() {
        provider.pollInterval(2);
        provider.tokenAnswers("authorization_pending", "slow_down", "authorization_pending", "slow_down", "{\"access_token\": \"t\"}");

        login();

        assertThat(waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(7), Duration.ofSeconds(7),
                Duration.ofSeconds(12));
    }

    @Test
    void refusedOrExpiredSignIn_failsSayingSo() {
        provider.tokenAnswers("authorization_pending", "access_denied");
        assertThatThrownBy(this::login).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE);
            assertThat(e.getMessage()).contains("refused at the identity provider");
        });

        provider.tokenAnswers("expired_token");
        assertThatThrownBy(this::login).hasMessageContaining("expired before the sign-in was completed");
    }

    @Test
    void pollingStopsWhenTheCodeExpires_evenIfTheProviderKeepsSayingPending() {
        provider.pollInterval(60);
        provider.tokenAnswers("authorization_pending");

        assertThatThrownBy(this::login).hasMessageContaining("expired before the sign-in was completed");
        assertThat(provider.tokenRequests()).hasSize(9);
    }

    @Test
    void discovery_findsTheDeviceAndTokenEndpoints_andRefusesAPlainHttpIssuerElsewhere() {
        DeviceLogin.Endpoints endpoints = login.discover(URI.create(provider.issuer()));

        assertThat(endpoints.deviceAuthorization()).isEqualTo(URI.create(provider.issuer() + "/device"));
        assertThat(endpoints.token()).isEqualTo(URI.create(provider.issuer() + "/token"));
        assertThatThrownBy(() -> DeviceLogin.url("http://idp.example.com", "--issuer")).hasMessageContaining("https://");
    }
}
