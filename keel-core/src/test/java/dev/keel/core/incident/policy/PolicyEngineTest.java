package dev.keel.core.incident.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keel.core.alert.Channel;
import dev.keel.core.alert.Severity;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.ScheduleState;
import dev.keel.core.data.Scheduler;
import dev.keel.core.data.Trigger;
import dev.keel.core.incident.Incident;
import dev.keel.core.incident.TimelineEntry;
import dev.keel.core.json.Json;
import dev.keel.core.registry.AliasAction;
import dev.keel.core.serving.EndpointConfig;
import dev.keel.core.serving.FallbackMode;
import dev.keel.core.serving.PredictOptions;
import dev.keel.core.serving.PredictionInput;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.spi.event.FallbackUsed;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.QuarantineExceeded;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/** Policies acting on incidents through the real registry, serving, pipelines, alerts and audit log, on SQLite and PostgreSQL. */
@OnEachStore
class PolicyEngineTest {
    private static final String PIPELINE = """
            pipeline: scores
            schedule: "0 * * * *"
            sources: [{name: raw, type: csv, path: in.csv}]
            outputs: [{dataset: scores, from: raw}]
            """;

    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private PolicyWorld world;

    @BeforeEach
    void open() {
        world = new PolicyWorld(kind, directory);
    }

    @AfterEach
    void close() {
        world.close();
    }

    private ModelFailed modelFailed(String endpoint, String message) {
        return new ModelFailed(endpoint, "churn", 2, "req-1", ModelFailed.Kind.ERROR, message, world.clock.instant());
    }

    private FallbackUsed fallbackUsed(String mode) {
        return new FallbackUsed("scoring", "churn", 2, "req-1", mode, world.clock.instant());
    }

    private PipelineRunFailed runFailed(String runId) {
        return new PipelineRunFailed("default", "scores", runId, 1, false, "source 'raw' could not be read", world.clock.instant());
    }

