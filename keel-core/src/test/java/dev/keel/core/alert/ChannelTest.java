package dev.keel.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ValueRef;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelTest {
    private static final ValueRef SECRET = new ValueRef.Env("HOOK_SECRET");

    @Test
    void webhook_refusesNonHttpSchemesNamingTheScheme() {
        assertThatThrownBy(() -> new Channel.Webhook("p", "ops", URI.create("ftp://example.com/x"), SECRET))
                .isInstanceOf(KeelException.class).hasMessageContaining("scheme 'ftp' is not http or https");
    }

    @Test
    void webhook_refusesALiteralSecret() {
        assertThatThrownBy(() -> new Channel.Webhook("p", "ops", URI.create("https://example.com/x"), new ValueRef.Literal("s3cret")))
                .hasMessageContaining("secret must be a reference").hasMessageNotContaining("s3cret");
    }

    @Test
    void name_mustMatchThePattern() {
        assertThatThrownBy(() -> new Channel.Slack("p", "Ops Team", URI.create("https://hooks.example.com/x")))
                .hasMessageContaining("channel name 'Ops Team' must match");
    }

    @Test
    void email_refusesAnEmptyRecipientListAndBadAddresses() {
        assertThatThrownBy(() -> new Channel.Email("p", "mail", "smtp.example.com", 587, true, "", SECRET, "keel@example.com", List.of()))
                .hasMessageContaining("to must list at least one address");
        assertThatThrownBy(() -> new Channel.Email("p", "mail", "smtp.example.com", 587, true, "", SECRET, "keel@example.com",
                List.of("not-an-address"))).hasMessageContaining("to address 'not-an-address'");
    }

    @Test
    void targets_refuseLoopbackUnlessAllowed() {
        Channel.Webhook local = new Channel.Webhook("p", "ops", URI.create("http://127.0.0.1:9/hook"), SECRET);
        assertThatThrownBy(() -> new ChannelTargets(false).check(local)).hasMessageContaining("host '127.0.0.1' is")
                .hasMessageContaining("alerts.http.allow-private");
        new ChannelTargets(true).check(local);
        Channel.Slack privateSlack = new Channel.Slack("p", "chat", URI.create("http://10.1.2.3/hook"));
        assertThatThrownBy(() -> new ChannelTargets(false).check(privateSlack)).hasMessageContaining("host '10.1.2.3'");
    }

    @Test
    void targets_holdAnEmailChannelsSmtpHostToThePublicAddressRule_unlessAnAdminListedTheRelay() {
        Channel.Email internal = new Channel.Email("p", "mail", "127.0.0.1", 6379, false, "", SECRET, "keel@example.com",
                List.of("oncall@example.com"));

        assertThatThrownBy(() -> new ChannelTargets(false).check(internal)).hasMessageContaining("host '127.0.0.1' is")
                .hasMessageContaining("alerts.smtp.allowed-hosts");
        new ChannelTargets(false, List.of("127.0.0.1")).check(internal);
        new ChannelTargets(true).check(internal);
    }

    @Test
    void secretRefs_parseReferencesAndRefuseValuesWithoutEchoingThem() {
        assertThat(SecretRefs.parse("secret", "env:HOOK")).isEqualTo(new ValueRef.Env("HOOK"));
        assertThat(SecretRefs.parse("secret", "file:/run/secrets/hook")).isEqualTo(new ValueRef.File("/run/secrets/hook"));
        assertThatThrownBy(() -> SecretRefs.parse("secret", "hunter2")).hasMessageContaining("secret must be a reference")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void alertKey_isTheSameFiringAndResolvedAndIgnoresLabelOrder() {
        Alert alert = Alert.firing("p", Severity.WARNING, "drift", "psi 0.4", Map.of("model", "churn", "feature", "age"), Instant.EPOCH);
        assertThat(alert.resolvedAt(Instant.EPOCH.plusSeconds(5)).key()).isEqualTo(alert.key());
        assertThat(alert.label("severity")).contains("warning");
        assertThat(alert.label("project")).contains("p");
        assertThat(alert.incidentLink()).isEmpty();
    }

    @Test
    void severity_ordersFromInfoToCritical() {
        assertThat(Severity.CRITICAL.atLeast(Severity.WARNING)).isTrue();
        assertThat(Severity.INFO.atLeast(Severity.WARNING)).isFalse();
        assertThatThrownBy(() -> Severity.parse("urgent")).hasMessageContaining("severity 'urgent' is not one of [info, warning, critical]");
    }
}
