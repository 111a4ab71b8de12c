package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code batch:} section: defaults, values, and refusals that name the key. */
class BatchSettingsTest {
    private static ConfigNode batch(Map<String, Object> values) {
        return ConfigNode.root(Map.of("batch", values), Map.of()).section("batch");
    }

    @Test
    void anEmptySection_isTheDefaults() {
        assertThat(BatchSettings.from(batch(Map.of()))).isEqualTo(BatchSettings.defaults());
        assertThat(BatchSettings.defaults().lease()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void everyKey_isRead() {
        BatchSettings settings = BatchSettings.from(batch(Map.of("output-root", "/srv/out", "lease", "2m", "scheduler", false,
                "connection-pool", 4)));

        assertThat(settings).isEqualTo(new BatchSettings(Optional.of(Path.of("/srv/out")), Duration.ofMinutes(2), false, 4));
    }

    @Test
    void badValuesAndUnknownKeys_failNamingTheKey() {
        assertThatThrownBy(() -> BatchSettings.from(batch(Map.of("lease", "0s")))).isInstanceOf(KeelException.class).hasMessageContaining("lease");
        assertThatThrownBy(() -> BatchSettings.from(batch(Map.of("connection-pool", 0)))).isInstanceOf(KeelException.class)
                .hasMessageContaining("connection-pool");
        assertThatThrownBy(() -> BatchSettings.from(batch(Map.of("leese", "1m")))).isInstanceOf(KeelException.class).hasMessageContaining("leese");
    }
}
