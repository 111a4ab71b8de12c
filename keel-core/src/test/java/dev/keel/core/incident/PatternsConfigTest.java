package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatternsConfigTest {
    private static IncidentsConfig read(Map<String, Object> patterns, Map<String, String> environment) {
        return IncidentsConfig.from(ConfigNode.root(Map.of("incidents", Map.of("patterns", patterns)), environment).section("incidents"));
    }

    @Test
    void absentSection_givesTheDefaults() {
        PatternsConfig config = IncidentsConfig.from(ConfigNode.empty().section("incidents")).patterns();

        assertThat(config).isEqualTo(new PatternsConfig(3, Duration.ofDays(7), PatternsConfig.Unit.EPISODES, Duration.ofHours(1)));
    }

    @Test
    void keysAreReadFromTheFileAndTheEnvironment() {
        PatternsConfig config = read(Map.of("recurrence-count", 3, "recurrence-window", "7d", "recurrence-unit", "episodes"),
                Map.of("KEEL_INCIDENTS_PATTERNS_SPREAD_WINDOW", "15m")).patterns();

        assertThat(config).isEqualTo(new PatternsConfig(3, Duration.ofDays(7), PatternsConfig.Unit.EPISODES, Duration.ofMinutes(15)));
    }

    @Test
    void badValues_failNamingTheKey() {
        assertThatThrownBy(() -> read(Map.of("recurrence-unit", "storms"), Map.of())).isInstanceOf(KeelException.class)
                .hasMessageContaining("incidents.patterns.recurrence-unit").hasMessageContaining("occurrences, episodes");
        assertThatThrownBy(() -> read(Map.of("recurrence-count", 0), Map.of())).isInstanceOf(KeelException.class)
                .hasMessageContaining("incidents.patterns.recurrence-count");
        assertThatThrownBy(() -> read(Map.of("recurrence-window", "400d"), Map.of())).isInstanceOf(KeelException.class)
                .hasMessageContaining("incidents.patterns.recurrence-window");
        assertThatThrownBy(() -> read(Map.of("window", "1h"), Map.of())).isInstanceOf(KeelException.class)
                .hasMessageContaining("unknown configuration key 'incidents.patterns.window'");
    }
}
