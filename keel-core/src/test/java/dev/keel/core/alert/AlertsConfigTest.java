package dev.keel.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.ConfigNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertsConfigTest {
    @Test
    void from_readsTheKeysAndDefaultsTheRest() {
        ConfigNode root = ConfigNode.root(Map.of("alerts", Map.of("http", Map.of("allow-private", true),
                "delivery", Map.of("attempts", 3, "initial-backoff", "2s"))), Map.of());
        AlertsConfig config = AlertsConfig.from(root.section("alerts"));
        assertThat(config).isEqualTo(new AlertsConfig(true, 3, Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(10)));
        assertThat(AlertsConfig.from(ConfigNode.empty())).isEqualTo(AlertsConfig.defaults());
    }

    @Test
    void from_refusesUnknownKeysAndBadValuesNamingTheKey() {
        ConfigNode unknown = ConfigNode.root(Map.of("alerts", Map.of("delivery", Map.of("retries", 3))), Map.of());
        assertThatThrownBy(() -> AlertsConfig.from(unknown.section("alerts"))).hasMessageContaining("alerts.delivery.retries");
        ConfigNode zero = ConfigNode.root(Map.of("alerts", Map.of("delivery", Map.of("attempts", 0))), Map.of());
        assertThatThrownBy(() -> AlertsConfig.from(zero.section("alerts"))).hasMessageContaining("alerts.delivery.attempts");
    }
}
