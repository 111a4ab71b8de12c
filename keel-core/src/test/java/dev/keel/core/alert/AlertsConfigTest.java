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

    @Test
    void routes_areReadInFileOrderWithAlertmanagerDefaults() {
        Map<String, Object> critical = new java.util.LinkedHashMap<>();
        critical.put("project", "fraud");
        critical.put("severity", "critical");
        critical.put("channels", java.util.List.of("pager"));
        critical.put("continue", true);
        Map<String, Object> churn = new java.util.LinkedHashMap<>();
        churn.put("match", Map.of("endpoint", "churn"));
        churn.put("channels", java.util.List.of("chat", "ops"));
        churn.put("group-by", java.util.List.of("endpoint"));
        churn.put("group-wait", "10s");
        Map<String, Object> routes = new java.util.LinkedHashMap<>();
        routes.put("critical", critical);
        routes.put("churn", churn);
        ConfigNode alerts = ConfigNode.root(Map.of("alerts", Map.of("routes", routes)), Map.of()).section("alerts");

        AlertsConfig.from(alerts);
        java.util.List<AlertRoute> read = AlertsConfig.routes(alerts);

        assertThat(read).containsExactly(
                new AlertRoute("fraud", Severity.CRITICAL, Map.of(), java.util.List.of("pager"), java.util.List.of(), AlertRoute.DEFAULT_GROUP_WAIT,
                        AlertRoute.DEFAULT_GROUP_INTERVAL, AlertRoute.DEFAULT_REPEAT_INTERVAL, true),
                new AlertRoute("", Severity.INFO, Map.of("endpoint", "churn"), java.util.List.of("chat", "ops"), java.util.List.of("endpoint"),
                        Duration.ofSeconds(10), AlertRoute.DEFAULT_GROUP_INTERVAL, AlertRoute.DEFAULT_REPEAT_INTERVAL, false));
    }

    @Test
    void routes_refuseMissingChannelsAndUnknownKeysNamingTheRoute() {
        ConfigNode noChannels = ConfigNode.root(Map.of("alerts", Map.of("routes", Map.of("r", Map.of("severity", "warning")))), Map.of());
        assertThatThrownBy(() -> AlertsConfig.routes(noChannels.section("alerts"))).hasMessageContaining("alerts.routes.r.channels");
        ConfigNode typo = ConfigNode.root(Map.of("alerts", Map.of("routes", Map.of("r", Map.of("channels", java.util.List.of("ops"),
                "group_wait", "1s")))), Map.of());
        assertThatThrownBy(() -> AlertsConfig.routes(typo.section("alerts"))).hasMessageContaining("alerts.routes.r.group_wait");
        ConfigNode severity = ConfigNode.root(Map.of("alerts", Map.of("routes", Map.of("r", Map.of("channels", java.util.List.of("ops"),
                "severity", "urgent")))), Map.of());
        assertThatThrownBy(() -> AlertsConfig.routes(severity.section("alerts"))).hasMessageContaining("alerts.routes.r.severity");
    }
}
