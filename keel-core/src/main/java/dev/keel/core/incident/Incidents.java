package dev.keel.core.incident;

import dev.keel.core.alert.Severity;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident component as the server, the CLI and the policies use it: the sink that folds failure events into incidents,
 * the incidents and their timelines, acknowledgement and resolution, and automatic resolution after a quiet period.
 */
public final class Incidents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Incidents.class);
    /** The actor of changes Keel makes by itself. */
    public static final String KEEL = "keel";

    private final IncidentStore store;
    private final IncidentsConfig config;
    private final Clock clock;
    private final IncidentSink sink;
    /** Changes queued for one listener before the incident sink waits (back-pressure, nothing dropped). */
    static final int LISTENER_QUEUE = 10_000;
    private static final long WAIT_SECONDS = 30;
    private static final ThreadLocal<Boolean> ON_LISTENER_THREAD = ThreadLocal.withInitial(() -> false);
    private final List<Delivery> listeners = new CopyOnWriteArrayList<>();
    private final List<Function<Signal, Optional<String>>> fingerprinters = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService ticker;

    /**
     * @param projectOf the project of a signal whose publisher did not know it (a serving failure: the model's project)
     */
    public Incidents(IncidentStore store, IncidentsConfig config, Clock clock, MeterRegistry meters, Function<Signal, String> projectOf) {
        this.store = Objects.requireNonNull(store, "store");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sink = new IncidentSink(config, meters, projectOf, this::fingerprint, batch -> notify(store.record(batch), false),
                this::awaitListeners);
    }

    /** The component over the metadata store. */
    public static Incidents open(IncidentsConfig config, Database database, Clock clock, MeterRegistry meters, Function<Signal, String> projectOf) {
        return new Incidents(new IncidentStore(database), config, clock, meters, projectOf);
    }

    /** The sink to subscribe to the event dispatcher. */
    public IncidentSink sink() {
        return sink;
    }

    public IncidentStore store() {
        return store;
    }

    public IncidentsConfig config() {
        return config;
    }

    /**
     * One listener and the thread it is told on: each listener has its own, so that a slow one (a pattern check, an alert
     * dispatcher) delays neither the incident sink's flushes nor the other listeners; each is told in commit order.
     */
    private static final class Delivery {
        final IncidentListener listener;
        final ThreadPoolExecutor executor;

        Delivery(IncidentListener listener, int index) {
            this.listener = listener;
            java.util.concurrent.ThreadFactory threads = Thread.ofPlatform().daemon().name("keel-incident-listener-" + index).factory();
            this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(LISTENER_QUEUE), runnable ->
                    threads.newThread(() -> {
                        ON_LISTENER_THREAD.set(true);
                        runnable.run();
                    }), (task, pool) -> {
                        if (pool.isShutdown()) {
                            return;
                        }
                        try {
                            pool.getQueue().put(task);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
        }

        Future<?> tell(IncidentChange change) {
            return executor.submit(() -> {
                try {
                    listener.changed(change);
                } catch (RuntimeException e) {
                    LOG.error("incident listener {} failed on {} of {}", listener, change.type(), change.incident().id(), e);
                }
            });
        }
    }

    /** Adds a listener told of every committed change, on a thread of its own, in commit order. */
    public void addListener(IncidentListener listener) {
        listeners.add(new Delivery(Objects.requireNonNull(listener, "listener"), listeners.size() + 1));
    }

    /**
     * Waits until every listener has been told of every change made so far (at most 30 s); does nothing on a listener's own
     * thread. The incident sink's explicit {@code flush()} ends with it.
     */
    public void awaitListeners() {
        if (ON_LISTENER_THREAD.get()) {
            return;
        }
        List<Future<?>> marks = new java.util.ArrayList<>();
        for (Delivery delivery : listeners) {
            marks.add(delivery.executor.submit(() -> { }));
        }
        await(marks);
    }

    private static void await(List<Future<?>> futures) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (Future<?> future : futures) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("an incident listener has not finished within {} s: {}", WAIT_SECONDS, e.toString());
                return;
            } catch (java.util.concurrent.CancellationException e) {
                return;
            }
        }
    }

    /**
     * Adds a source of fingerprints that overrides the default one for the signals it answers (a policy's {@code fingerprint}).
     * The first that answers wins.
     */
    public void addFingerprinter(Function<Signal, Optional<String>> fingerprinter) {
        fingerprinters.add(Objects.requireNonNull(fingerprinter, "fingerprinter"));
    }

    private Optional<String> fingerprint(Signal signal) {
        for (Function<Signal, Optional<String>> fingerprinter : fingerprinters) {
            Optional<String> chosen = fingerprinter.apply(signal);
            if (chosen.isPresent()) {
                return chosen;
            }
        }
        return Optional.empty();
    }

    /** Queues the changes for every listener; with {@code wait}, returns once the listeners have been told of them. */
    private void notify(List<IncidentChange> changes, boolean wait) {
        List<Future<?>> told = new java.util.ArrayList<>();
        for (IncidentChange change : changes) {
            for (Delivery delivery : listeners) {
                told.add(delivery.tell(change));
            }
        }
        if (wait && !ON_LISTENER_THREAD.get()) {
            await(told);
        }
    }

    /** Starts the sink's quiet-period check and signal retention on a thread of their own, every {@code period}. */
    public synchronized void start(Duration period) {
        if (ticker != null) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "keel-incidents-ticker");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("incident upkeep failed; it is tried again at the next tick", e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Resolves incidents that have been quiet for {@code auto-resolve-after} and drops signals past their retention. */
    public List<IncidentChange> tick() {
        Instant now = clock.instant();
        List<IncidentChange> resolved = new java.util.ArrayList<>();
        for (Incident quiet : store.quietSince(now.minus(config.autoResolveAfter()))) {
            store.setStatus(quiet.id(), Incident.Status.RESOLVED, KEEL, "no occurrence for " + config.autoResolveAfter().toMinutes()
                    + " min (incidents.auto-resolve-after)", now).ifPresent(resolved::add);
        }
        notify(resolved, false);
        store.deleteSignalsBefore(now.minus(config.signalRetention()));
        return resolved;
    }

    /** The incident, or 404. */
    public Incident get(String id) {
        return store.find(id).orElseThrow(() -> KeelException.notFound("there is no incident '" + id + "'"));
    }

    /** The incident's project, for the permission check of routes that name it. */
    public Optional<String> projectOf(String id) {
        return store.find(id).map(Incident::project);
    }

    public List<Incident> list(String project, Collection<Incident.Status> statuses, int limit) {
        return store.list(project, statuses, limit);
    }

    public List<TimelineEntry> timeline(String id, int limit) {
        get(id);
        return store.timeline(id, limit);
    }

    /** Acknowledges an open incident; acknowledging it again, or a resolved one, changes nothing and answers it as it is. */
    public Incident acknowledge(String id, String actor, String comment) {
        get(id);
        store.setStatus(id, Incident.Status.ACKNOWLEDGED, actor, comment, clock.instant()).ifPresent(change -> notify(List.of(change), true));
        return get(id);
    }

    /** Resolves an active incident; resolving it again changes nothing. It reopens when its fingerprint comes back. */
    public Incident resolve(String id, String actor, String comment) {
        get(id);
        store.setStatus(id, Incident.Status.RESOLVED, actor, comment, clock.instant()).ifPresent(change -> notify(List.of(change), true));
        return get(id);
    }

    /** Raises an active incident's severity (a policy's {@code raise_severity}); answers whether it changed. */
    public boolean raiseSeverity(String id, Severity severity, String actor, String reason) {
        Optional<IncidentChange> change = store.raiseSeverity(id, severity, actor, reason, clock.instant());
        change.ifPresent(done -> notify(List.of(done), false));
        return change.isPresent();
    }

    /** Records an automated action and its outcome on the incident's timeline, and tells the listeners ({@code ACTED}). */
    public TimelineEntry recordAction(String id, String actor, String text, Map<String, Object> detail) {
        TimelineEntry entry = store.append(id, TimelineEntry.Type.ACTION, actor, text, detail, clock.instant());
        store.find(id).ifPresent(incident -> notify(List.of(new IncidentChange(incident, IncidentChange.Type.ACTED, List.of(), actor)), false));
        return entry;
    }

    /** Records something else on the timeline: an alert sent or held, an escalation, a note. */
    public TimelineEntry record(String id, TimelineEntry.Type type, String actor, String text, Map<String, Object> detail) {
        return store.append(id, type, actor, text, detail, clock.instant());
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        sink.close();
        awaitListeners();
        for (Delivery delivery : listeners) {
            delivery.executor.shutdown();
        }
    }
}
