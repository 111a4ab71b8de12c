package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.security.ProjectService;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.PipelineRunFailed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * The pattern report over a history built by hand, on SQLite and PostgreSQL, checked against numbers worked out by hand:
 *
 * <pre>
 * incident old    one failure 3 h before t0, before the report's start
 * incident orders episode 1 at t0       (2 failures); retry succeeded at +10 min; resolved
 *                 episode 2 at t0 + 24h (2 failures); retry failed at +5 min, succeeded at +20 min; resolved
 *                 episode 3 at t0 + 48h (2 failures); retry skipped at +2 min (cool-down)
 * incident credit episode 1 at t0 + 1h  (1 failure);  fallback succeeded at +2 min
 *
 * since t0 - 1h: orders 3 episodes, 6 occurrences, 24 h between recurrences; credit 1 episode, 1 occurrence
 *                time to remediation over 4 episodes, 3 remediated: 2, 10 and 20 min; median 10 min, mean 32/3 min = 640 s
 *                retry-orders 4 firings: 2 succeeded, 1 failed, 1 skipped, success rate 2/3; fallback-credit 1 of 1
 * since t0 + 23h: orders 2 episodes, 4 occurrences, 24 h between; credit not seen;
 *                2 episodes, 1 remediated in 20 min; retry-orders 3 firings, 1 of 2 attempts succeeded
 * </pre>
 */
