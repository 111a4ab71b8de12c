package dev.keel.core.incident;

import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident package's event sink. On the publisher's thread it only counts: equal signals (same kind, project, message
 * with its free-standing numbers masked, and objects apart from per-occurrence ones such as the run) share one counter,
 * so a storm of one failure costs a pass over its message and a map lookup per event, however its ids and numbers vary.
 * Every flush interval its own thread names each counter's project and fingerprint, merges the counters that fold into
 * the same incident and object set, and hands them to the store in one transaction.
 *
 * <p>Nothing is dropped: with {@code maxPending} distinct counters held, a new kind of signal is counted under its kind and
 * project only (its message and objects are lost, its occurrence is not) and a flush is started at once. When the store
 * fails, the batch is kept and written with the next flush. Further occurrences of a fingerprint written less than
 * {@code recurrence-write-interval} ago (1 s) wait for it to pass, so a fault that keeps recurring is written once a second,
 * not every flush; a new fingerprint is always written at the next flush. What a crash can lose is at most one flush
 * interval of new faults and one recurrence write interval of recurrences.
 */
public final class IncidentSink implements EventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentSink.class);
    /** Roles that differ on every occurrence; an observation keeps the latest value instead of splitting on them. */
    private static final List<String> PER_OCCURRENCE = List.of("run", "breach");

    private final IncidentsConfig config;
    private final Function<Signal, String> projectOf;
    private final Function<Signal, Optional<String>> fingerprintOverride;
    private final Consumer<List<Observation>> writer;
    private final Runnable afterFlush;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition due = lock.newCondition();
    private Map<Key, Pending> pending = new HashMap<>();
    private final Map<Key, Pending> overflow = new HashMap<>();
    private List<Observation> unwritten = new ArrayList<>();
    /** Observations held back because their fingerprint was written less than a recurrence write interval ago. */
    private List<Observation> deferred = new ArrayList<>();
    /** When each project and fingerprint was last written (nanoTime); guarded by this. */
    private final Map<String, Long> lastWritten = new HashMap<>();
    private final Counter received;
    private final Counter overflowed;
    private final Counter writeFailures;
    private final Timer flushes;
    private final Thread flusher;
    private volatile boolean closed;

    private record Key(String kind, String project, String message, Map<String, String> objects) {
    }

    private static final class Pending {
        Signal latest;
        long count;
        Instant first;
        Instant last;

        Pending(Signal signal) {
            this.latest = signal;
            this.first = signal.at();
            this.last = signal.at();
        }

        void add(Signal signal, long occurrences) {
            count += occurrences;
            if (signal.at().isBefore(first)) {
                first = signal.at();
            }
            if (!signal.at().isBefore(last)) {
                last = signal.at();
                latest = signal;
            }
        }
    }

    /**
     * @param projectOf the project of a signal whose publisher did not know it (found from its model); "default" when none
     * @param fingerprintOverride a policy's own fingerprint for a signal, or empty for {@link Fingerprints#of(Signal)}
     * @param writer writes a batch of observations in one transaction; throws when the store fails
     */
    public IncidentSink(IncidentsConfig config, MeterRegistry meters, Function<Signal, String> projectOf,
                        Function<Signal, Optional<String>> fingerprintOverride, Consumer<List<Observation>> writer) {
        this(config, meters, projectOf, fingerprintOverride, writer, () -> { });
    }

    /**
     * @param afterFlush run at the end of an explicit {@link #flush()} (not of the sink's own periodic ones): the incident
     *     component waits there for its listeners to have seen what was written
     */
    public IncidentSink(IncidentsConfig config, MeterRegistry meters, Function<Signal, String> projectOf,
                        Function<Signal, Optional<String>> fingerprintOverride, Consumer<List<Observation>> writer, Runnable afterFlush) {
        this.afterFlush = Objects.requireNonNull(afterFlush, "afterFlush");
        this.config = Objects.requireNonNull(config, "config");
        this.projectOf = Objects.requireNonNull(projectOf, "projectOf");
        this.fingerprintOverride = Objects.requireNonNull(fingerprintOverride, "fingerprintOverride");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.received = Counter.builder("keel.incidents.signals").description("Failure signals received by the incident sink").register(meters);
        this.overflowed = Counter.builder("keel.incidents.signals.overflowed")
                .description("Signals counted under their kind only because the sink held max-pending distinct ones").register(meters);
        this.writeFailures = Counter.builder("keel.incidents.write.failures").description("Flushes the store refused; retried").register(meters);
        this.flushes = Timer.builder("keel.incidents.flush").description("Time to write one flush of observations").register(meters);
        Gauge.builder("keel.incidents.pending", this, IncidentSink::pendingCount).description("Distinct signals waiting for the next flush")
                .register(meters);
        this.flusher = Thread.ofPlatform().daemon().name("keel-incidents").unstarted(this::run);
        flusher.start();
    }

    @Override
    public boolean wants(Class<? extends KeelEvent> kind) {
        return Signals.FAILURES.contains(kind);
    }

    /** Counting is cheap and must not be lost to a full queue, so it happens on the publisher's thread. */
    @Override
    public boolean onPublisherThread() {
        return true;
    }

    @Override
    public String name() {
        return "incidents";
    }

    @Override
    public void accept(KeelEvent event) {
        Signals.of(event).ifPresent(this::add);
    }

    /** Counts one signal towards the next flush. */
    public void add(Signal signal) {
        received.increment();
        Key key = new Key(signal.kind(), signal.project(), Fingerprints.maskNumbers(signal.message()), stable(signal.objects()));
        lock.lock();
        try {
            Pending counter = pending.get(key);
            if (counter == null) {
                if (pending.size() >= config.maxPending()) {
                    overflowed.increment();
                    key = new Key(signal.kind(), signal.project(), "", Map.of());
                    counter = overflow.computeIfAbsent(key, ignored -> new Pending(signal));
                    due.signal();
                } else {
                    counter = new Pending(signal);
                    pending.put(key, counter);
                }
            }
            counter.add(signal, 1);
        } finally {
            lock.unlock();
        }
    }

    /** The objects without the per-occurrence ones (a run id differs every time; the latest is kept with the counter). */
    private static Map<String, String> stable(Map<String, String> objects) {
        for (String role : PER_OCCURRENCE) {
            if (objects.containsKey(role)) {
                Map<String, String> kept = new HashMap<>(objects);
                PER_OCCURRENCE.forEach(kept::remove);
                return kept;
            }
        }
        return objects;
    }

    private double pendingCount() {
        lock.lock();
        try {
            return pending.size() + overflow.size();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            lock.lock();
            try {
                if (pending.size() < config.maxPending() && overflow.isEmpty()) {
                    due.await(config.flushInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            write(false);
        }
    }

    /**
     * Writes what is counted now: every signal added before the call is in the store when it returns (or kept for the next
     * flush when the store failed), and the incident component's listeners have been told. Called by {@link #close()} and by
     * whoever needs it written; the sink's own thread writes without waiting for the listeners.
     */
    public void flush() {
        write(true);
        afterFlush.run();
    }

    /** One of the sink's own flushes, which holds recurrences back; for tests. */
    void flushDue() {
        write(false);
    }

    /** With {@code all} false (the sink's own flushes), holds back further occurrences of fingerprints just written. */
    private void write(boolean all) {
        synchronized (this) {
            Map<Key, Pending> taken;
            lock.lock();
            try {
                taken = pending;
                pending = new HashMap<>();
                taken.putAll(overflowedCopy());
            } finally {
                lock.unlock();
            }
            List<Observation> batch = new ArrayList<>(unwritten);
            batch.addAll(deferred);
            batch.addAll(observations(taken));
            if (batch.isEmpty()) {
                return;
            }
            long start = System.nanoTime();
            List<Observation> now = merge(batch);
            deferred = new ArrayList<>();
            if (!all && config.recurrenceWriteInterval().isPositive()) {
                long interval = config.recurrenceWriteInterval().toNanos();
                List<Observation> due = new ArrayList<>(now.size());
                for (Observation observation : now) {
                    Long last = lastWritten.get(observation.project() + '\u00ff' + observation.fingerprint());
                    (last != null && start - last < interval ? deferred : due).add(observation);
                }
                now = due;
                lastWritten.values().removeIf(last -> start - last >= interval);
            }
            if (now.isEmpty()) {
                return;
            }
            try {
                writer.accept(now);
                unwritten = new ArrayList<>();
                for (Observation observation : now) {
                    lastWritten.put(observation.project() + '\u00ff' + observation.fingerprint(), start);
                }
            } catch (RuntimeException e) {
                writeFailures.increment();
                unwritten = now;
                LOG.warn("could not write {} incident observations; they are kept and written with the next flush", unwritten.size(), e);
            } finally {
                flushes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }
    }

    private Map<Key, Pending> overflowedCopy() {
        Map<Key, Pending> copy = new HashMap<>();
        overflow.forEach((key, counter) -> copy.put(new Key(key.kind(), key.project(), "\u0000overflow", Map.of()), counter));
        overflow.clear();
        return copy;
    }

    private List<Observation> observations(Map<Key, Pending> taken) {
        List<Observation> batch = new ArrayList<>(taken.size());
        for (Map.Entry<Key, Pending> entry : taken.entrySet()) {
            Pending counter = entry.getValue();
            Signal signal = counter.latest;
            if ("\u0000overflow".equals(entry.getKey().message())) {
                signal = new Signal(signal.kind(), signal.component(), signal.objectKind(), signal.project(), signal.severity(),
                        "more distinct failures of this kind arrived than the incident sink holds between flushes (incidents.max-pending)",
                        Map.of(), signal.at());
            }
            if (signal.project().isEmpty()) {
                signal = signal.inProject(projectOf.apply(signal));
            }
            String cause = Fingerprints.normalise(signal.message());
            Signal finalSignal = signal;
            String fingerprint = fingerprintOverride.apply(signal)
                    .orElseGet(() -> Fingerprints.of(finalSignal.component(), finalSignal.objectKind(), finalSignal.kind(), cause));
            batch.add(new Observation(signal, fingerprint, cause, counter.count, counter.first, counter.last));
        }
        return batch;
    }

    /** One observation per project, fingerprint and objects (apart from per-occurrence ones), keeping the latest signal. */
    private static List<Observation> merge(List<Observation> batch) {
        Map<List<Object>, Observation> merged = new LinkedHashMap<>();
        for (Observation observation : batch) {
            Map<String, String> stable = new TreeMap<>(observation.signal().objects());
            PER_OCCURRENCE.forEach(stable::remove);
            merged.merge(List.of(observation.project(), observation.fingerprint(), stable), observation, (a, b) -> {
                Observation latest = b.lastAt().isBefore(a.lastAt()) ? a : b;
                return new Observation(latest.signal(), latest.fingerprint(), latest.cause(), a.count() + b.count(),
                        a.firstAt().isBefore(b.firstAt()) ? a.firstAt() : b.firstAt(), latest.lastAt());
            });
        }
        return new ArrayList<>(merged.values());
    }

    /** Stops the thread and writes what is counted; a store that fails now loses that last flush, which is logged. */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            due.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            flusher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        if (!unwritten.isEmpty()) {
            LOG.error("{} incident observations could not be written before closing", unwritten.size());
        }
    }
}
