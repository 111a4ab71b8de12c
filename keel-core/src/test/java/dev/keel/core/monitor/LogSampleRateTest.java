package dev.keel.core.monitor;

import dev.keel.spi.event.EventSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingModelRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** A sample rate set while serving survives a restart (migration V32) and takes precedence over the configuration. */
@OnEachStore
class LogSampleRateTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private ModelRegistry registry;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        ProjectService projects = new ProjectService(store.database(), clock);
        projects.ensureDefault();
        registry = new ModelRegistry(store.database(), new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new TestingModelRuntime())), projects, clock, EventSink.discarding());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Monitoring start(MonitoringConfig config) {
        return Monitoring.openUnscheduled(config, directory.resolve("data"), store.database(), registry, clock);
    }

    @Test
    void sampleRate_setWhileServing_survivesARestart() {
        MonitoringConfig config = MonitoringConfig.defaults();
        try (Monitoring first = start(config)) {
            first.sampleRate("credit", 0.1, "alice");
            assertThat(first.predictionLog().sampleRate("credit")).isEqualTo(0.1);
        }
        try (Monitoring second = start(config)) {
            assertThat(second.predictionLog().sampleRate("credit")).isEqualTo(0.1);
            assertThat(second.predictionLog().sampleRate("fraud")).isEqualTo(1.0);
            second.sampleRate("credit", 0.25, "bob");
        }
        try (Monitoring third = start(config)) {
            assertThat(third.predictionLog().sampleRate("credit")).isEqualTo(0.25);
        }
    }

    @Test
    void storedRate_takesPrecedenceOverTheConfiguredOne() {
        MonitoringConfig configured = new MonitoringConfig(true, java.time.Duration.ofMinutes(1), 30, 1000, 100, java.time.Duration.ofSeconds(1),
                1.0, Map.of("credit", 0.5));
        try (Monitoring first = start(configured)) {
            assertThat(first.predictionLog().sampleRate("credit")).isEqualTo(0.5);
            first.sampleRate("credit", 0.0, "alice");
        }
        try (Monitoring second = start(configured)) {
            assertThat(second.predictionLog().sampleRate("credit")).isEqualTo(0.0);
        }
    }

    @Test
    void sampleRate_outsideZeroToOne_isRefusedAndNotStored() {
        try (Monitoring monitoring = start(MonitoringConfig.defaults())) {
            assertThatThrownBy(() -> monitoring.sampleRate("credit", 1.5, "alice")).isInstanceOf(KeelException.class)
                    .hasMessageContaining("1.5").hasMessageContaining("from 0 to 1");
        }
        try (Monitoring monitoring = start(MonitoringConfig.defaults())) {
            assertThat(monitoring.predictionLog().sampleRate("credit")).isEqualTo(1.0);
        }
    }
}
