package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.KeelException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The monitoring section's keys for durability, exact drift and the Jensen-Shannon base: defaults and refusals. */
class MonitoringConfigTest {
    private static MonitoringConfig parse(String yaml) {
        return MonitoringConfig.from(KeelConfig.parse(yaml, Map.of()).root().section("monitoring"));
    }

    @Test
    void defaults_areBufferedLogExactDriftUpToAMillionValuesAndBaseTwo() {
        MonitoringConfig config = MonitoringConfig.defaults();
        assertThat(config.durableLog()).isFalse();
        assertThat(config.exactDriftMaxValues()).isEqualTo(1_000_000);
        assertThat(config.jensenShannonBase()).isEqualTo(2.0);
    }

    @Test
    void keys_areRead() {
        MonitoringConfig config = parse("""
                monitoring:
                  log-durability: durable
                  exact-drift-max-values: 5000
                  jensen-shannon-base: e
                """);
        assertThat(config.durableLog()).isTrue();
        assertThat(config.exactDriftMaxValues()).isEqualTo(5000);
        assertThat(config.jensenShannonBase()).isEqualTo(Math.E);
    }

    @Test
    void unknownDurability_isRefusedNamingTheKeyAndTheChoices() {
        assertThatThrownBy(() -> parse("monitoring:\n  log-durability: sometimes\n")).isInstanceOf(KeelException.class)
                .hasMessageContaining("log-durability").hasMessageContaining("sometimes").hasMessageContaining("durable");
    }

    @Test
    void otherLogarithmBase_isRefused() {
        assertThatThrownBy(() -> parse("monitoring:\n  jensen-shannon-base: '10'\n")).isInstanceOf(KeelException.class)
                .hasMessageContaining("jensen-shannon-base").hasMessageContaining("'2'");
    }
}
