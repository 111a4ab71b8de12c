package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.alert.Severity;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.PredictionMade;
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
import org.junit.jupiter.params.Parameter;

/** Failure events folded into incidents in SQLite and PostgreSQL: fingerprints, counts, objects, lifecycle, timeline. */
@OnEachStore
class IncidentsTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private Incidents incidents;
    private final List<IncidentChange> changes = new ArrayList<>();

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        IncidentsConfig config = new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30));
        incidents = Incidents.open(config, store.database(), clock, new SimpleMeterRegistry(), signal -> "fraud");
        incidents.addListener(changes::add);
    }

    @AfterEach
    void close() {
        incidents.close();
        store.close();
    }

    private PipelineRunFailed runFailed(String pipeline, String run, String file) {
        return new PipelineRunFailed("fraud", pipeline, run, 3, false, "source 'orders' could not be read: " + file + " does not exist",
                clock.instant());
    }

    @Test
    void equalFailuresOfTwoPipelinesFoldIntoOneIncidentWithEveryObjectAndEveryOccurrenceCounted() {
        for (int i = 0; i < 250; i++) {
            incidents.sink().accept(runFailed(i % 2 == 0 ? "orders" : "refunds", "run-" + i + "abc", "/srv/in/day" + i + ".csv"));
            clock.advance(Duration.ofSeconds(1));
        }
        incidents.sink().flush();

        List<Incident> open = incidents.list("fraud", Set.of(), 10);
        assertThat(open).hasSize(1);
        Incident incident = open.getFirst();
        assertThat(incident.count()).isEqualTo(250);
        assertThat(incidents.store().storedCount(incident.id())).isEqualTo(250);
        assertThat(incident.kind()).isEqualTo("pipeline.run_failed");
        assertThat(incident.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(incident.status()).isEqualTo(Incident.Status.OPEN);
        assertThat(incident.objects("pipeline")).containsExactlyInAnyOrder("orders", "refunds");
        // a run differs on every occurrence: each flush keeps the latest run per pipeline, not all 250
        assertThat(incident.objects("run")).containsExactlyInAnyOrder("run-248abc", "run-249abc");
        assertThat(incident.title()).startsWith("Pipeline run failed: source 'orders' could not be read");
        // the durable channel holds one row per pipeline for this flush, not one per event
        assertThat(incidents.store().signals("fraud", clock.instant().minus(Duration.ofDays(1)), clock.instant().plusSeconds(1), 1000))
                .hasSize(2);
        assertThat(changes).extracting(IncidentChange::type).containsExactly(IncidentChange.Type.OPENED);
        assertThat(changes.getFirst().events()).isEqualTo(250);
    }

    @Test
    void lifecycle_acknowledgeResolveReopenAndQuietPeriod() {
        incidents.sink().accept(runFailed("orders", "run-1abc", "/a/b.csv"));
        incidents.sink().flush();
        String id = incidents.list("fraud", Set.of(), 10).getFirst().id();

        assertThat(incidents.acknowledge(id, "alice", "looking").status()).isEqualTo(Incident.Status.ACKNOWLEDGED);
        assertThat(incidents.acknowledge(id, "bob", "").acknowledgedBy()).contains("alice");
        assertThat(incidents.resolve(id, "alice", "file restored").status()).isEqualTo(Incident.Status.RESOLVED);
        assertThat(incidents.resolve(id, "bob", "").resolvedBy()).contains("alice");

        clock.advance(Duration.ofHours(2));
        incidents.sink().accept(runFailed("orders", "run-2abc", "/a/c.csv"));
        incidents.sink().flush();
        Incident reopened = incidents.get(id);
        assertThat(reopened.status()).isEqualTo(Incident.Status.OPEN);
        assertThat(reopened.reopened()).isEqualTo(1);
        assertThat(reopened.count()).isEqualTo(2);
        assertThat(reopened.acknowledgedBy()).isEmpty();
        assertThat(reopened.resolvedAt()).isEmpty();

        clock.advance(Duration.ofMinutes(29));
        assertThat(incidents.tick()).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        assertThat(incidents.tick()).extracting(change -> change.incident().id()).containsExactly(id);
        assertThat(incidents.get(id).resolvedBy()).contains(Incidents.KEEL);

        incidents.awaitListeners();
        List<TimelineEntry> timeline = incidents.timeline(id, 100);
        assertThat(timeline).extracting(TimelineEntry::type).containsExactly(TimelineEntry.Type.STATUS, TimelineEntry.Type.EVENT,
                TimelineEntry.Type.STATUS, TimelineEntry.Type.STATUS, TimelineEntry.Type.STATUS, TimelineEntry.Type.EVENT, TimelineEntry.Type.STATUS);
        assertThat(timeline).extracting(TimelineEntry::text).contains("opened", "acknowledged: looking", "resolved: file restored");
        assertThat(timeline.get(4).text()).startsWith("reopened");
        assertThat(changes).extracting(IncidentChange::type).containsExactly(IncidentChange.Type.OPENED, IncidentChange.Type.ACKNOWLEDGED,
                IncidentChange.Type.RESOLVED, IncidentChange.Type.REOPENED, IncidentChange.Type.RESOLVED);
    }

    @Test
    void serviceFailuresFindTheirProjectAndNonFailuresAreIgnored() {
        List<Signal> asked = new ArrayList<>();
        Incidents serving = Incidents.open(IncidentsConfig.defaults(), store.database(), clock, new SimpleMeterRegistry(), signal -> {
            asked.add(signal);
            return "credit";
        });
        try {
            serving.sink().accept(new ModelFailed("scoring", "credit-rf", 3, "req-1", ModelFailed.Kind.ERROR, "ORT: input 7 is NaN", clock.instant()));
            serving.sink().accept(new PredictionMade("scoring", "credit-rf", 3, "req-2", Map.of(), Map.of(), Duration.ZERO, clock.instant(),
                    PredictionMade.Source.MODEL));
            serving.sink().flush();
            Incident incident = serving.list("credit", Set.of(), 10).getFirst();
            assertThat(incident.kind()).isEqualTo("endpoint.model_error");
            assertThat(incident.objects("model")).containsExactly("credit-rf");
            assertThat(incident.objects("version")).containsExactly("3");
            assertThat(asked).hasSize(1);
            assertThat(serving.sink().wants(PredictionMade.class)).isFalse();
        } finally {
            serving.close();
        }
    }

    @Test
    void occurrencesCloseTogetherShareOneTimelineEntry() {
        for (int flush = 0; flush < 5; flush++) {
            for (int i = 0; i < 10; i++) {
                incidents.sink().accept(runFailed("orders", "run-" + flush + "x" + i, "/x/y.csv"));
            }
            incidents.sink().flush();
            clock.advance(Duration.ofSeconds(10));
        }
        clock.advance(Duration.ofMinutes(2));
        incidents.sink().accept(runFailed("orders", "run-late", "/x/y.csv"));
        incidents.sink().flush();

        String id = incidents.list("fraud", Set.of(), 10).getFirst().id();
        List<TimelineEntry> events = incidents.timeline(id, 100).stream().filter(entry -> entry.type() == TimelineEntry.Type.EVENT).toList();
        assertThat(events).extracting(TimelineEntry::count).containsExactly(50L, 1L);
        assertThat(changes).extracting(IncidentChange::type).startsWith(IncidentChange.Type.OPENED).contains(IncidentChange.Type.RECURRED);
    }

    @Test
    void aSinkOverItsPendingCapStillCountsEveryOccurrence() {
        Incidents small = Incidents.open(new IncidentsConfig(Duration.ofHours(1), 100, Duration.ofMinutes(30), Duration.ofDays(1)),
                store.database(), clock, new SimpleMeterRegistry(), signal -> "fraud");
        try {
            for (int i = 0; i < 1_000; i++) {
                small.sink().accept(new PipelineRunFailed("fraud", "p" + i, "r" + i, 1, true, "failed", clock.instant()));
            }
            small.sink().flush();
            long total = small.list("fraud", Set.of(), 10).stream().mapToLong(Incident::count).sum();
            assertThat(total).isEqualTo(1_000);
        } finally {
            small.close();
        }
    }

    @Test
    void whatIsCountedWhenKeelClosesIsWrittenAndReadAfterARestart() {
        incidents.sink().accept(runFailed("orders", "run-1abc", "/a/b.csv"));
        incidents.sink().accept(runFailed("orders", "run-2abc", "/a/b.csv"));
        incidents.close(); // no explicit flush: closing writes what is counted
        incidents = Incidents.open(IncidentsConfig.defaults(), store.database(), clock, new SimpleMeterRegistry(), signal -> "fraud");

        Incident incident = incidents.list("fraud", Set.of(), 10).getFirst();
        assertThat(incident.count()).isEqualTo(2);
        incidents.sink().accept(runFailed("orders", "run-3abc", "/a/b.csv"));
        incidents.sink().flush();
        assertThat(incidents.get(incident.id()).count()).isEqualTo(3);
    }

    @Test
    void aBatchTheStoreRefusesIsKeptAndWrittenWithTheNextFlush() {
        List<List<Observation>> written = new ArrayList<>();
        int[] calls = {0};
        IncidentsConfig hourly = new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30));
        IncidentSink sink = new IncidentSink(hourly, new SimpleMeterRegistry(), signal -> "fraud", signal -> java.util.Optional.empty(),
                batch -> {
                    if (calls[0]++ == 0) {
                        throw new IllegalStateException("store unavailable");
                    }
                    written.add(batch);
                });
        try {
            sink.accept(runFailed("orders", "run-1abc", "/a/b.csv"));
            sink.flush();
            assertThat(written).isEmpty();
            sink.accept(runFailed("orders", "run-2abc", "/a/b.csv"));
            sink.flush();
            assertThat(written).singleElement().satisfies(batch -> assertThat(batch).singleElement()
                    .satisfies(observation -> assertThat(observation.count()).isEqualTo(2)));
        } finally {
            sink.close();
        }
    }

    @Test
    void recurrencesOfAFingerprintJustWrittenWaitForTheRecurrenceInterval_newFingerprintsDoNot() {
        List<List<Observation>> written = new ArrayList<>();
        IncidentsConfig config = new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30),
                PatternsConfig.defaults(), Duration.ofHours(1));
        IncidentSink sink = new IncidentSink(config, new SimpleMeterRegistry(), signal -> "fraud", signal -> java.util.Optional.empty(), written::add);
        try {
            sink.accept(runFailed("orders", "run-1abc", "/a/b.csv"));
            sink.flushDue();
            sink.accept(runFailed("orders", "run-2abc", "/a/b.csv"));
            sink.accept(runFailed("orders", "run-3abc", "/a/b.csv"));
            sink.accept(new PipelineRunFailed("fraud", "orders", "run-4abc", 1, false, "column price does not exist", clock.instant()));
            sink.flushDue();
            assertThat(written).hasSize(2);
            assertThat(written.get(1)).singleElement().satisfies(observation -> assertThat(observation.cause()).contains("column price"));

            sink.flush(); // an explicit flush writes what was held back
            assertThat(written).hasSize(3);
            assertThat(written.get(2)).singleElement().satisfies(observation -> assertThat(observation.count()).isEqualTo(2));
        } finally {
            sink.close();
        }
    }
}