    private Incident onlyIncident() {
        List<Incident> all = world.incidents.list("default", Set.of(), 10);
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    private List<TimelineEntry> actions(String incidentId) {
        return world.incidents.timeline(incidentId, 1000).stream().filter(entry -> entry.type() == TimelineEntry.Type.ACTION).toList();
    }

    private void championAt2() {
        world.version("one");
        world.version("two");
        world.registry.promote("churn", "champion", 1, "first", "alice");
        world.registry.promote("churn", "champion", 2, "better", "alice");
    }

    @Test
    void rollback_afterCountWithinWindow_rollsTheAliasBackOnce_andTheIncidentRecurringNeverRollsBackTwice() {
        championAt2();
        world.policies.apply("""
                name: rollback-on-model-errors
                when: {kind: endpoint.model_error, count: 3, within: 10m}
                actions: [{rollback: {alias: champion}}]
                """, "alice");

        world.publish(modelFailed("scoring", "boom"), modelFailed("scoring", "boom"));
        assertThat(world.registry.requireModel("churn").aliases()).containsEntry("champion", 2);
        assertThat(actions(onlyIncident().id())).isEmpty();

        world.clock.advance(Duration.ofMinutes(1));
        world.publish(modelFailed("scoring", "boom"));
        Incident incident = onlyIncident();
        assertThat(world.registry.requireModel("churn").aliases()).containsEntry("champion", 1);
        List<TimelineEntry> taken = actions(incident.id());
        assertThat(taken).singleElement().satisfies(entry -> {
            assertThat(entry.actor()).isEqualTo("policy:rollback-on-model-errors");
            assertThat(entry.text()).isEqualTo("rolled churn:champion back from version 2 to version 1");
            assertThat(entry.detail()).containsEntry("policy", "rollback-on-model-errors").containsEntry("action", "rollback")
                    .containsEntry("target", "churn:champion").containsEntry("outcome", "succeeded");
        });
        assertThat(world.auditOf("policy:rollback-on-model-errors")).singleElement().satisfies(entry -> {
            assertThat(entry.action()).isEqualTo("policy.rollback");
            assertThat(entry.target()).contains("/v1/models/churn/aliases/champion");
            assertThat(entry.outcome()).isEqualTo("success");
        });
        assertThat(world.registry.history("churn", Optional.of("champion"))).filteredOn(event -> event.action() == AliasAction.ROLLBACK)
                .singleElement().satisfies(event -> {
                    assertThat(event.actor()).isEqualTo("policy:rollback-on-model-errors");
                    assertThat(event.reason()).contains(incident.id());
                });

        // the same incident recurs, again and again, hours later: never a second rollback (which would walk further back)
        for (int i = 0; i < 3; i++) {
            world.clock.advance(Duration.ofHours(1));
            world.publish(modelFailed("scoring", "boom"), modelFailed("scoring", "boom"), modelFailed("scoring", "boom"));
        }
        assertThat(world.registry.requireModel("churn").aliases()).containsEntry("champion", 1);
        assertThat(world.registry.history("churn", Optional.of("champion"))).filteredOn(event -> event.action() == AliasAction.ROLLBACK).hasSize(1);
        List<TimelineEntry> recorded = actions(incident.id());
        assertThat(recorded).extracting(entry -> entry.detail().get("outcome")).containsExactly("succeeded", "skipped");
        assertThat((String) recorded.getFirst().detail().get("reason")).isEqualTo("3 occurrences of incident " + incident.id() + " ("
                + incident.title() + ")");
        assertThat((String) recorded.getLast().detail().get("reason")).startsWith("already done: rollback of churn:champion was taken for this"
                + " incident at ");
        assertThat(world.policies.actions("rollback-on-model-errors", 100)).extracting(ActionRecord::outcome)
                .containsExactly(ActionRecord.Outcome.SKIPPED, ActionRecord.Outcome.SUCCEEDED);
    }

    @Test
    void rollback_twoServersActingOnOneIncident_rollBackOnce() {
        championAt2();
        world.policies.apply("name: rollback-now\nwhen: {kind: endpoint.model_error}\nactions: [{rollback: {}}]\n", "alice");
        try (Policies second = new Policies(new PolicyStore(world.store.database()), world.incidents, new RemedyServices(world.registry,
                world.serving, world.pipelines, world.alerting, world.audit, RetrainHook.NONE), name -> true, world.retries, new java.util.Random(1))) {
            world.publish(modelFailed("scoring", "boom"));
            assertThat(second.engine().awaitIdle(Duration.ofSeconds(30))).isTrue();
        }

        assertThat(world.registry.requireModel("churn").aliases()).containsEntry("champion", 1);
        assertThat(world.registry.history("churn", Optional.of("champion"))).filteredOn(event -> event.action() == AliasAction.ROLLBACK).hasSize(1);
        assertThat(actions(onlyIncident().id())).extracting(entry -> entry.detail().get("outcome")).containsExactlyInAnyOrder("succeeded", "skipped");
    }

    @Test
    void fallback_switchesTheEndpointToItsFallbackVersion_whichThenAnswers() {
        championAt2();
        EndpointConfig base = EndpointConfig.of("scoring", "churn", "champion");
        world.serving.create(new EndpointConfig("scoring", "churn", "champion", Optional.empty(), Optional.empty(), base.batching(),
                base.maxConcurrency(), base.queue(), base.timeoutMillis(), new EndpointConfig.Fallback(FallbackMode.PREVIOUS_VERSION, Map.of())), "alice");
        assertThat(predict().version().version()).isEqualTo(2);
        world.policies.apply("name: fall-back\nwhen: {kind: endpoint.model_error, objects: {endpoint: scoring}}\nactions: [{fallback: {}}]\n", "alice");

        world.publish(modelFailed("other", "boom"));
        assertThat(world.serving.require("scoring").config().alias()).isEqualTo("champion");
        world.publish(modelFailed("scoring", "boom"));

        assertThat(world.serving.require("scoring").config().alias()).isEqualTo("1");
        assertThat(predict().version().version()).isEqualTo(1);
        assertThat(world.registry.requireModel("churn").aliases()).containsEntry("champion", 2);
        Incident incident = world.incidents.list("default", Set.of(), 10).stream().filter(found -> found.objects("endpoint").contains("scoring"))
                .findFirst().orElseThrow();
        assertThat(actions(incident.id())).singleElement().satisfies(entry -> {
            assertThat(entry.text()).isEqualTo("switched endpoint scoring from 'champion' to its fallback version 1");
            assertThat(entry.detail()).containsEntry("target", "scoring").containsEntry("outcome", "succeeded");
        });
    }

    @Test
    void fallback_endpointWithoutFallbackVersion_isRecordedAsFailedNamingWhy() {
        championAt2();
        world.serving.create(EndpointConfig.of("scoring", "churn", "champion"), "alice");
        world.policies.apply("name: fall-back\nwhen: {kind: endpoint.model_error}\nactions: [{fallback: {}}]\n", "alice");

        world.publish(modelFailed("scoring", "boom"));

        assertThat(world.serving.require("scoring").config().alias()).isEqualTo("champion");
        assertThat(actions(onlyIncident().id())).singleElement().satisfies(entry -> {
            assertThat(entry.detail()).containsEntry("outcome", "failed");
            assertThat((String) entry.detail().get("reason")).contains("has no fallback version", "fallback.mode previous-version");
        });
        assertThat(world.auditOf("policy:fall-back")).extracting(entry -> entry.outcome()).containsExactly("failure");
    }

    private dev.keel.core.serving.Prediction predict() {
        JsonNode record = Json.MAPPER.valueToTree(Map.of("input", List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)));
        return world.serving.predict("scoring", new PredictionInput.Records(List.of(record)), PredictOptions.of("req"));
    }

