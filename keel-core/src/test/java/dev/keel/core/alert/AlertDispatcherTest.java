package dev.keel.core.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.testing.TestingClock;
import dev.keel.spi.data.ValueRef;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing, grouping and silences, driven by a clock the test moves; the expectations follow Alertmanager's rules. */
class AlertDispatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final Duration REPEAT = Duration.ofMinutes(5);

    private final TestingClock clock = new TestingClock();
    private final TestingAlertStores.Channels channels = new TestingAlertStores.Channels();
    private final TestingAlertStores.Silences silences = new TestingAlertStores.Silences();
    private final TestingAlertStores.Attempts attempts = new TestingAlertStores.Attempts();
    private final TestingAlertStores.Sender sender = new TestingAlertStores.Sender();
    private Deliveries deliveries;

    @BeforeEach
    void channels() {
        deliveries = new Deliveries(attempts, sender, sender, new AlertsConfig(true, 2, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1)), clock, duration -> { }, () -> 0.5);
        for (String name : List.of("ops", "pager", "chat")) {
            channels.add(new Channel.Webhook("fraud", name, URI.create("https://hooks.example.com/" + name), new ValueRef.Env("S")), "test");
        }
    }

    private AlertDispatcher dispatcher(AlertRoute... routes) {
        return new AlertDispatcher(List.of(routes), channels, silences, deliveries, clock);
    }

    private static AlertRoute grouped(List<String> channelNames, List<String> groupBy) {
        return new AlertRoute("fraud", Severity.INFO, Map.of(), channelNames, groupBy, WAIT, INTERVAL, REPEAT, false);
    }

    private Alert alert(String title, String endpoint) {
        return Alert.firing("fraud", Severity.WARNING, title, "", Map.of("endpoint", endpoint), clock.instant());
    }

    private List<List<String>> sentTitles() {
        return sender.sent.stream().map(sent -> sent.notification().alerts().stream().map(a -> a.title() + ":" + a.status()).toList())
                .toList();
    }

    @Test
    void groupWait_holdsTheFirstNotificationAndGathersAlertsOfTheSameGroup() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(Duration.ofSeconds(10));
        dispatcher.receive(alert("errors", "churn"));
        clock.advance(Duration.ofSeconds(19));
        assertThat(dispatcher.tick()).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        assertThat(dispatcher.tick()).singleElement().extracting(DeliveryAttempt::status).isEqualTo(DeliveryAttempt.Status.SENT);
        assertThat(sentTitles()).containsExactly(List.of("latency:FIRING", "errors:FIRING"));
        assertThat(sender.sent.getFirst().notification().groupLabels()).isEqualTo(Map.of("endpoint", "churn"));
    }

    @Test
    void groupBy_keepsDifferentLabelValuesInSeparateGroups() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        dispatcher.receive(alert("latency", "churn"));
        dispatcher.receive(alert("latency", "fraud-score"));
        clock.advance(WAIT);
        dispatcher.tick();
        assertThat(sender.sent).hasSize(2);
        assertThat(dispatcher.groupCount()).isEqualTo(2);
    }

    @Test
    void groupInterval_sendsAChangeAtTheNextIntervalNotBefore() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(WAIT);
        dispatcher.tick();
        clock.advance(Duration.ofSeconds(10));
        dispatcher.receive(alert("errors", "churn"));
        clock.advance(Duration.ofSeconds(49));
        dispatcher.tick();
        assertThat(sender.sent).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        dispatcher.tick();
        assertThat(sentTitles()).containsExactly(List.of("latency:FIRING"), List.of("latency:FIRING", "errors:FIRING"));
    }

    @Test
    void repeatInterval_resendsAnUnchangedFiringGroupAtTheFirstFlushAfterIt() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(WAIT);
        dispatcher.tick();
        Instant firstSent = clock.instant();
        for (int flush = 1; flush <= 5; flush++) {
            clock.advance(INTERVAL);
            dispatcher.tick();
        }
        // the flush at exactly first + repeat does not resend: the last notification must be older than repeat_interval
        assertThat(clock.instant()).isEqualTo(firstSent.plus(REPEAT));
        assertThat(sender.sent).hasSize(1);

        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sender.sent).hasSize(2);
    }

    @Test
    void resolved_isSentAtTheNextIntervalAndThenLeavesTheGroup() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        Alert latency = alert("latency", "churn");
        dispatcher.receive(latency);
        dispatcher.receive(alert("errors", "churn"));
        clock.advance(WAIT);
        dispatcher.tick();
        dispatcher.receive(latency.resolvedAt(clock.instant()));
        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sentTitles().getLast()).containsExactly("errors:FIRING", "latency:RESOLVED");
        assertThat(sender.sent.getLast().notification().status()).isEqualTo(Alert.Status.FIRING);

        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sender.sent).hasSize(2);
        assertThat(dispatcher.groupCount()).isEqualTo(1);
    }

    @Test
    void allResolved_isSentOnceAndTheGroupIsDropped() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        Alert latency = alert("latency", "churn");
        dispatcher.receive(latency);
        clock.advance(WAIT);
        dispatcher.tick();
        dispatcher.receive(latency.resolvedAt(clock.instant()));
        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sender.sent.getLast().notification().status()).isEqualTo(Alert.Status.RESOLVED);
        assertThat(dispatcher.groupCount()).isZero();
    }

    @Test
    void anAlertOlderThanGroupWait_isFlushedAtTheNextTick() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        Alert old = Alert.firing("fraud", Severity.WARNING, "latency", "", Map.of("endpoint", "churn"), clock.instant().minusSeconds(60));
        dispatcher.receive(old);
        dispatcher.tick();
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void routes_firstMatchWinsUnlessContinueAndSeverityIsAtLeast() {
        AlertRoute critical = new AlertRoute("fraud", Severity.CRITICAL, Map.of(), List.of("pager"), List.of(), WAIT, INTERVAL, REPEAT, true);
        AlertRoute churn = new AlertRoute("fraud", Severity.INFO, Map.of("endpoint", "churn"), List.of("chat"), List.of(), WAIT, INTERVAL,
                REPEAT, false);
        AlertRoute rest = grouped(List.of("ops"), List.of());
        AlertDispatcher dispatcher = dispatcher(critical, churn, rest);

        assertThat(dispatcher.receive(Alert.firing("fraud", Severity.CRITICAL, "down", "", Map.of("endpoint", "churn"), clock.instant())))
                .containsExactly(0, 1);
        assertThat(dispatcher.receive(alert("slow", "churn"))).containsExactly(1);
        assertThat(dispatcher.receive(alert("slow", "other"))).containsExactly(2);
        assertThat(dispatcher.receive(Alert.firing("payments", Severity.CRITICAL, "down", "", Map.of(), clock.instant()))).isEmpty();
        clock.advance(WAIT);
        dispatcher.tick();
        assertThat(sender.sent).extracting(TestingAlertStores.Sender.Sent::channel).containsExactlyInAnyOrder("pager", "chat", "ops");
    }

    @Test
    void silence_mutesMatchingAlertsRecordsThemOnceAndEndsAtItsExpiry() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        silences.add(new Silence("sil-1", "fraud", Map.of("endpoint", "churn"), "deploying", "alice", clock.instant(),
                clock.instant().plus(Duration.ofMinutes(2))));
        dispatcher.receive(alert("latency", "churn"));
        dispatcher.receive(alert("latency", "other"));
        clock.advance(WAIT);
        dispatcher.tick();
        clock.advance(INTERVAL);
        dispatcher.tick();

        assertThat(sender.sent).singleElement().satisfies(sent -> assertThat(sent.notification().groupLabels())
                .isEqualTo(Map.of("endpoint", "other")));
        assertThat(attempts.recorded).filteredOn(attempt -> attempt.status() == DeliveryAttempt.Status.SILENCED).singleElement()
                .satisfies(attempt -> {
                    assertThat(attempt.error()).isEqualTo("silenced by sil-1");
                    assertThat(attempt.attempt()).isZero();
                });

        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sender.sent).hasSize(2);
        assertThat(sender.sent.getLast().notification().groupLabels()).isEqualTo(Map.of("endpoint", "churn"));
    }

    @Test
    void expiredSilence_nolongerMutes() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of()));
        silences.add(new Silence("sil-2", "fraud", Map.of("severity", "warning"), "", "alice", clock.instant(),
                clock.instant().plus(Duration.ofHours(1))));
        assertThat(silences.expire("fraud", "sil-2", clock.instant())).isTrue();
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(WAIT);
        dispatcher.tick();
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void aFailedDelivery_isTriedAgainAtTheNextInterval() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of()));
        sender.script.add(SendResult.failed(503, "", "the receiver answered HTTP 503", true));
        sender.script.add(SendResult.failed(503, "", "the receiver answered HTTP 503", true));
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(WAIT);
        assertThat(dispatcher.tick()).extracting(DeliveryAttempt::status).containsExactly(DeliveryAttempt.Status.FAILED,
                DeliveryAttempt.Status.FAILED);
        clock.advance(INTERVAL);
        assertThat(dispatcher.tick()).extracting(DeliveryAttempt::status).containsExactly(DeliveryAttempt.Status.SENT);
    }

    @Test
    void aChannelThatKeepsFailing_isReportedOnceItReachesTheThresholdAndResetByASuccess() {
        List<Integer> reported = new java.util.ArrayList<>();
        deliveries.onChannelFailing(2, (channel, failures, last) -> reported.add(failures));
        Channel ops = channels.find("ops").orElseThrow();
        for (int delivery = 0; delivery < 3; delivery++) {
            sender.script.add(SendResult.failed(0, "", "cannot reach", true));
            sender.script.add(SendResult.failed(0, "", "cannot reach", true));
            deliveries.deliver(ops, Notification.of(alert("latency", "churn")));
        }
        assertThat(reported).containsExactly(2, 3);
        deliveries.deliver(ops, Notification.of(alert("latency", "churn")));
        sender.script.add(SendResult.failed(0, "", "cannot reach", true));
        sender.script.add(SendResult.failed(0, "", "cannot reach", true));
        deliveries.deliver(ops, Notification.of(alert("latency", "churn")));
        assertThat(reported).containsExactly(2, 3);
    }

    @Test
    void anAlertThatFiredAndResolvedBetweenFlushes_isSentOnceAsResolvedThenLeavesTheGroup() {
        // As Alertmanager with send_resolved: the resolved set is not a subset of what was last sent, so the group is sent.
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of()));
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(WAIT);
        dispatcher.tick();
        Alert blip = alert("blip", "churn");
        dispatcher.receive(blip);
        dispatcher.receive(blip.resolvedAt(clock.instant().plusSeconds(5)));
        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sentTitles().getLast()).containsExactly("latency:FIRING", "blip:RESOLVED");
        clock.advance(REPEAT.plus(INTERVAL));
        dispatcher.tick();
        assertThat(sender.sent).hasSize(3);
        assertThat(sentTitles().getLast()).containsExactly("latency:FIRING");
    }

    @Test
    void anInhibitedAlertStaysInItsGroupAndIsSentAtTheFirstFlushAfterTheRuleLetsItGo() {
        AlertDispatcher dispatcher = dispatcher(grouped(List.of("ops"), List.of("endpoint")));
        boolean[] inhibited = {true};
        dispatcher.inhibitWith(alert -> inhibited[0] && alert.title().equals("fallback used"));
        dispatcher.receive(alert("fallback used", "churn"));
        dispatcher.receive(alert("latency", "churn"));
        clock.advance(WAIT);
        dispatcher.tick();
        assertThat(sentTitles()).containsExactly(List.of("latency:FIRING"));

        inhibited[0] = false;
        clock.advance(INTERVAL);
        dispatcher.tick();
        assertThat(sentTitles()).containsExactly(List.of("latency:FIRING"), List.of("fallback used:FIRING", "latency:FIRING"));
    }
}