@OnEachStore
class PatternReportTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private Incidents incidents;
    private Patterns patterns;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        IncidentsConfig config = new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30),
                new PatternsConfig(1000, Duration.ofHours(24), PatternsConfig.Unit.OCCURRENCES, Duration.ofHours(1)));
        incidents = Incidents.open(config, store.database(), clock, new SimpleMeterRegistry(), signal -> ProjectService.DEFAULT);
        patterns = Patterns.install(incidents, Upstreams.Catalog.none());
    }

    @AfterEach
    void close() {
        incidents.close();
        store.close();
    }

    private String fail(String pipeline, String message) {
        incidents.sink().accept(new PipelineRunFailed(ProjectService.DEFAULT, pipeline, "run-" + clock.instant().toEpochMilli() + "x", 1, false,
                message, clock.instant()));
        incidents.sink().flush();
        return incidents.list(ProjectService.DEFAULT, Set.of(), 10).getFirst().id();
    }

    private void act(String id, String policy, String action, String outcome) {
        incidents.recordAction(id, "policy:" + policy, action + " " + outcome, Map.of("policy", policy, "action", action, "target", "x",
                "outcome", outcome, "reason", outcome.equals("skipped") ? "cool-down" : ""));
    }

    private void at(Instant start, Duration offset) {
        clock.advance(Duration.between(clock.instant(), start.plus(offset)));
    }

    @Test
    void report_onAHandBuiltHistory_hasTheHandComputedNumbers() {
        String old = fail("legacy", "disk quota exceeded");
        Instant t0 = clock.instant().plus(Duration.ofHours(3));
        at(t0, Duration.ZERO);
        String orders = fail("orders", "disk full");
        at(t0, Duration.ofMinutes(1));
        fail("orders", "disk full");
        at(t0, Duration.ofMinutes(10));
        act(orders, "retry-orders", "retry", "succeeded");
        at(t0, Duration.ofMinutes(30));
        incidents.resolve(orders, "alice", "");

        at(t0, Duration.ofHours(1));
        incidents.sink().accept(new ModelFailed("scoring", "credit-rf", 3, "req-1", ModelFailed.Kind.ERROR, "input 7 is NaN", clock.instant()));
        incidents.sink().flush();
        String credit = incidents.list(ProjectService.DEFAULT, Set.of(), 10).stream().filter(incident -> incident.kind().startsWith("endpoint"))
                .findFirst().orElseThrow().id();
        at(t0, Duration.ofHours(1).plusMinutes(2));
        act(credit, "fallback-credit", "fallback", "succeeded");

        at(t0, Duration.ofHours(24));
        fail("orders", "disk full");
        at(t0, Duration.ofHours(24).plusMinutes(1));
        fail("orders", "disk full");
        at(t0, Duration.ofHours(24).plusMinutes(5));
        act(orders, "retry-orders", "retry", "failed");
        at(t0, Duration.ofHours(24).plusMinutes(20));
        act(orders, "retry-orders", "retry", "succeeded");
        at(t0, Duration.ofHours(24).plusMinutes(40));
        incidents.resolve(orders, "alice", "");

        at(t0, Duration.ofHours(48));
        fail("orders", "disk full");
        at(t0, Duration.ofHours(48).plusMinutes(1));
        fail("orders", "disk full");
        at(t0, Duration.ofHours(48).plusMinutes(2));
        act(orders, "retry-orders", "retry", "skipped");
        at(t0, Duration.ofHours(50));

        PatternReport report = patterns.report(ProjectService.DEFAULT, t0.minus(Duration.ofHours(1)));

        assertThat(report.until()).isEqualTo(t0.plus(Duration.ofHours(50)));
        assertThat(report.causes()).extracting(PatternReport.Cause::incident).containsExactly(orders, credit).doesNotContain(old);
        PatternReport.Cause top = report.causes().getFirst();
        assertThat(top.episodes()).isEqualTo(3);
        assertThat(top.occurrences()).isEqualTo(6);
        assertThat(top.meanTimeBetweenRecurrences()).contains(Duration.ofHours(24));
        assertThat(top.lastSeen()).isEqualTo(t0.plus(Duration.ofHours(48).plusMinutes(1)));
        assertThat(top.kind()).isEqualTo("pipeline.run_failed");
        assertThat(top.objects()).containsOnlyKeys("pipeline").containsEntry("pipeline", List.of("orders"));
        assertThat(report.causes().get(1).episodes()).isEqualTo(1);
        assertThat(report.causes().get(1).occurrences()).isEqualTo(1);
        assertThat(report.causes().get(1).meanTimeBetweenRecurrences()).isEmpty();

        assertThat(report.remediation()).isEqualTo(new PatternReport.Remediation(4, 3, Optional.of(Duration.ofMinutes(10)),
                Optional.of(Duration.ofSeconds(640))));

        assertThat(report.policies()).extracting(PatternReport.PolicyStats::policy).containsExactly("fallback-credit", "retry-orders");
        PatternReport.PolicyStats fallback = report.policies().get(0);
        assertThat(fallback).isEqualTo(new PatternReport.PolicyStats("fallback-credit", 1, 1, 0, 0, Optional.of(1.0), List.of("fallback")));
        PatternReport.PolicyStats retry = report.policies().get(1);
        assertThat(List.of(retry.firings(), retry.succeeded(), retry.failed(), retry.skipped())).containsExactly(4L, 2L, 1L, 1L);
        assertThat(retry.successRate().orElseThrow()).isCloseTo(2.0 / 3.0, within(1e-12));
        assertThat(retry.actions()).containsExactly("retry");

        assertThat(report.escalations()).extracting(PatternReport.Escalated::incident, PatternReport.Escalated::rule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(orders, "reopened"), org.assertj.core.groups.Tuple.tuple(orders, "reopened"));
        assertThat(report.escalations()).extracting(PatternReport.Escalated::at)
                .containsExactly(t0.plus(Duration.ofHours(24)), t0.plus(Duration.ofHours(48)));

        Map<String, Object> json = report.json();
        @SuppressWarnings("unchecked")
        Map<String, Object> remediation = (Map<String, Object>) json.get("time_to_remediation");
        assertThat(remediation).containsEntry("median_seconds", 600.0).containsEntry("mean_seconds", 640.0).containsEntry("episodes", 4);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> causes = (List<Map<String, Object>>) json.get("causes");
        assertThat(causes.getFirst()).containsEntry("mean_seconds_between_recurrences", 86_400.0).containsEntry("status", "open");

        PatternReport later = patterns.report(ProjectService.DEFAULT, t0.plus(Duration.ofHours(23)));
        assertThat(later.causes()).extracting(PatternReport.Cause::incident).containsExactly(orders);
        assertThat(later.causes().getFirst().episodes()).isEqualTo(2);
        assertThat(later.causes().getFirst().occurrences()).isEqualTo(4);
        assertThat(later.causes().getFirst().meanTimeBetweenRecurrences()).contains(Duration.ofHours(24));
        assertThat(later.remediation()).isEqualTo(new PatternReport.Remediation(2, 1, Optional.of(Duration.ofMinutes(20)),
                Optional.of(Duration.ofMinutes(20))));
        assertThat(later.policies()).singleElement().satisfies(policy -> {
            assertThat(policy.firings()).isEqualTo(3);
            assertThat(policy.successRate()).contains(0.5);
        });
    }

    @Test
    void report_ofAProjectWithoutIncidents_isEmptyNotAnError() {
        PatternReport report = patterns.report("nobody", clock.instant().minus(Duration.ofDays(30)));

        assertThat(report.causes()).isEmpty();
        assertThat(report.escalations()).isEmpty();
        assertThat(report.policies()).isEmpty();
        assertThat(report.remediation()).isEqualTo(new PatternReport.Remediation(0, 0, Optional.empty(), Optional.empty()));
    }
}
