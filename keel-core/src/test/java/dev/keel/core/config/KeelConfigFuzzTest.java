package dev.keel.core.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.alert.AlertsConfig;
import dev.keel.core.batch.BatchSettings;
import dev.keel.core.data.PipelinesConfig;
import dev.keel.core.incident.IncidentsConfig;
import dev.keel.core.monitor.MonitoringConfig;
import dev.keel.core.security.OidcSettings;
import dev.keel.core.serving.ServingSettings;
import dev.keel.core.testing.ParsedOrRefused;
import dev.keel.core.training.TrainingSettings;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes the server configuration file and the component sections the server reads from it at start: a configuration, or
 * INVALID_CONFIG naming the key, never another exception.
 */
class KeelConfigFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) throws Exception {
        String yaml = new String(input, StandardCharsets.UTF_8);
        ParsedOrRefused.check(() -> {
            KeelConfig config = KeelConfig.parse(yaml, Map.of());
            ConfigNode root = config.root();
            ServingSettings.from(root.section("serving"));
            PipelinesConfig.from(root.section("pipelines"), config.dataDirectory());
            MonitoringConfig.from(root.section("monitoring"));
            AlertsConfig.from(root.section("alerts"));
            AlertsConfig.routes(root.section("alerts"));
            IncidentsConfig.from(root.section("incidents"));
            TrainingSettings.from(root.section("training"));
            BatchSettings.from(root.section("batch"));
            OidcSettings.from(root.section("security").section("oidc"));
        });
    }
}