    @Test
    void retry_reRunsTheFailedPipelineWithJitteredExponentialBackoffOnTheScheduler_untilARunSucceeds() {
        world.pipelines.register(PIPELINE);
        world.engine.failNext(2);
        PipelineRun failed = world.pipelines.run("scores", Trigger.API, "alice");
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        world.policies.apply("""
                name: retry-scores
                when: {kind: pipeline.run_failed}
                actions: [{retry: {attempts: 3, backoff: 30s, max_backoff: 45s}}]
                """, "alice");

        world.publish(runFailed(failed.id()));
        assertThat(world.retries.delays).hasSize(1);
        assertThat(world.pipelines.history("scores", 10)).hasSize(1);

        world.clock.advance(world.retries.delays.getLast());
        assertThat(world.retries.runDue()).isEqualTo(1);
        world.settle();
        assertThat(world.pipelines.history("scores", 10)).extracting(PipelineRun::status, PipelineRun::trigger)
                .containsExactly(tuple(RunStatus.FAILED, Trigger.POLICY), tuple(RunStatus.FAILED, Trigger.API));
        assertThat(world.retries.delays).hasSize(2);

        world.clock.advance(world.retries.delays.getLast());
        assertThat(world.retries.runDue()).isEqualTo(1);
        world.settle();
        assertThat(world.pipelines.history("scores", 10)).extracting(PipelineRun::status)
                .containsExactly(RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.FAILED);
        assertThat(world.pipelines.history("scores", 1).getFirst().datasets()).containsExactly("scores@1");
        assertThat(world.retries.runDue()).isZero();
        assertThat(world.engine.executions()).isEqualTo(3);

        // full jitter: each wait is drawn below its attempt's ceiling, 30 s then 45 s (60 s capped at max_backoff)
        assertThat(world.retries.delays.get(0)).isBetween(Duration.ZERO, Duration.ofSeconds(30).minusMillis(1));
        assertThat(world.retries.delays.get(1)).isBetween(Duration.ZERO, Duration.ofSeconds(45).minusMillis(1));
        assertThat(world.retries.delays).doesNotHaveDuplicates();
        List<TimelineEntry> taken = actions(onlyIncident().id());
        assertThat(taken).extracting(entry -> entry.detail().get("outcome"), entry -> entry.detail().get("attempt"))
                .containsExactly(tuple("failed", 1), tuple("succeeded", 2));
        assertThat(taken.getLast().text()).startsWith("re-ran pipeline scores: run ").endsWith(" succeeded on attempt 2 of 3");
        assertThat(world.policies.actions("retry-scores", 10)).extracting(ActionRecord::outcome).containsExactly(ActionRecord.Outcome.SUCCEEDED);
    }

