package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.alert.Alert;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.event.FallbackUsed;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.MonitorBreached;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incidents become alerts: firing on open, one alert per incident however often it recurs, resolved with it, held by inhibition. */
class IncidentAlertsTest {
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private Incidents incidents;
    private final List<Alert> alerts = new ArrayList<>();

    @BeforeEach
    void open() {
        store = TestDatabases.open(StoreKind.SQLITE, directory);
        incidents = Incidents.open(IncidentsConfig.defaults(), store.database(), clock, new SimpleMeterRegistry(), signal -> "credit");
        incidents.addListener(new IncidentAlerts(incidents, alerts::add));
    }

    @AfterEach
    void close() {
        incidents.close();
        store.close();
    }

    private void modelError(int request) {
        incidents.sink().accept(new ModelFailed("scoring", "credit-rf", 2, "req-" + request, ModelFailed.Kind.ERROR,
                "Non-zero status code returned while running Gather node; indices element out of data bounds, idx=" + request, clock.instant()));
    }

    private Incident only(String kind) {
        return incidents.list("credit", Set.of(), 50).stream().filter(incident -> incident.kind().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void oneAlertPerIncident_firingThenResolved_withTheLinkAndWhatAutomationDid() {
        for (int i = 0; i < 100; i++) {
            modelError(i);
        }
        incidents.sink().flush();
        for (int i = 0; i < 100; i++) {
            modelError(100 + i);
        }
        incidents.sink().flush();
        Incident incident = only("endpoint.model_error");
        incidents.recordAction(incident.id(), "policy:rollback", "rolled credit-rf:champion back from 2 to 1",
                Map.of("policy", "rollback", "action", "rollback", "target", "credit-rf:champion", "outcome", "succeeded"));
        incidents.awaitListeners();

        assertThat(alerts).hasSize(2); // fired on open, refreshed with the action; 100 more occurrences raised nothing
        Alert latest = alerts.getLast();
        assertThat(latest.key()).isEqualTo(alerts.getFirst().key());
        assertThat(latest.status()).isEqualTo(Alert.Status.FIRING);
        assertThat(latest.incident()).isEqualTo("/v1/incidents/" + incident.id());
        assertThat(latest.labels()).containsEntry("incident", incident.id()).containsEntry("kind", "endpoint.model_error");
        assertThat(latest.actionsTaken()).containsExactly("rolled credit-rf:champion back from 2 to 1 (succeeded)");
        assertThat(latest.text()).contains("200 occurrences").contains("endpoint scoring").contains("Automation: rolled");

        incidents.resolve(incident.id(), "alice", "rolled back");
        assertThat(alerts.getLast().status()).isEqualTo(Alert.Status.RESOLVED);
        assertThat(alerts.getLast().key()).isEqualTo(latest.key());
        assertThat(incidents.timeline(incident.id(), 100)).filteredOn(entry -> entry.type() == TimelineEntry.Type.ALERT)
                .extracting(TimelineEntry::text).containsExactly("alert firing (opened, critical)", "alert resolved");
    }

    @Test
    void whileARollbackIncidentIsActive_theAlertsOfItsModelAreHeld_andGoOutOnceItResolves() {
        IncidentAlerts bridge = new IncidentAlerts(incidents, alerts::add);
        modelError(1);
        incidents.sink().accept(new FallbackUsed("scoring", "credit-rf", 2, "req-0", "previous-version", clock.instant()));
        incidents.sink().flush();
        Incident rollback = only("endpoint.model_error");
        Incident fallback = only("endpoint.fallback_used");
        Alert fallbackAlert = bridge.alert(fallback);
        assertThat(bridge.inhibits(fallbackAlert)).isFalse(); // nothing remediated yet

        incidents.recordAction(rollback.id(), "policy:rollback", "rolled back", Map.of("action", "rollback", "outcome", "succeeded"));
        incidents.sink().accept(new MonitorBreached("credit", "br-1", "credit-drift", "credit-rf", "psi", "age", 0.4, 0.2, clock.instant()));
        incidents.sink().accept(new MonitorBreached("credit", "br-2", "other-perf", "other-model", "auc", "label", 0.6, 0.7, clock.instant()));
        incidents.sink().flush();
        Incident drift = incidents.list("credit", Set.of(), 50).stream().filter(incident -> incident.objects("model").contains("credit-rf")
                && incident.kind().equals("monitor.breached")).findFirst().orElseThrow();
        Incident other = incidents.list("credit", Set.of(), 50).stream().filter(incident -> incident.objects("model").contains("other-model"))
                .findFirst().orElseThrow();

        // the fallback (opened before the rollback) and the drift of credit-rf are held; the other model's breach is not
        assertThat(bridge.inhibits(fallbackAlert)).isTrue();
        assertThat(bridge.inhibits(bridge.alert(drift))).isTrue();
        assertThat(bridge.inhibits(bridge.alert(other))).isFalse();
        assertThat(bridge.inhibits(bridge.alert(rollback))).isFalse(); // an incident never holds its own alert
        assertThat(bridge.inhibits(fallbackAlert)).isTrue();
        assertThat(incidents.timeline(fallback.id(), 100)).filteredOn(entry -> entry.text().startsWith("alert held"))
                .singleElement().satisfies(entry -> assertThat(entry.text()).contains(rollback.id()).contains("endpoint scoring"));

        clock.advance(Duration.ofMinutes(1));
        incidents.resolve(rollback.id(), "keel", "version 1 healthy");
        assertThat(bridge.inhibits(fallbackAlert)).isFalse();
    }
}
