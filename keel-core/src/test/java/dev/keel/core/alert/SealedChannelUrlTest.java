package dev.keel.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.RewrapReport;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Slack channel's URL, a credential, stored sealed under the encryption key and moved to a new key by a re-wrap. */
class SealedChannelUrlTest {
    private static final String URL = "https://hooks.slack.com/services/T000/B000/very-secret-token";
    private static final byte[] K1 = key(1);
    private static final byte[] K2 = key(2);

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();

    @BeforeEach
    void open() {
        store = TestDatabases.open(StoreKind.SQLITE, directory);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void add_withEncryptionOn_storesTheSlackUrlSealed_andReadsItBack() {
        JdbcChannelRepository channels = repository("k1", Map.of("k1", K1));
        Channel slack = new Channel.Slack("fraud", "chat", URI.create(URL));

        channels.add(slack, "alice");

        assertThat(spec("chat")).doesNotContain("very-secret-token").doesNotContain("hooks.slack.com").contains(Envelope.TEXT_PREFIX);
        assertThat(channels.find("chat")).contains(slack);
    }

    @Test
    void add_withEncryptionOn_storesAWebhookUrlSealed_andReadsItBack() {
        JdbcChannelRepository channels = repository("k1", Map.of("k1", K1));
        Channel webhook = new Channel.Webhook("fraud", "pager", URI.create("https://events.example.org/v2/enqueue?routing_key=r0ut1ngk3y"),
                new dev.keel.spi.data.ValueRef.Env("PAGER_SECRET"));

        channels.add(webhook, "alice");

        assertThat(spec("pager")).doesNotContain("r0ut1ngk3y").doesNotContain("events.example.org").contains(Envelope.TEXT_PREFIX)
                .contains("env:PAGER_SECRET");
        assertThat(channels.find("pager")).contains(webhook);
    }

    @Test
    void find_sealedUrlWithoutItsKey_failsNamingTheKey() {
        repository("k1", Map.of("k1", K1)).add(new Channel.Slack("fraud", "chat", URI.create(URL)), "alice");

        assertThatThrownBy(() -> new JdbcChannelRepository(store.database(), clock).find("chat")).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("the URL of alert channel 'chat' is encrypted under key 'k1'");
    }

    @Test
    void find_tamperedSealedUrl_failsWithIntegrityError() {
        repository("k1", Map.of("k1", K1)).add(new Channel.Slack("fraud", "chat", URI.create(URL)), "alice");
        String spec = spec("chat");
        int at = spec.indexOf(Envelope.TEXT_PREFIX) + Envelope.TEXT_PREFIX.length() + 90;
        String tampered = spec.substring(0, at) + (spec.charAt(at) == 'A' ? 'B' : 'A') + spec.substring(at + 1);
        store.database().update("UPDATE alert_channels SET spec = ? WHERE name = 'chat'", tampered);

        assertThatThrownBy(() -> repository("k1", Map.of("k1", K1)).find("chat")).isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE));
    }

    @Test
    void rewrap_sealsPlaintextAndOldKeyUrls_underTheActiveKey_thenTheOldKeyCanGo() {
        new JdbcChannelRepository(store.database(), clock).add(new Channel.Slack("fraud", "legacy", URI.create(URL + "-legacy")), "alice");
        repository("k1", Map.of("k1", K1)).add(new Channel.Slack("fraud", "chat", URI.create(URL)), "alice");
        repository("k1", Map.of("k1", K1)).add(new Channel.Webhook("fraud", "hook", URI.create("https://hooks.example.com/a"),
                new dev.keel.spi.data.ValueRef.Env("HOOK_SECRET")), "alice");
        assertThat(spec("legacy")).contains("very-secret-token-legacy");
        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put("k1", K1);
        both.put("k2", K2);

        RewrapReport report = repository("k2", both).rewrap();

        assertThat(report).isEqualTo(new RewrapReport("k2", 3, 0, 0, 0, List.of()));
        assertThat(spec("legacy")).doesNotContain("very-secret-token");
        JdbcChannelRepository k2Only = repository("k2", Map.of("k2", K2));
        assertThat(k2Only.find("chat")).contains(new Channel.Slack("fraud", "chat", URI.create(URL)));
        assertThat(k2Only.find("legacy")).contains(new Channel.Slack("fraud", "legacy", URI.create(URL + "-legacy")));
        assertThat(k2Only.find("hook")).contains(new Channel.Webhook("fraud", "hook", URI.create("https://hooks.example.com/a"),
                new dev.keel.spi.data.ValueRef.Env("HOOK_SECRET")));
        assertThat(k2Only.rewrap()).isEqualTo(new RewrapReport("k2", 0, 3, 0, 0, List.of()));
    }

    private JdbcChannelRepository repository(String active, Map<String, byte[]> keys) {
        return new JdbcChannelRepository(store.database(), clock, new Envelope(EncryptionKeys.of(keys, active)));
    }

    private String spec(String name) {
        return store.database().query("SELECT spec FROM alert_channels WHERE name = ?", row -> row.getString(1), name).getFirst();
    }

    private static byte[] key(int seed) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        new Random(seed).nextBytes(key);
        return key;
    }
}
