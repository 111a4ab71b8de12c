package dev.keel.core.incident.policy;

import dev.keel.core.alert.Alert;
import dev.keel.core.alert.DeliveryAttempt;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.ScheduleState;
import dev.keel.core.data.Trigger;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Incident;
import dev.keel.core.incident.IncidentChange;
import dev.keel.core.incident.IncidentListener;
import dev.keel.core.incident.Incidents;
import dev.keel.core.incident.Observation;
import dev.keel.core.incident.StoredSignal;
import dev.keel.core.registry.AliasEvent;
import dev.keel.core.serving.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs policies on incident changes. Told of a change on the incident sink's thread, it only hands the change to its own
 * thread; there it matches the change's observations against the project's policies, counts the matching occurrences of the
 * incident within the policy's window from the stored signals, and when they reach the policy's count runs its actions in
 * order. Each action is guarded ({@link Matching#holdBack}), claimed in the store under its idempotency key before it runs,
 * audited with actor {@code policy:NAME}, and written on the incident's timeline with its outcome.
 *
 * <p>A retry does not sleep: each attempt is scheduled on the {@link RetryScheduler} after a random wait up to the attempt's
 * backoff (full jitter) and runs the pipeline on a thread of its own.
 */
public final class PolicyEngine implements IncidentListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyEngine.class);
    private static final Set<IncidentChange.Type> OCCURRENCES = Set.of(IncidentChange.Type.OPENED, IncidentChange.Type.REOPENED,
            IncidentChange.Type.RECURRED);

    /** Runs a task after a delay; the server's runs on a scheduled executor, tests run tasks when they choose. */
    @FunctionalInterface
    public interface RetryScheduler {
        void schedule(Duration delay, Runnable task);
    }

    private final PolicyStore store;
    private final Incidents incidents;
    private final RemedyServices services;
    private final Function<String, List<Policy>> policiesOf;
    private final RetryScheduler retries;
    private final RandomGenerator random;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("keel-policies").daemon(true).factory());
    private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.atomic.AtomicInteger attempting = new java.util.concurrent.atomic.AtomicInteger();

    PolicyEngine(PolicyStore store, Incidents incidents, RemedyServices services, Function<String, List<Policy>> policiesOf,
                 RetryScheduler retries, RandomGenerator random) {
        this.store = Objects.requireNonNull(store, "store");
        this.incidents = Objects.requireNonNull(incidents, "incidents");
        this.services = Objects.requireNonNull(services, "services");
        this.policiesOf = Objects.requireNonNull(policiesOf, "policiesOf");
        this.retries = Objects.requireNonNull(retries, "retries");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public void changed(IncidentChange change) {
        if (!OCCURRENCES.contains(change.type()) || change.observations().isEmpty()) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    evaluate(change);
                } catch (RuntimeException e) {
                    LOG.error("policies failed on {} of incident {}", change.type(), change.incident().id(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("policies are closed; {} of incident {} is not acted on", change.type(), change.incident().id());
        }
    }

    /**
     * Waits until the changes handed over so far have been acted on and no retry attempt is running (attempts scheduled for
     * later excepted); for tests and shutdown.
     */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                CompletableFuture.runAsync(() -> { }, worker).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (attempting.get() == 0) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private void evaluate(IncidentChange change) {
        Incident incident = change.incident();
        for (Policy policy : policiesOf.apply(incident.project())) {
            PolicySpec spec = policy.spec();
            Optional<Observation> trigger = change.observations().stream().filter(observation -> Matching.matches(spec.when(), observation))
                    .max(Comparator.comparing(Observation::lastAt));
            if (trigger.isEmpty()) {
                continue;
            }
            Instant at = trigger.get().lastAt();
            long count = occurrences(spec, incident, at);
            if (count < spec.when().count()) {
                LOG.debug("policy '{}': {} of {} occurrences of incident {}", policy.name(), count, spec.when().count(), incident.id());
                continue;
            }
            List<String> taken = new ArrayList<>();
            for (PolicyAction action : spec.actions()) {
                try {
                    perform(policy, incident, action, trigger.get(), count, taken);
                } catch (RuntimeException e) {
                    LOG.error("policy '{}': {} on incident {} failed", policy.name(), action.name(), incident.id(), e);
                }
            }
        }
    }

    /** The matching occurrences of the incident in the policy's window that ends at {@code at}, from the stored signals. */
    private long occurrences(PolicySpec spec, Incident incident, Instant at) {
        Instant since = Matching.windowStart(spec.when(), at, Matching.episode(incident));
        long count = 0;
        for (StoredSignal stored : incidents.store().signals(incident.project(), since, at.plusMillis(1), Matching.MAX_HISTORY)) {
            if (stored.incidentId().equals(incident.id()) && Matching.matches(spec.when(), stored.observation())) {
                count += stored.observation().count();
            }
        }
        return count;
    }

    private void perform(Policy policy, Incident incident, PolicyAction action, Observation trigger, long count, List<String> taken) {
        Instant now = incidents.clock().instant();
        Optional<String> target = Matching.target(action, trigger.signal(), incident.id());
        if (target.isEmpty()) {
            skip(policy, incident, action.name(), "(none)", "no target: the signals name no " + Matching.role(action) + " to "
                    + action.name(), now);
            return;
        }
        String key = ActionRecord.key(incident.id(), action.name(), target.get());
        Optional<String> held = Matching.holdBack(policy.spec(), action.name(), target.get(), key, now, store);
        if (held.isPresent()) {
            skip(policy, incident, action.name(), target.get(), held.get(), now);
            return;
        }
        String why = count + " occurrences of incident " + incident.id() + " (" + incident.title() + ")";
        ActionRecord claimed = new ActionRecord(UUID.randomUUID().toString(), policy.name(), policy.project(), incident.id(), action.name(),
                target.get(), now, ActionRecord.Outcome.RUNNING, why);
        if (!store.claim(claimed, key)) {
            skip(policy, incident, action.name(), target.get(), "already done: " + action.name() + " of " + target.get()
                    + " was taken for this incident", now);
            return;
        }
        if (action instanceof PolicyAction.Retry retry) {
            startRetry(policy, incident, retry, claimed, why);
            return;
        }
        Done done;
        try {
            done = act(policy, incident, action, target.get(), why, taken);
        } catch (KeelException e) {
            done = new Done(ActionRecord.Outcome.FAILED, action.name() + " of " + target.get() + " failed", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("policy '{}': {} of {} failed", policy.name(), action.name(), target.get(), e);
            done = new Done(ActionRecord.Outcome.FAILED, action.name() + " of " + target.get() + " failed", String.valueOf(e.getMessage()));
        }
        finish(policy, incident, action.name(), target.get(), claimed, done, Map.of());
        if (done.outcome() == ActionRecord.Outcome.SUCCEEDED) {
            taken.add(done.text());
        }
    }

    /** What an action did: its outcome, one line for the timeline, and why. */
    private record Done(ActionRecord.Outcome outcome, String text, String reason) {
        static Done succeeded(String text, String reason) {
            return new Done(ActionRecord.Outcome.SUCCEEDED, text, reason);
        }
    }

    private Done act(Policy policy, Incident incident, PolicyAction action, String target, String why, List<String> taken) {
        String actor = policy.actor();
        String project = policy.project();
        return switch (action) {
            case PolicyAction.Rollback rollback -> {
                String model = target.substring(0, target.length() - rollback.alias().length() - 1);
                requireProject("model", model, services.registry().findModel(model).map(found -> found.project()), project);
                AliasEvent event = services.registry().rollback(model, rollback.alias(), "incident " + incident.id() + ": " + incident.title()
                        + " (policy " + policy.name() + ")", actor);
                yield Done.succeeded("rolled " + target + " back from version " + event.fromVersion().map(String::valueOf).orElse("?")
                        + " to version " + event.toVersion().map(String::valueOf).orElse("?"), why);
            }
            case PolicyAction.Fallback ignored -> {
                requireProject("endpoint", target, services.serving().project(target), project);
                String before = services.serving().require(target).config().alias();
                Endpoint pinned = services.serving().pinToFallback(target);
                yield Done.succeeded("switched endpoint " + target + " from '" + before + "' to its fallback version " + pinned.config().alias(), why);
            }
            case PolicyAction.Retry ignored -> throw new IllegalStateException("retries are started by startRetry");
            case PolicyAction.PauseSchedule ignored -> {
                requireProject("pipeline", target, services.pipelines().pipelineProject(target), project);
                boolean was = services.pipelines().schedule(target).status() == ScheduleState.Status.PAUSED;
                services.pipelines().pauseSchedule(target, actor);
                yield Done.succeeded(was ? "the schedule of pipeline " + target + " was paused already" : "paused the schedule of pipeline "
                        + target, why);
            }
            case PolicyAction.ResumeSchedule ignored -> {
                requireProject("pipeline", target, services.pipelines().pipelineProject(target), project);
                boolean was = services.pipelines().schedule(target).status() == ScheduleState.Status.ACTIVE;
                services.pipelines().resumeSchedule(target, actor);
                yield Done.succeeded(was ? "the schedule of pipeline " + target + " was active already" : "resumed the schedule of pipeline "
                        + target, why);
            }
            case PolicyAction.StopPublish ignored -> {
                requireProject("pipeline", target, services.pipelines().pipelineProject(target), project);
                services.pipelines().stopPublishing(target, actor, "incident " + incident.id() + ": " + incident.title());
                yield Done.succeeded("stopped pipeline " + target + " from publishing its outputs until resumed", why);
            }
            case PolicyAction.RaiseSeverity raise -> {
                boolean raised = incidents.raiseSeverity(incident.id(), raise.to(), actor, why);
                yield Done.succeeded(raised ? "raised the severity to " + raise.to().label() : "the severity is " + incident.severity().label()
                        + " already; not lowered or raised", why);
            }
            case PolicyAction.Notify notify -> {
                requireProject("alert channel", target, services.alerting().channelProject(target), project);
                Alert alert = new Alert(project, incident.severity(), incident.title(), incident.count() + " occurrences since "
                        + incident.firstSeen() + "; policy " + policy.name() + " sent it", Map.of("kind", incident.kind(), "policy", policy.name()),
                        incident.link(), taken, Alert.Status.FIRING, incidents.clock().instant());
                List<DeliveryAttempt> attempts = services.alerting().send(target, alert);
                DeliveryAttempt last = attempts.getLast();
                yield last.status() == DeliveryAttempt.Status.SENT ? Done.succeeded("sent the incident to channel " + target, why)
                        : new Done(ActionRecord.Outcome.FAILED, "could not send the incident to channel " + target, attempts.size()
                        + " attempts; the last: " + last.describe());
            }
            case PolicyAction.Retrain ignored -> {
                requireProject("model", target, services.registry().findModel(target).map(found -> found.project()), project);
                Optional<String> started = services.retrain().retrain(new RetrainHook.Request(project, target, incident.id(), why, actor));
                yield started.map(text -> Done.succeeded("retraining of model " + target + " started: " + text, why))
                        .orElseGet(() -> new Done(ActionRecord.Outcome.SKIPPED, "retraining of model " + target + " skipped",
                                "skipped: the model has no training spec"));
            }
        };
    }

    /** Policies act in their own project only; an object of another project, or none, is refused like a person's call would be. */
    private static void requireProject(String what, String name, Optional<String> actual, String project) {
        if (actual.isEmpty()) {
            throw KeelException.notFound(what + " '" + name + "' does not exist");
        }
        if (!actual.get().equals(project)) {
            throw new KeelException(dev.keel.core.error.ErrorCode.FORBIDDEN, what + " '" + name + "' is in project '" + actual.get()
                    + "'; a policy of project '" + project + "' acts in its own project only");
        }
    }

    private void startRetry(Policy policy, Incident incident, PolicyAction.Retry retry, ActionRecord claimed, String why) {
        try {
            requireProject("pipeline", claimed.target(), services.pipelines().pipelineProject(claimed.target()), policy.project());
        } catch (KeelException e) {
            finish(policy, incident, retry.name(), claimed.target(), claimed, new Done(ActionRecord.Outcome.FAILED, "retry of pipeline "
                    + claimed.target() + " failed", e.getMessage()), Map.of());
            return;
        }
        scheduleAttempt(policy, incident, retry, claimed, why, 1);
    }

    /** The wait before an attempt: uniformly random in [0, the attempt's backoff ceiling). */
    synchronized Duration delay(PolicyAction.Retry retry, int attempt) {
        long ceiling = retry.ceiling(attempt).toMillis();
        return Duration.ofMillis(ceiling <= 0 ? 0 : random.nextLong(ceiling));
    }

    private void scheduleAttempt(Policy policy, Incident incident, PolicyAction.Retry retry, ActionRecord claimed, String why, int attempt) {
        Duration wait = delay(retry, attempt);
        LOG.info("policy '{}': retry of pipeline '{}' attempt {} of {} in {}", policy.name(), claimed.target(), attempt, retry.attempts(), wait);
        retries.schedule(wait, () -> {
            attempting.incrementAndGet();
            try {
                runs.execute(() -> {
                    try {
                        attempt(policy, incident, retry, claimed, why, attempt);
                    } finally {
                        attempting.decrementAndGet();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                attempting.decrementAndGet();
                LOG.warn("policy '{}': retry of '{}' dropped at shutdown", policy.name(), claimed.target());
            }
        });
    }

    private void attempt(Policy policy, Incident incident, PolicyAction.Retry retry, ActionRecord claimed, String why, int attempt) {
        String pipeline = claimed.target();
        String failure;
        try {
            PipelineRun run = services.pipelines().run(pipeline, Trigger.POLICY, policy.actor());
            if (run.status() == RunStatus.SUCCEEDED) {
                finish(policy, incident, retry.name(), pipeline, claimed, Done.succeeded("re-ran pipeline " + pipeline + ": run " + run.id()
                        + " succeeded on attempt " + attempt + " of " + retry.attempts(), why), Map.of("attempt", attempt, "run", run.id()));
                return;
            }
            failure = "run " + run.id() + " " + run.status().name().toLowerCase(java.util.Locale.ROOT) + ": " + run.error().orElse("");
        } catch (KeelException e) {
            failure = e.getMessage();
        } catch (RuntimeException e) {
            LOG.error("policy '{}': retry of '{}' failed", policy.name(), pipeline, e);
            failure = String.valueOf(e.getMessage());
        }
        if (attempt < retry.attempts()) {
            timeline(policy, incident, retry.name(), pipeline, ActionRecord.Outcome.FAILED, "re-run of pipeline " + pipeline + ", attempt "
                    + attempt + " of " + retry.attempts() + ", failed; trying again", failure, Map.of("attempt", attempt));
            scheduleAttempt(policy, incident, retry, claimed, why, attempt + 1);
        } else {
            finish(policy, incident, retry.name(), pipeline, claimed, new Done(ActionRecord.Outcome.FAILED, "re-ran pipeline " + pipeline + " "
                    + retry.attempts() + " times; every attempt failed", failure), Map.of("attempt", attempt));
        }
    }

    private void finish(Policy policy, Incident incident, String action, String target, ActionRecord claimed, Done done, Map<String, Object> extra) {
        store.finish(claimed.id(), done.outcome(), done.reason());
        if (done.outcome() != ActionRecord.Outcome.SKIPPED) {
            audit(policy, action, target, done);
        }
        timeline(policy, incident, action, target, done.outcome(), done.text(), done.reason(), extra);
    }

    private void skip(Policy policy, Incident incident, String action, String target, String reason, Instant now) {
        Optional<ActionRecord> latest = store.latest(incident.id(), action, target);
        if (latest.isPresent() && latest.get().outcome() == ActionRecord.Outcome.SKIPPED
                && Matching.category(latest.get().reason()).equals(Matching.category(reason))) {
            return;
        }
        store.skipped(new ActionRecord(UUID.randomUUID().toString(), policy.name(), policy.project(), incident.id(), action, target, now,
                ActionRecord.Outcome.SKIPPED, reason));
        timeline(policy, incident, action, target, ActionRecord.Outcome.SKIPPED, action + " of " + target + " skipped", reason, Map.of());
    }

    private void timeline(Policy policy, Incident incident, String action, String target, ActionRecord.Outcome outcome, String text, String reason,
                          Map<String, Object> extra) {
        Map<String, Object> detail = new LinkedHashMap<>(extra);
        detail.put("policy", policy.name());
        detail.put("action", action);
        detail.put("target", target);
        detail.put("outcome", outcome.label());
        detail.put("reason", reason);
        try {
            incidents.recordAction(incident.id(), policy.actor(), text, detail);
        } catch (RuntimeException e) {
            LOG.error("policy '{}': {} of {} could not be written on incident {}'s timeline", policy.name(), action, target, incident.id(), e);
        }
    }

    private void audit(Policy policy, String action, String target, Done done) {
        try {
            services.audit().append(policy.actor(), "policy." + action, Optional.of(policy.project()), Optional.of(auditTarget(action, target)),
                    done.outcome() == ActionRecord.Outcome.SUCCEEDED ? "success" : "failure", 0, Optional.empty(),
                    Optional.of(done.text() + (done.reason().isEmpty() ? "" : "; " + done.reason())));
        } catch (RuntimeException e) {
            LOG.error("policy '{}': the audit entry of {} of {} could not be written", policy.name(), action, target, e);
        }
    }

    private static String auditTarget(String action, String target) {
        return switch (action) {
            case "rollback" -> {
                int colon = target.lastIndexOf(':');
                yield "/v1/models/" + target.substring(0, colon) + "/aliases/" + target.substring(colon + 1);
            }
            case "fallback" -> "/v1/endpoints/" + target;
            case "raise_severity" -> "/v1/incidents/" + target;
            case "notify" -> "/v1/alert-channels/" + target;
            case "retrain" -> "/v1/models/" + target;
            default -> "/v1/pipelines/" + target;
        };
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runs.shutdown();
    }
}