    @Test
    void retry_boundedAttempts_endsFailedAndIsNotStartedAgainByTheFailuresOfItsOwnRuns() {
        world.pipelines.register(PIPELINE);
        world.engine.failNext(100);
        PipelineRun failed = world.pipelines.run("scores", Trigger.API, "alice");
        world.policies.apply("name: retry-scores\nwhen: {kind: pipeline.run_failed}\nactions: [{retry: {attempts: 2, backoff: 1s}}]\n", "alice");

        world.publish(runFailed(failed.id()));
        for (int round = 0; round < 5; round++) {
            world.clock.advance(Duration.ofSeconds(5));
            world.retries.runDue();
            world.settle();
            // each run the policy starts fails and is reported like any other
            world.publish(runFailed(world.pipelines.history("scores", 1).getFirst().id()));
        }

        assertThat(world.engine.executions()).isEqualTo(3);
        assertThat(world.retries.delays).hasSize(2);
        assertThat(actions(onlyIncident().id())).extracting(entry -> entry.detail().get("outcome"))
                .containsExactly("failed", "skipped", "failed");
        assertThat(actions(onlyIncident().id()).getLast().text()).isEqualTo("re-ran pipeline scores 2 times; every attempt failed");
        assertThat(world.policies.actions("retry-scores", 10)).extracting(ActionRecord::outcome)
                .containsExactlyInAnyOrder(ActionRecord.Outcome.SKIPPED, ActionRecord.Outcome.FAILED);
    }

    @Test
    void pauseAndResumeSchedule_changeWhetherTheSchedulerFires() {
        world.pipelines.register(PIPELINE);
        world.policies.apply("name: pause-scores\nwhen: {kind: pipeline.run_failed}\nactions: [{pause_schedule: {}}]\n", "alice");
        world.policies.apply("name: resume-scores\nwhen: {kind: pipeline.schedule_missed}\nactions: [{resume_schedule: {}}]\n", "alice");
        Scheduler scheduler = new Scheduler(world.pipelines, world.clock, ZoneOffset.UTC, Runnable::run);

        world.publish(runFailed("run-1"));
        assertThat(world.pipelines.schedule("scores").status()).isEqualTo(ScheduleState.Status.PAUSED);
        assertThat(world.pipelines.schedule("scores").actor()).isEqualTo("policy:pause-scores");
        world.clock.advance(Duration.ofHours(2));
        assertThat(scheduler.tick(world.clock.instant())).isEmpty();

        world.publish(new dev.keel.spi.event.ScheduleMissed("default", "scores", world.clock.instant(), "the 10:00 slot was missed",
                world.clock.instant()));
        assertThat(world.pipelines.schedule("scores").status()).isEqualTo(ScheduleState.Status.ACTIVE);
        world.clock.advance(Duration.ofHours(1));
        assertThat(scheduler.tick(world.clock.instant())).containsExactly("scores");
        assertThat(world.auditOf("policy:pause-scores")).extracting(entry -> entry.action(), entry -> entry.target().orElseThrow())
                .containsExactly(tuple("policy.pause_schedule", "/v1/pipelines/scores"));
        assertThat(world.auditOf("policy:resume-scores")).extracting(entry -> entry.action()).containsExactly("policy.resume_schedule");
    }

