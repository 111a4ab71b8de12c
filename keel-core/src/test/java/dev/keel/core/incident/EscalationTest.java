package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.alert.Severity;
import dev.keel.core.data.JdbcDatasetRepository;
import dev.keel.core.data.JdbcPipelineRepository;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelRuntimes;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.security.ProjectService;
import dev.keel.core.store.LocalArtifactStore;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.testing.TestingModelRuntime;
import dev.keel.spi.event.MonitorBreached;
import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.SourceFailed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Pattern escalation over real stores: recurrence in a window, reopening, one fingerprint on several pipelines, lineage across incidents. */
@OnEachStore
class EscalationTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private final TestingClock clock = new TestingClock();
    private Incidents incidents;
    private JdbcPipelineRepository pipelines;
    private ModelRegistry registry;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        IncidentsConfig config = new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30),
                new PatternsConfig(5, Duration.ofHours(24), PatternsConfig.Unit.OCCURRENCES, Duration.ofHours(1)));
        incidents = Incidents.open(config, store.database(), clock, new SimpleMeterRegistry(), signal -> ProjectService.DEFAULT);
        pipelines = new JdbcPipelineRepository(store.database());
        ProjectService projects = new ProjectService(store.database(), clock);
        projects.ensureDefault();
        registry = new ModelRegistry(store.database(), new LocalArtifactStore(directory.resolve("artifacts")),
                new ModelRuntimes(List.of(new TestingModelRuntime())), projects, clock, event -> { });
        Patterns.install(incidents, new StoreCatalog(pipelines, new JdbcDatasetRepository(store.database()), registry,
                (model, version) -> Optional.empty()));
    }

    @AfterEach
    void close() {
        incidents.close();
        store.close();
    }

    private void fail(String pipeline, boolean willRetry, String message) {
        incidents.sink().accept(new PipelineRunFailed(ProjectService.DEFAULT, pipeline, "run-" + clock.instant().toEpochMilli() + "x", 1, willRetry,
                message, clock.instant()));
        incidents.sink().flush();
    }

    private Incident only() {
        List<Incident> all = incidents.list(ProjectService.DEFAULT, Set.of(), 10);
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    private List<TimelineEntry> escalations(String id, String rule) {
        return incidents.timeline(id, 1000).stream().filter(entry -> entry.type() == TimelineEntry.Type.ESCALATION)
                .filter(entry -> rule.equals(entry.detail().get("rule"))).toList();
    }

    private void register(String pipeline, String yaml) {
        int version = pipelines.latest(pipeline).map(PipelineVersion::version).orElse(0) + 1;
        pipelines.insert(new PipelineVersion(pipeline, version, yaml, pipeline + "-sha-" + version, clock.instant()));
    }

    @Test
    void recurrence_moreThanTheCountWithinTheWindow_escalatesOnceAndRaisesTheSeverity() {
        // three occurrences a day and a half ago fall out of the 24 h window
        for (int i = 0; i < 3; i++) {
            fail("orders", true, "connection refused");
            clock.advance(Duration.ofMinutes(10));
        }
        clock.advance(Duration.ofHours(36));
        for (int i = 0; i < 5; i++) {
            fail("orders", true, "connection refused");
            clock.advance(Duration.ofMinutes(10));
        }
        String id = only().id();
        assertThat(escalations(id, "recurrence")).as("five within the window is not more than five").isEmpty();
        assertThat(only().severity()).isEqualTo(Severity.WARNING);

        for (int i = 0; i < 4; i++) {
            fail("orders", true, "connection refused");
            clock.advance(Duration.ofMinutes(10));
        }

        List<TimelineEntry> escalated = escalations(id, "recurrence");
        assertThat(escalated).hasSize(1);
        assertThat(escalated.getFirst().detail()).containsEntry("window", "PT24H").containsEntry("threshold", 5).containsEntry("unit", "occurrences")
                .containsEntry("counts", Map.of("occurrences", 6, "episodes", 0));
        assertThat(escalated.getFirst().text()).isEqualTo("recurring pattern (recurrence): 6 occurrences within 24 h, more than 5");
        assertThat(only().severity()).isEqualTo(Severity.CRITICAL);
        assertThat(only().count()).isEqualTo(12);

        // after a restart the escalations of the episode are read back from the timeline, not repeated
        incidents.close();
        incidents = Incidents.open(new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30)), store.database(),
                clock, new SimpleMeterRegistry(), signal -> ProjectService.DEFAULT);
        Patterns.install(incidents, Upstreams.Catalog.none());
        fail("orders", true, "connection refused");
        assertThat(escalations(id, "recurrence")).hasSize(1);
    }

    @Test
    void recurrenceCountedInEpisodes_escalatesAFaultThatKeepsComingBack() {
        incidents.close();
        IncidentsConfig config = new IncidentsConfig(Duration.ofHours(1), 10_000, Duration.ofMinutes(30), Duration.ofDays(30),
                new PatternsConfig(2, Duration.ofDays(7), PatternsConfig.Unit.EPISODES, Duration.ofHours(1)));
        incidents = Incidents.open(config, store.database(), clock, new SimpleMeterRegistry(), signal -> ProjectService.DEFAULT);
        Patterns.install(incidents, Upstreams.Catalog.none());
        for (int night = 0; night < 3; night++) {
            for (int i = 0; i < 10; i++) {
                fail("nightly", false, "connection reset by peer");
            }
            String id = only().id();
            assertThat(escalations(id, "recurrence")).as("night " + night).hasSize(night < 2 ? 0 : 1);
            incidents.resolve(id, "keel", "quiet");
            clock.advance(Duration.ofDays(1));
        }
        TimelineEntry escalated = escalations(only().id(), "recurrence").getFirst();
        // escalated as the third night's first failure reopened it: 10 + 10 + 1 occurrences by then
        assertThat(escalated.detail()).containsEntry("unit", "episodes").containsEntry("counts", Map.of("occurrences", 21, "episodes", 3));
        assertThat(escalated.text()).isEqualTo("recurring pattern (recurrence): 3 episodes within 7 d, more than 2");
    }

    @Test
    void reopen_escalatesOncePerEpisode() {
        fail("orders", false, "disk full");
        String id = only().id();
        assertThat(escalations(id, "reopened")).isEmpty();
        incidents.resolve(id, "alice", "cleaned up");
        clock.advance(Duration.ofHours(20));
        fail("orders", false, "disk full");
        clock.advance(Duration.ofMinutes(5));
        fail("orders", false, "disk full");

        List<TimelineEntry> first = escalations(id, "reopened");
        assertThat(first).hasSize(1);
        assertThat(first.getFirst().detail()).containsEntry("counts", Map.of("reopened", 1, "episodes", 2, "occurrences", 2));
        assertThat(first.getFirst().text()).startsWith("recurring pattern (reopened): came back after it was resolved (once so far");

        incidents.resolve(id, "alice", "again");
        clock.advance(Duration.ofHours(20));
        fail("orders", false, "disk full");
        assertThat(escalations(id, "reopened")).hasSize(2);
        assertThat(escalations(id, "reopened").getLast().detail()).containsEntry("counts", Map.of("reopened", 2, "episodes", 3, "occurrences", 4));
    }

    @Test
    void oneFingerprintOnTwoPipelinesReadingOneFile_namesThatFileAsTheUpstream() {
        register("orders", """
                pipeline: orders
                sources:
                  - {name: raw, type: csv, path: /srv/in/shared.csv}
                  - {name: rates, type: csv, path: /srv/in/rates.csv}
                outputs:
                  - {dataset: orders-clean, from: raw}
                  - {dataset: orders-rates, from: rates}
                """);
        register("refunds", """
                pipeline: refunds
                sources:
                  - {name: input, type: csv, path: /srv/in/shared.csv}
                outputs:
                  - {dataset: refunds-clean, from: input}
                """);
        // two failures of orders in one flush are one stored signal counting 2
        incidents.sink().accept(new PipelineRunFailed(ProjectService.DEFAULT, "orders", "run-0abc", 1, false,
                "source could not be read: /srv/in/shared.csv is truncated at byte 512", clock.instant()));
        fail("orders", false, "source could not be read: /srv/in/shared.csv is truncated at byte 4096");
        assertThat(escalations(only().id(), "spread")).as("one pipeline is no spread").isEmpty();
        clock.advance(Duration.ofMinutes(3));
        fail("refunds", false, "source could not be read: /srv/in/shared.csv is truncated at byte 81");
        clock.advance(Duration.ofMinutes(3));
        fail("refunds", false, "source could not be read: /srv/in/shared.csv is truncated at byte 99");

        Incident incident = only();
        List<TimelineEntry> spread = escalations(incident.id(), "spread");
        assertThat(spread).hasSize(1);
        Map<String, Object> detail = spread.getFirst().detail();
        assertThat(detail).containsEntry("upstream", "file /srv/in/shared.csv").containsEntry("upstream_kind", "file")
                .containsEntry("objects", List.of("pipeline orders", "pipeline refunds")).containsEntry("window", "PT1H")
                .containsEntry("counts", Map.of("objects", 2, "occurrences", 3));
        assertThat(detail.get("upstreams")).isEqualTo(List.of("file /srv/in/shared.csv"));
        assertThat(detail.get("evidence")).isEqualTo(List.of(
                "pipeline orders reads file /srv/in/shared.csv as source 'raw' (spec version 1); the failure message names it",
                "pipeline refunds reads file /srv/in/shared.csv as source 'input' (spec version 1); the failure message names it"));
        assertThat(spread.getFirst().text()).endsWith("; likely upstream: file /srv/in/shared.csv");
    }

    @Test
    void anUnreachableSourceOfTwoPipelines_namesTheConnectionBothDeclareAndNotTheirOtherSources() {
        register("orders", "pipeline: orders\nsources:\n  - {name: dwh, type: jdbc, connection: warehouse, query: select 1}\n"
                + "  - {name: rates, type: csv, path: /srv/in/rates.csv}\noutputs:\n  - {dataset: o1, from: dwh}\n  - {dataset: o2, from: rates}\n");
        register("refunds", "pipeline: refunds\nsources:\n  - {name: db, type: jdbc, connection: warehouse, query: select 2}\n"
                + "  - {name: rates, type: csv, path: /srv/in/rates.csv}\noutputs:\n  - {dataset: r1, from: db}\n  - {dataset: r2, from: rates}\n");
        incidents.sink().accept(new SourceFailed(ProjectService.DEFAULT, "orders", "run-1abc", "dwh", SourceFailed.Kind.UNREACHABLE,
                "connect timed out after 10000 ms", clock.instant()));
        clock.advance(Duration.ofSeconds(1));
        incidents.sink().accept(new SourceFailed(ProjectService.DEFAULT, "refunds", "run-2abc", "db", SourceFailed.Kind.UNREACHABLE,
                "connect timed out after 10000 ms", clock.instant()));
        incidents.sink().flush();

        Map<String, Object> detail = escalations(only().id(), "spread").getFirst().detail();
        assertThat(detail).containsEntry("upstream", "connection warehouse").containsEntry("upstreams", List.of("connection warehouse"));
        assertThat(detail.get("evidence")).isEqualTo(List.of(
                "pipeline orders reads connection warehouse as source 'dwh' (spec version 1); the failure is of that source",
                "pipeline refunds reads connection warehouse as source 'db' (spec version 1); the failure is of that source"));
    }

    @Test
    void oneFingerprintOnTwoPipelinesWithNothingInCommon_isASpreadWithoutAnUpstream() {
        register("orders", "pipeline: orders\nsources: [{name: raw, type: csv, path: /a.csv}]\noutputs: [{dataset: a, from: raw}]\n");
        register("refunds", "pipeline: refunds\nsources: [{name: raw, type: csv, path: /b.csv}]\noutputs: [{dataset: b, from: raw}]\n");
        fail("orders", false, "out of memory");
        fail("refunds", false, "out of memory");

        List<TimelineEntry> spread = escalations(only().id(), "spread");
        assertThat(spread).hasSize(1);
        assertThat(spread.getFirst().detail()).containsEntry("upstream", "");
        assertThat(spread.getFirst().text()).endsWith("; no common upstream found");
    }

    @Test
    void aPipelineFailureAndABreachOfAModelTrainedOnItsOutput_nameThePipelineAndTheDataset() {
        register("features", """
                pipeline: features
                sources:
                  - {name: raw, type: csv, path: /srv/in/applications.csv}
                outputs:
                  - {dataset: credit-features, from: raw}
                """);
        registry.createModel(ProjectService.DEFAULT, "credit", "credit risk", PromotionGate.open(), "alice");
        registry.registerVersion("credit", TestingModelRuntime.artifact("credit-1"), new NewVersion("onnx", List.of(), Map.of(), Map.of(),
                new Lineage(Optional.empty(), Optional.of("dataset:credit-features@4"), Optional.empty(), Optional.empty(), Map.of()), "v1"), "alice");
        registry.createModel(ProjectService.DEFAULT, "churn", "churn", PromotionGate.open(), "alice");
        registry.registerVersion("churn", TestingModelRuntime.artifact("churn-1"), new NewVersion("onnx", List.of(), Map.of(), Map.of(),
                new Lineage(Optional.empty(), Optional.of("dataset:churn-events@2"), Optional.empty(), Optional.empty(), Map.of()), "v1"), "alice");

        fail("features", false, "step join failed: column income not found");
        clock.advance(Duration.ofMinutes(20));
        incidents.sink().accept(new MonitorBreached(ProjectService.DEFAULT, "br-1abc", "churn-drift", "churn", "psi", "tenure", 0.4, 0.2,
                clock.instant()));
        incidents.sink().flush();
        assertThat(incidents.list(ProjectService.DEFAULT, Set.of(), 10)).allSatisfy(incident ->
                assertThat(escalations(incident.id(), "shared_upstream")).as("churn is not fed by features").isEmpty());

        incidents.sink().accept(new MonitorBreached(ProjectService.DEFAULT, "br-2abc", "credit-drift", "credit", "psi", "income", 0.5, 0.2,
                clock.instant()));
        incidents.sink().flush();

        Incident pipeline = incidents.list(ProjectService.DEFAULT, Set.of(), 10).stream().filter(i -> i.kind().equals("pipeline.run_failed"))
                .findFirst().orElseThrow();
        Incident breach = incidents.list(ProjectService.DEFAULT, Set.of(), 10).stream().filter(i -> i.objects("model").contains("credit"))
                .findFirst().orElseThrow();
        for (Incident incident : List.of(pipeline, breach)) {
            List<TimelineEntry> shared = escalations(incident.id(), "shared_upstream");
            assertThat(shared).as(incident.title()).hasSize(1);
            Map<String, Object> detail = shared.getFirst().detail();
            assertThat(detail).containsEntry("upstream", "pipeline features")
                    .containsEntry("upstreams", List.of("pipeline features", "dataset credit-features"))
                    .containsEntry("related", List.of((incident == pipeline ? breach : pipeline).id()));
            // the incident that changed last (the breach) states its claim first
            assertThat(detail.get("evidence")).isEqualTo(List.of(
                    "monitor credit-drift watches model credit; model credit version 1 was trained on dataset credit-features@4 (registry lineage);"
                            + " dataset credit-features is published by pipeline features", "pipeline features failed (pipeline.run_failed)"));
        }
        assertThat(incidents.get(breach.id()).severity()).as("already critical").isEqualTo(Severity.CRITICAL);
    }
}
