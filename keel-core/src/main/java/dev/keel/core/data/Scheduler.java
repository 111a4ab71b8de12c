package dev.keel.core.data;

import dev.keel.core.error.KeelException;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.ScheduleMissed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pipelines on their cron schedules. {@link #start()} launches a loop that wakes at the next fire time (at least every
 * {@link #MAX_SLEEP}, so new specs are picked up) and starts every pipeline that came due; {@link #tick(Instant)} does one
 * such pass and is what tests drive. A pipeline still running when it comes due again is skipped, not queued. A slot fires
 * only when it lies after the pipeline's version was registered and after its schedule was last resumed; paused and deleted
 * schedules do not fire.
 *
 * <p>Slots that do not fire are published as {@link ScheduleMissed}: one skipped because the previous run still ran, and at
 * {@link #start()} the slots that came due while the server was down ({@link #reportMissed(Instant)}).
 */
public final class Scheduler implements AutoCloseable {
    /** The longest the loop sleeps before looking at the specs again. */
    public static final Duration MAX_SLEEP = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** How many recent runs are searched for the last scheduled one. */
    private static final int MISSED_LOOKBACK_RUNS = 200;
    /** Missed slots are counted up to this many. */
    private static final int MAX_MISSED_COUNTED = 1_000;

    private final PipelineService service;
    private final Clock clock;
    private final ZoneId zone;
    private final Executor executor;
    private final EventSink events;
    private Instant checkedUntil;
    private Thread loop;

    /**
     * Wires a scheduler.
     *
     * @param zone the time zone cron expressions are read in
     * @param executor runs due pipelines; the server passes a virtual-thread executor
     */
    public Scheduler(PipelineService service, Clock clock, ZoneId zone, Executor executor) {
        this(service, clock, zone, executor, EventSink.discarding());
    }

    /** Wires a scheduler that publishes the slots it misses to {@code events}. */
    public Scheduler(PipelineService service, Clock clock, ZoneId zone, Executor executor, EventSink events) {
        this.events = Objects.requireNonNull(events, "events");
        this.service = Objects.requireNonNull(service, "service");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.checkedUntil = clock.instant();
    }

    /** Reports the slots missed while the server was down and starts the loop in a daemon thread; does nothing if it is running. */
    public synchronized void start() {
        if (loop != null && loop.isAlive()) {
            return;
        }
        checkedUntil = clock.instant();
        try {
            reportMissed(checkedUntil);
        } catch (RuntimeException e) {
            LOG.warn("could not look for scheduled runs missed while the server was down: {}", e.getMessage());
        }
        loop = Thread.ofPlatform().daemon().name("keel-pipeline-scheduler").start(this::loop);
    }

    /** Stops the loop and waits for its current pass; runs in progress finish on their own. */
    public void stop() {
        Thread stopping;
        synchronized (this) {
            stopping = loop;
            loop = null;
        }
        if (stopping != null) {
            stopping.interrupt();
            try {
                stopping.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** True while the loop runs. */
    public synchronized boolean running() {
        return loop != null && loop.isAlive();
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                tick(clock.instant());
                Instant now = clock.instant();
                Duration sleep = nextFireTimes().values().stream().min(Instant::compareTo)
                        .map(next -> Duration.between(now, next)).filter(wait -> wait.compareTo(MAX_SLEEP) < 0).orElse(MAX_SLEEP);
                Thread.sleep(Math.max(sleep.toMillis(), 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                LOG.error("pipeline scheduler pass failed; trying again", e);
            }
        }
    }

    /**
     * Starts every pipeline with a fire time in (last pass, now].
     *
     * @return the pipelines started
     */
    public synchronized List<String> tick(Instant now) {
        List<String> started = new ArrayList<>();
        for (PipelineVersion version : service.list()) {
            PipelineSpec spec;
            Optional<ZonedDateTime> since;
            try {
                spec = service.spec(version.pipeline());
                since = firingSince(version);
            } catch (KeelException e) {
                LOG.warn("pipeline '{}' has an invalid spec and is not scheduled: {}", version.pipeline(), e.getMessage());
                continue;
            }
            if (since.isEmpty()) {
                continue;
            }
            ZonedDateTime from = since.get();
            Optional<Instant> due = spec.schedules().stream().map(cron -> cron.next(from)).flatMap(Optional::stream)
                    .map(ZonedDateTime::toInstant).filter(next -> !next.isAfter(now)).min(Instant::compareTo);
            if (due.isEmpty()) {
                continue;
            }
            if (service.isRunning(spec.name())) {
                LOG.warn("pipeline '{}' is due but still running; skipping this firing", spec.name());
                events.accept(new ScheduleMissed(version.project(), spec.name(), due.get(), "the run due at " + due.get()
                        + " was skipped: the previous run was still running", now));
                continue;
            }
            started.add(spec.name());
            executor.execute(() -> {
                try {
                    service.run(spec.name(), Trigger.SCHEDULE);
                } catch (KeelException e) {
                    LOG.warn("scheduled run of '{}' did not start: {}", spec.name(), e.getMessage());
                }
            });
        }
        if (now.isAfter(checkedUntil)) {
            checkedUntil = now;
        }
        return started;
    }

    /**
     * Publishes a {@link ScheduleMissed} for every active schedule with slots that came due before {@code now} and never fired:
     * after the pipeline's last scheduled run (or its registration, or its last resume) and before this start. One event per
     * pipeline, naming the first missed slot and how many there were.
     *
     * @return the pipelines that missed runs
     */
    public synchronized List<String> reportMissed(Instant now) {
        List<String> missed = new ArrayList<>();
        for (PipelineVersion version : service.list()) {
            try {
                PipelineSpec spec = service.spec(version.pipeline());
                ScheduleState state = service.schedule(version);
                if (spec.schedules().isEmpty() || state.status() != ScheduleState.Status.ACTIVE) {
                    continue;
                }
                Instant since = version.createdAt().isAfter(state.changedAt()) ? version.createdAt() : state.changedAt();
                Optional<Instant> lastScheduled = service.history(version.pipeline(), MISSED_LOOKBACK_RUNS).stream()
                        .filter(run -> run.trigger() == Trigger.SCHEDULE).map(PipelineRun::startedAt).findFirst();
                if (lastScheduled.isPresent() && lastScheduled.get().isAfter(since)) {
                    since = lastScheduled.get();
                }
                List<Instant> slots = slotsBetween(spec, since, now);
                if (slots.isEmpty()) {
                    continue;
                }
                missed.add(version.pipeline());
                String count = slots.size() >= MAX_MISSED_COUNTED ? "at least " + slots.size() : Integer.toString(slots.size());
                events.accept(new ScheduleMissed(version.project(), version.pipeline(), slots.getFirst(), count + " scheduled run(s) came due"
                        + " while the server was down, the first at " + slots.getFirst() + "; they were not run", now));
                LOG.warn("pipeline '{}': {} scheduled run(s) came due while the server was down, the first at {}", version.pipeline(),
                        count, slots.getFirst());
            } catch (KeelException e) {
                LOG.debug("skipping invalid spec of '{}'", version.pipeline());
            }
        }
        return missed;
    }

    /** The slots of a spec's schedules in (since, now), oldest first, at most {@link #MAX_MISSED_COUNTED}. */
    private List<Instant> slotsBetween(PipelineSpec spec, Instant since, Instant now) {
        java.util.TreeSet<Instant> slots = new java.util.TreeSet<>();
        for (CronExpression cron : spec.schedules()) {
            ZonedDateTime from = since.atZone(zone);
            for (int i = 0; i < MAX_MISSED_COUNTED; i++) {
                Optional<ZonedDateTime> next = cron.next(from);
                if (next.isEmpty() || !next.get().toInstant().isBefore(now)) {
                    break;
                }
                slots.add(next.get().toInstant());
                from = next.get();
            }
        }
        return slots.stream().limit(MAX_MISSED_COUNTED).toList();
    }

    /**
     * Where a pipeline's schedule starts looking for slots: after the last pass, after the version was registered and after the
     * schedule was last resumed, so that no slot from before any of those fires. Empty when the schedule is paused or deleted.
     */
    private Optional<ZonedDateTime> firingSince(PipelineVersion version) {
        ScheduleState state = service.schedule(version);
        if (state.status() != ScheduleState.Status.ACTIVE) {
            return Optional.empty();
        }
        Instant since = checkedUntil;
        for (Instant candidate : List.of(version.createdAt(), state.changedAt())) {
            if (candidate.isAfter(since)) {
                since = candidate;
            }
        }
        return Optional.of(since.atZone(zone));
    }

    /** The next fire time of every scheduled pipeline whose schedule is active, after the last pass. */
    public synchronized Map<String, Instant> nextFireTimes() {
        Map<String, Instant> next = new LinkedHashMap<>();
        for (PipelineVersion version : service.list()) {
            try {
                Optional<ZonedDateTime> since = firingSince(version);
                if (since.isEmpty()) {
                    continue;
                }
                ZonedDateTime from = since.get();
                service.spec(version.pipeline()).schedules().stream().map(cron -> cron.next(from)).flatMap(Optional::stream)
                        .map(ZonedDateTime::toInstant).min(Instant::compareTo).ifPresent(time -> next.put(version.pipeline(), time));
            } catch (KeelException e) {
                LOG.debug("skipping invalid spec of '{}'", version.pipeline());
            }
        }
        return next;
    }
}
