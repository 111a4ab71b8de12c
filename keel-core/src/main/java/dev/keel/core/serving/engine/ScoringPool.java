package dev.keel.core.serving.engine;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.Tensor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Scores requests on a fixed set of threads behind one bounded queue, batching queued requests for the same model.
 *
 * <p>Futures complete on a scoring thread: callers that do more than hand the answer on should continue with the
 * {@code *Async} methods of {@link CompletableFuture}.
 */
public final class ScoringPool implements AutoCloseable {
    private static final long SMOOTHING_SHIFT = 4;

    private final ScoringConfig config;
    private final ScoringMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Job> pending;
    private final List<Thread> workers;
    private final ScheduledThreadPoolExecutor timer;
    private int batchFillers;
    private boolean running = true;
    private volatile long nanosPerRequest;
    /** Scoring slots for callers that score on their own thread; as many as workers, so concurrency stays bounded. */
    private final java.util.concurrent.Semaphore inlineSlots;
    /** Smoothed time per call of each model, for deciding whether a call is short enough to run inline. */
    /** A smoothed time per request for each model key; updated without locking (a lost update only delays the average). */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> modelNanos =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Calls expected to take less than this run on the caller's thread when nothing is queued. */
    private static final long INLINE_LIMIT_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private ScoringPool(ScoringConfig config, ScoringMetrics metrics) {
        this.config = config;
        this.inlineSlots = new java.util.concurrent.Semaphore(config.workers());
        this.metrics = metrics;
        this.pending = new ArrayDeque<>(Math.min(config.queueCapacity(), 4096));
        this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("keel-scoring-timer").daemon(true).factory());
        this.timer.setRemoveOnCancelPolicy(true);
        List<Thread> threads = new ArrayList<>(config.workers());
        for (int i = 0; i < config.workers(); i++) {
            threads.add(Thread.ofPlatform().name("keel-scoring-" + i).daemon(true).unstarted(this::work));
        }
        this.workers = List.copyOf(threads);
    }

    /** Starts a pool with its scoring threads. */
    public static ScoringPool start(ScoringConfig config, ScoringMetrics metrics) {
        ScoringPool pool = new ScoringPool(Objects.requireNonNull(config, "config"), Objects.requireNonNull(metrics, "metrics"));
        pool.workers.forEach(Thread::start);
        return pool;
    }

    /** The configuration the pool runs with. */
    public ScoringConfig config() {
        return config;
    }

    /**
     * Queues a request without a timeout.
     *
     * @throws ScoringOverloadedException at once, when the queue is full
     */
    public CompletableFuture<Map<String, Tensor>> submit(ScoringRequest request) {
        return enqueue(request, Optional.empty());
    }

    /**
     * Queues a request whose future fails with {@link ScoringTimeoutException} unless answered within {@code timeout}; a
     * request still queued then is never scored. The model's own failures arrive as the future's exception.
     *
     * @throws ScoringOverloadedException at once, when the queue is full
     */
    public CompletableFuture<Map<String, Tensor>> submit(ScoringRequest request, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw KeelException.badRequest("timeout must be positive, got " + timeout);
        }
        return enqueue(request, Optional.of(timeout));
    }

    /**
     * Scores a request and waits for the answer.
     *
     * @throws ScoringOverloadedException when the queue is full
     * @throws ScoringTimeoutException when no answer came within {@code timeout}
     * @throws dev.keel.spi.ModelException when the model refused the inputs or failed
     */
    public Map<String, Tensor> score(ScoringRequest request, Duration timeout) {
        CompletableFuture<Map<String, Tensor>> answer = submit(request, timeout);
        try {
            return answer.get();
        } catch (InterruptedException e) {
            answer.cancel(false);
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.UNAVAILABLE, "interrupted while scoring model '" + request.modelKey() + "'", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new KeelException(ErrorCode.INTERNAL, "scoring model '" + request.modelKey() + "' failed", e.getCause());
        }
    }

    /** Requests waiting for a scoring thread. */
    public int queued() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    private CompletableFuture<Map<String, Tensor>> enqueue(ScoringRequest request, Optional<Duration> timeout) {
        Objects.requireNonNull(request, "request");
        Optional<CompletableFuture<Map<String, Tensor>>> inline = tryInline(request);
        if (inline.isPresent()) {
            return inline.get();
        }
        BatchPolicy policy = request.batching();
        Optional<Batches.Keyed> keyed = config.batching() && policy.enabled() ? Batches.key(request.model(), request.inputs())
                : Optional.empty();
        Job job = new Job(request, keyed.map(Batches.Keyed::key).orElse(null), keyed.map(Batches.Keyed::rows).orElse(0),
                System.nanoTime(), Math.min(config.maxBatchRows(), policy.maxRows()), policy.maxDelay().orElse(config.maxDelay()).toNanos());
        lock.lock();
        try {
            if (!running) {
                throw new KeelException(ErrorCode.UNAVAILABLE,
                        "scoring pool is shut down; model '" + request.modelKey() + "' cannot score");
            }
            if (pending.size() >= config.queueCapacity()) {
                metrics.rejected(request.modelKey());
                throw new ScoringOverloadedException(request.modelKey(), config.queueCapacity(), retryAfter(pending.size()));
            }
            pending.addLast(job);
            notEmpty.signal();
            if (batchFillers > 0) {
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
        timeout.ifPresent(limit -> scheduleTimeout(job, limit));
        return job.future;
    }

    /**
     * Scores on the caller's thread when nothing waits in the queue, a slot is free and the model is known to answer well
     * within the inline limit: at low load this saves two thread hand-offs per call; under load calls queue and batch.
     */
    private Optional<CompletableFuture<Map<String, Tensor>>> tryInline(ScoringRequest request) {
        java.util.concurrent.atomic.AtomicLong typical = modelNanos.get(request.modelKey());
        if (!config.inline() || typical == null || typical.get() > INLINE_LIMIT_NANOS || !running || !pending.isEmpty()
                || !inlineSlots.tryAcquire()) {
            return Optional.empty();
        }
        try {
            long start = System.nanoTime();
            metrics.queueWait(request.modelKey(), 0);
            java.util.Iterator<Tensor> inputs = request.inputs().values().iterator();
            Tensor first = inputs.hasNext() ? inputs.next() : null;
            int rows = first != null && first.rank() > 0 ? (int) first.dimension(0) : 1;
            try {
                Map<String, Tensor> outputs = request.model().predict(request.inputs());
                record(request.modelKey(), 1, Math.max(rows, 1), start);
                return Optional.of(CompletableFuture.completedFuture(outputs));
            } catch (RuntimeException e) {
                record(request.modelKey(), 1, Math.max(rows, 1), start);
                return Optional.of(CompletableFuture.failedFuture(e));
            }
        } finally {
            inlineSlots.release();
        }
    }

    private Duration retryAfter(int queued) {
        long nanos = (queued + 1L) * Math.max(nanosPerRequest, 1) / config.workers();
        return Duration.ofSeconds(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + TimeUnit.SECONDS.toNanos(1) - 1)));
    }

    private void scheduleTimeout(Job job, Duration timeout) {
        ScheduledFuture<?> expiry = timer.schedule(() -> expire(job, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        job.future.whenComplete((outputs, failure) -> expiry.cancel(false));
    }

    private void expire(Job job, Duration timeout) {
        lock.lock();
        try {
            pending.remove(job);
        } finally {
            lock.unlock();
        }
        if (job.settle()) {
            metrics.timedOut(job.request.modelKey());
            job.future.completeExceptionally(new ScoringTimeoutException(job.request.modelKey(), timeout));
        }
    }

    private void work() {
        while (true) {
            List<Job> batch = next();
            if (batch.isEmpty()) {
                return;
            }
            try {
                score(batch);
            } catch (RuntimeException | Error e) {
                batch.forEach(job -> job.fail(e));
                if (e instanceof Error error) {
                    throw error;
                }
            }
        }
    }

    /** Takes the next request and every queued request that can join it; empty once the pool is shut down. */
    private List<Job> next() {
        lock.lock();
        try {
            Job first = null;
            while (first == null) {
                while (pending.isEmpty()) {
                    if (!running) {
                        return List.of();
                    }
                    notEmpty.awaitUninterruptibly();
                }
                first = pending.pollFirst();
                if (first.isSettled()) {
                    first = null;
                }
            }
            List<Job> batch = new ArrayList<>();
            batch.add(first);
            if (first.key == null || first.rows >= first.maxRows) {
                return batch;
            }
            int rows = collect(first.key, first.rows, batch, first.maxRows);
            long deadline = first.enqueuedNanos + first.maxDelayNanos;
            batchFillers++;
            try {
                long remaining;
                while (rows < first.maxRows && running && (remaining = deadline - System.nanoTime()) > 0) {
                    arrived.awaitNanos(remaining);
                    rows = collect(first.key, rows, batch, first.maxRows);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                batchFillers--;
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private int collect(Batches.Key key, int rows, List<Job> batch, int maxRows) {
        int total = rows;
        for (Iterator<Job> iterator = pending.iterator(); iterator.hasNext() && total < maxRows;) {
            Job job = iterator.next();
            if (job.isSettled()) {
                iterator.remove();
            } else if (key.equals(job.key) && total + job.rows <= maxRows) {
                iterator.remove();
                batch.add(job);
                total += job.rows;
            }
        }
        return total;
    }

    /** Scores a batch; metrics are recorded before any future completes, so a caller sees them with its answer. */
    private void score(List<Job> batch) {
        long start = System.nanoTime();
        String modelKey = batch.getFirst().request.modelKey();
        for (Job job : batch) {
            metrics.queueWait(job.request.modelKey(), start - job.enqueuedNanos);
        }
        if (batch.size() > 1) {
            int[] rows = batch.stream().mapToInt(job -> job.rows).toArray();
            int totalRows = Arrays.stream(rows).sum();
            LoadedModel model = batch.getFirst().request.model();
            Optional<List<Map<String, Tensor>>> parts;
            try {
                List<Map<String, Tensor>> inputs = batch.stream().map(job -> job.request.inputs()).toList();
                Map<String, Tensor> outputs = model.predict(Batches.join(inputs, totalRows));
                parts = Batches.split(model.signature(), outputs, rows);
            } catch (RuntimeException e) {
                parts = Optional.empty();
            }
            if (parts.isPresent()) {
                record(modelKey, batch.size(), totalRows, start);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).answer(parts.get().get(i));
                }
                return;
            }
        }
        for (Job job : batch) {
            scoreAlone(job, modelKey);
        }
    }

    private void scoreAlone(Job job, String modelKey) {
        if (job.isSettled()) {
            return;
        }
        long start = System.nanoTime();
        Map<String, Tensor> outputs;
        try {
            outputs = job.request.model().predict(job.request.inputs());
        } catch (RuntimeException e) {
            record(modelKey, 1, Math.max(job.rows, 1), start);
            job.fail(e);
            return;
        }
        record(modelKey, 1, Math.max(job.rows, 1), start);
        job.answer(outputs);
    }

    private void record(String modelKey, int requests, int rows, long start) {
        long nanos = System.nanoTime() - start;
        metrics.batch(modelKey, requests, rows, nanos);
        long perRequest = nanos / requests;
        java.util.concurrent.atomic.AtomicLong typical = modelNanos.get(modelKey);
        if (typical == null) {
            typical = modelNanos.computeIfAbsent(modelKey, key -> new java.util.concurrent.atomic.AtomicLong(perRequest));
        }
        long old = typical.get();
        typical.set(old + ((perRequest - old) >> SMOOTHING_SHIFT));
        long previous = nanosPerRequest;
        nanosPerRequest = previous == 0 ? perRequest : previous + ((perRequest - previous) >> SMOOTHING_SHIFT);
    }

    /** Stops taking requests, fails those still queued and waits for the scoring threads to finish what they hold. */
    @Override
    public void close() {
        List<Job> abandoned;
        lock.lock();
        try {
            if (!running) {
                return;
            }
            running = false;
            abandoned = new ArrayList<>(pending);
            pending.clear();
            notEmpty.signalAll();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        for (Job job : abandoned) {
            job.fail(new KeelException(ErrorCode.UNAVAILABLE,
                    "scoring pool shut down before model '" + job.request.modelKey() + "' could score"));
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timer.shutdownNow();
    }

    /**
     * A queued request; {@code key} is null when the request is never batched. Whoever settles it first (a scoring thread
     * with an answer or failure, or the timer with a timeout) is the only one to complete its future, so a timeout is
     * counted before its caller sees it and never for a request that was answered.
     */
    private static final class Job {
        final ScoringRequest request;
        final Batches.Key key;
        final int rows;
        final long enqueuedNanos;
        final int maxRows;
        final long maxDelayNanos;
        final CompletableFuture<Map<String, Tensor>> future = new CompletableFuture<>();
        private final AtomicBoolean settled = new AtomicBoolean();

        Job(ScoringRequest request, Batches.Key key, int rows, long enqueuedNanos, int maxRows, long maxDelayNanos) {
            this.request = request;
            this.key = key;
            this.rows = rows;
            this.enqueuedNanos = enqueuedNanos;
            this.maxRows = maxRows;
            this.maxDelayNanos = maxDelayNanos;
        }

        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        boolean isSettled() {
            return settled.get() || future.isDone();
        }

        void answer(Map<String, Tensor> outputs) {
            if (settle()) {
                future.complete(outputs);
            }
        }

        void fail(Throwable failure) {
            if (settle()) {
                future.completeExceptionally(failure);
            }
        }
    }
}
