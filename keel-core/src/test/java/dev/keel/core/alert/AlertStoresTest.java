package dev.keel.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.data.ValueRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Channels and silences in SQLite and PostgreSQL after every migration (V40 is this package's). */
@OnEachStore
class AlertStoresTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void channels_roundTripEveryKindWithReferencesOnly() {
        JdbcChannelRepository channels = new JdbcChannelRepository(store.database(), clock);
        Channel webhook = new Channel.Webhook("fraud", "hook", URI.create("https://hooks.example.com/a"), new ValueRef.Env("HOOK_SECRET"));
        Channel slack = new Channel.Slack("fraud", "chat", URI.create("https://hooks.slack.com/services/T0/B0/XYZ"));
        Channel email = new Channel.Email("fraud", "mail", "smtp.example.com", 587, true, "keel", new ValueRef.File("/run/secrets/smtp"),
                "keel@example.com", List.of("oncall@example.com"));
        channels.add(webhook, "alice");
        channels.add(slack, "alice");
        channels.add(email, "alice");

        assertThat(channels.list("fraud")).containsExactly(slack, webhook, email);
        assertThat(channels.find("mail")).contains(email);
        assertThat(channels.list("other")).isEmpty();
        String stored = store.database().query("SELECT spec FROM alert_channels WHERE name = 'mail'", row -> row.getString(1)).getFirst();
        assertThat(stored).contains("file:/run/secrets/smtp");
        assertThat(ChannelJson.toPublic(slack).get("url")).isEqualTo("https://hooks.slack.com/…");

        Channel sameNameElsewhere = new Channel.Slack("other", "hook", URI.create("https://hooks.slack.com/x"));
        assertThatThrownBy(() -> channels.add(sameNameElsewhere, "bob")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
        assertThat(channels.delete("hook")).isTrue();
        assertThat(channels.delete("hook")).isFalse();
    }

    @Test
    void silences_areActiveUntilTheyEndOrAreExpired() {
        JdbcSilenceRepository silences = new JdbcSilenceRepository(store.database());
        Instant now = Instant.parse("2026-12-04T10:00:00.123Z");
        Silence silence = new Silence("sil-1", "fraud", Map.of("endpoint", "churn", "severity", "warning"), "deploying", "alice", now,
                now.plus(Duration.ofHours(1)));
        silences.add(silence);

        assertThat(silences.find("sil-1")).contains(silence);
        assertThat(silences.active(now.plusSeconds(60))).containsExactly(silence);
        assertThat(silences.active(now.plus(Duration.ofHours(1)))).isEmpty();

        assertThat(silences.expire("other", "sil-1", now.plusSeconds(120))).isFalse();
        assertThat(silences.expire("fraud", "sil-1", now.plusSeconds(120))).isTrue();
        assertThat(silences.active(now.plusSeconds(121))).isEmpty();
        assertThat(silences.list("fraud")).singleElement().extracting(Silence::endsAt).isEqualTo(now.plusSeconds(120));
        assertThat(silences.expire("fraud", "sil-1", now.plusSeconds(600))).isTrue();
        assertThat(silences.find("sil-1").orElseThrow().endsAt()).isEqualTo(now.plusSeconds(120));
    }
}