    @Test
    void stopPublish_runsGoOnButPublishNothingUntilResumed() {
        world.pipelines.register(PIPELINE);
        assertThat(world.pipelines.run("scores", Trigger.API, "alice").datasets()).containsExactly("scores@1");
        world.policies.apply("name: hold-scores\nwhen: {kind: pipeline.quarantine_exceeded}\nactions: [{stop_publish: {}}]\n", "alice");

        world.publish(new QuarantineExceeded("default", "scores", "run-2", 40, 100, 0.4, 0.1, world.clock.instant()));
        assertThat(world.pipelines.publishHold("scores")).hasValueSatisfying(hold -> assertThat(hold.actor()).isEqualTo("policy:hold-scores"));

        PipelineRun held = world.pipelines.run("scores", Trigger.API, "alice");
        assertThat(held.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(held.datasets()).isEmpty();
        assertThat(held.error()).hasValueSatisfying(error -> assertThat(error).startsWith("outputs not published: publishing of pipeline 'scores'"
                + " was stopped by policy:hold-scores"));
        assertThat(world.pipelines.versions("scores")).hasSize(1);

        assertThat(world.pipelines.resumePublishing("scores", "alice")).isTrue();
        assertThat(world.pipelines.run("scores", Trigger.API, "alice").datasets()).containsExactly("scores@2");
    }

    @Test
    void raiseSeverityAndNotify_raiseTheIncidentAndSendItToTheChannelWithTheActionsTaken() throws IOException {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            world.version("one");
            world.alerting.addChannel(new Channel.Slack("default", "ops", URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")),
                    "alice");
            world.policies.apply("""
                    name: escalate-fallbacks
                    when: {kind: endpoint.fallback_used, severity: warning, count: 2}
                    actions: [{raise_severity: {to: critical}}, {notify: {channel: ops}}, {retrain: {}}]
                    """, "alice");

            world.publish(new FallbackUsed("scoring", "churn", 2, "req-1", "previous-version", world.clock.instant()));
            assertThat(onlyIncident().severity()).isEqualTo(Severity.WARNING);
            world.publish(new FallbackUsed("scoring", "churn", 2, "req-2", "previous-version", world.clock.instant()));

            Incident incident = onlyIncident();
            assertThat(incident.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(received).singleElement().satisfies(body -> assertThat(body).contains("Endpoint answered by its fallback",
                    "raised the severity to critical"));
            assertThat(actions(incident.id())).extracting(TimelineEntry::text, entry -> entry.detail().get("outcome")).containsExactly(
                    tuple("raised the severity to critical", "succeeded"), tuple("sent the incident to channel ops", "succeeded"),
                    tuple("retraining of model churn skipped", "skipped"));
            assertThat(actions(incident.id()).getLast().detail()).containsEntry("reason", "skipped: the model has no training spec");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void coolDown_perActionAndTarget_holdsTheSameActionOnTheSameObjectFromAnotherIncident() {
        world.pipelines.register(PIPELINE);
        world.policies.apply("name: hold-scores\nwhen: {kind: [pipeline.run_failed, pipeline.quarantine_exceeded]}\n"
                + "actions: [{stop_publish: {}}]\ncooldown: 30m\n", "alice");

        world.publish(runFailed("run-1"));
        assertThat(world.pipelines.resumePublishing("scores", "alice")).isTrue();
        world.clock.advance(Duration.ofMinutes(10));
        world.publish(new QuarantineExceeded("default", "scores", "run-2", 40, 100, 0.4, 0.1, world.clock.instant()));

        assertThat(world.pipelines.publishHold("scores")).isEmpty();
        List<Incident> both = world.incidents.list("default", Set.of(), 10);
        assertThat(both).hasSize(2);
        Incident second = both.stream().filter(incident -> incident.kind().equals("pipeline.quarantine_exceeded")).findFirst().orElseThrow();
        assertThat(actions(second.id())).singleElement().satisfies(entry -> {
            assertThat(entry.detail()).containsEntry("outcome", "skipped").containsEntry("target", "scores");
            assertThat((String) entry.detail().get("reason")).startsWith("cool-down: stop_publish of scores was taken at ")
                    .contains("the cool-down of 30m lasts until");
        });

        world.clock.advance(Duration.ofMinutes(21));
        world.publish(new QuarantineExceeded("default", "scores", "run-3", 40, 100, 0.4, 0.1, world.clock.instant()));
        assertThat(world.pipelines.publishHold("scores")).isPresent();
        assertThat(actions(second.id())).extracting(entry -> entry.detail().get("outcome")).containsExactly("skipped", "succeeded");
    }

    @Test
    void cap_maxPerHour_skipsFurtherActionsOfThePolicyUntilTheHourHasPassed() {
        world.policies.apply("name: escalate\nwhen: {kind: endpoint.fallback_used}\nactions: [{raise_severity: {to: critical}}]\n"
                + "max_per_hour: 2\n", "alice");

        world.publish(fallbackUsed("previous-version"), fallbackUsed("default-response"), fallbackUsed("stand-in"));
        List<Incident> incidents = world.incidents.list("default", Set.of(), 10);
        assertThat(incidents).extracting(Incident::severity).containsExactlyInAnyOrder(Severity.CRITICAL, Severity.CRITICAL, Severity.WARNING);
        assertThat(world.policies.actions("escalate", 10)).extracting(ActionRecord::outcome).containsExactlyInAnyOrder(
                ActionRecord.Outcome.SUCCEEDED, ActionRecord.Outcome.SUCCEEDED, ActionRecord.Outcome.SKIPPED);
        ActionRecord capped = world.policies.actions("escalate", 10).stream().filter(action -> action.outcome() == ActionRecord.Outcome.SKIPPED)
                .findFirst().orElseThrow();
        assertThat(capped.reason()).isEqualTo("cap: the policy took 2 actions in the last hour; max_per_hour is 2");
        assertThat(actions(capped.incidentId())).singleElement().satisfies(entry -> assertThat(entry.detail()).containsEntry("outcome", "skipped")
                .containsEntry("reason", capped.reason()));

        world.clock.advance(Duration.ofMinutes(61));
        world.publish(fallbackUsed("other"));
        assertThat(world.policies.actions("escalate", 10)).filteredOn(action -> action.outcome() == ActionRecord.Outcome.SUCCEEDED).hasSize(3);
    }

    @Test
    void fingerprintOverride_groupsThePolicysSignalsByItsFields() {
        world.policies.apply("name: per-endpoint\nwhen: {kind: endpoint.model_error}\nactions: [{raise_severity: {to: critical}}]\n"
                + "fingerprint: [kind, endpoint]\n", "alice");

        world.publish(modelFailed("scoring", "disk is full"), modelFailed("scoring", "connection refused by the feature store"),
                modelFailed("ranking", "disk is full"));
        world.publish(new ModelFailed("scoring", "churn", 2, "req-9", ModelFailed.Kind.TIMEOUT, "took too long", world.clock.instant()));

        List<Incident> incidents = world.incidents.list("default", Set.of(), 10);
        assertThat(incidents).extracting(incident -> incident.objects("endpoint"), Incident::count, Incident::kind).containsExactlyInAnyOrder(
                tuple(List.of("scoring"), 2L, "endpoint.model_error"), tuple(List.of("ranking"), 1L, "endpoint.model_error"),
                tuple(List.of("scoring"), 1L, "endpoint.model_timeout"));
        Incident grouped = incidents.stream().filter(incident -> incident.count() == 2).findFirst().orElseThrow();
        assertThat(grouped.fingerprint()).isEqualTo(dev.keel.core.incident.Fingerprints.of("policy", "per-endpoint", "kind", "endpoint.model_error",
                "endpoint", "scoring"));
    }

    @Test
    void dryRun_replaysStoredSignals_answeringWhatItWouldHaveDoneAndWhen_withoutDoingIt() {
        championAt2();
        java.time.Instant start = world.clock.instant();
        for (int i = 0; i < 5; i++) {
            world.publish(modelFailed("scoring", "boom"));
            world.clock.advance(Duration.ofMinutes(2));
        }
        world.clock.advance(Duration.ofHours(3));
        world.publish(modelFailed("scoring", "boom"));
        world.clock.advance(Duration.ofDays(1));
        PolicySpec spec = new PolicySpecParser().parseOrThrow("""
                name: rollback-on-model-errors
                when: {kind: endpoint.model_error, count: 3, within: 10m}
                actions: [{rollback: {alias: champion}}, {raise_severity: {to: critical}}]
                """);

        DryRun run = world.policies.dryRun(spec, 7);

        String incident = onlyIncident().id();
        assertThat(run.signals()).isEqualTo(6);
        assertThat(run.truncated()).isFalse();
        assertThat(run.actions()).extracting(DryRun.Planned::at, DryRun.Planned::action, DryRun.Planned::target, DryRun.Planned::outcome,
                planned -> Matching.category(planned.reason())).containsExactly(
                tuple(start.plus(Duration.ofMinutes(4)), "rollback", "churn:champion", "would_run", "3 occurrences in the window"),
                tuple(start.plus(Duration.ofMinutes(4)), "raise_severity", incident, "would_run", "3 occurrences in the window"),
                tuple(start.plus(Duration.ofMinutes(6)), "rollback", "churn:champion", "skipped", "already done"),
                tuple(start.plus(Duration.ofMinutes(6)), "raise_severity", incident, "skipped", "already done"));
        // nothing was done
        assertThat(world.registry.requireModel("churn").aliases()).containsEntry("champion", 2);
        assertThat(actions(incident)).isEmpty();
        assertThat(world.policies.list("")).isEmpty();
    }
}
