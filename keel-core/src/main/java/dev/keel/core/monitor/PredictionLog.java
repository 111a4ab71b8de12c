package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prediction log: a bounded in-memory queue that never blocks its callers (a full queue drops and counts), drained in
 * batches by one background writer into Parquet segments under {@code <dir>/<endpoint>/<yyyy-mm-dd>/}, and read back by
 * time range or count through a {@link PredictionLogReader} (DuckDB's, from keel-engine-duckdb).
 *
 * <p>A segment is written to a hidden temporary file, forced to disk and renamed into place, so a reader never sees a
 * partial segment and a crash leaves at most a temporary file, removed at the next start. Records still queued at a crash
 * are lost (at most one flush interval); {@link #close()} writes them.
 *
 * <p>In durable mode ({@code monitoring.log-durability: durable}) {@link #commit} queues a record and hands back a future
 * that completes once the segment holding it is on disk: the writer wakes when a record arrives, takes every queued record,
 * writes and forces one segment and releases all their waiters together (group commit), so a crash loses no record whose
 * commit completed.
 */
public final class PredictionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionLog.class);
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final int COMMIT_WAIT_SECONDS = 5;

    private final Path directory;
    private final MonitoringConfig config;
    private final BlockingQueue<PredictionRecord> queue;
    private final java.util.function.Supplier<PredictionLogReader> readers;
    private volatile PredictionLogReader reader;
    private final Map<String, Double> sampleRates = new ConcurrentHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sampledOut = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong segments = new AtomicLong();
    /** Per endpoint: counted off the path of a logged prediction (drops, sample-outs, the writer's work). */
    private final Map<String, EndpointCounters> endpoints = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Object writeLock = new Object();
    /** Reused by every segment write (under the write lock), so its buffers are allocated once. */
    private final ParquetSegment segment = new ParquetSegment();
    private final Thread writer;
    /** Durable mode: hands out the future of the next segment; swapped by the writer as it takes a batch. */
    private final Object commitLock = new Object();
    private CompletableFuture<Void> pendingCommit = new CompletableFuture<>();
    private volatile boolean closed;

    private PredictionLog(Path directory, MonitoringConfig config, java.util.function.Supplier<PredictionLogReader> readers) {
        this.directory = directory;
        this.config = config;
        this.readers = readers;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.sampleRates.putAll(config.sampleRates());
        this.writer = Thread.ofPlatform().name("keel-prediction-log").daemon(true)
                .unstarted(config.durableLog() ? this::commitLoop : this::drainLoop);
    }

    /**
     * Opens the log under the directory (created when missing), removes leftover temporary files and starts the writer; reads
     * go through the {@link PredictionLogReader} on the class path, found on the first read.
     */
    public static PredictionLog open(Path directory, MonitoringConfig config) {
        return open(directory, config, PredictionLogReader::load);
    }

    /** As {@link #open(Path, MonitoringConfig)}, reading through the reader the supplier gives on the first read. */
    public static PredictionLog open(Path directory, MonitoringConfig config, java.util.function.Supplier<PredictionLogReader> readers) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(readers, "readers");
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path leftover : files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot open the prediction log at '" + directory + "': " + e.getMessage(), e);
        }
        PredictionLog log = new PredictionLog(directory, config, readers);
        log.writer.start();
        return log;
    }

    private PredictionLogReader reader() {
        PredictionLogReader found = reader;
        if (found == null) {
            synchronized (this) {
                if (reader == null) {
                    reader = Objects.requireNonNull(readers.get(), "the prediction log reader");
                }
                found = reader;
            }
        }
        return found;
    }

    public Path directory() {
        return directory;
    }

    /** Logs a prediction if it falls in its endpoint's sample; never blocks. */
    public void accept(PredictionRecord record) {
        offer(record);
    }

    /**
     * Queues the record unless it is sampled out or the queue is full; never blocks.
     *
     * @return true when the record was queued
     */
    public boolean offer(PredictionRecord record) {
        Objects.requireNonNull(record, "record");
        if (!sampled(record)) {
            sampledOut.incrementAndGet();
            counters(record.endpoint()).sampledOut.increment();
            return false;
        }
        if (closed || !queue.offer(record)) {
            dropped.incrementAndGet();
            counters(record.endpoint()).dropped.increment();
            return false;
        }
        accepted.incrementAndGet();
        return true;
    }

    /** True in durable mode, where a prediction waits for {@link #commit}. */
    public boolean durable() {
        return config.durableLog();
    }

    /**
     * Durable mode: queues the record (waiting up to {@value #COMMIT_WAIT_SECONDS} s for room) and returns a future that
     * completes when it is on disk, or fails when it cannot be written. A record sampled out completes at once.
     */
    public CompletableFuture<Void> commit(PredictionRecord record) {
        Objects.requireNonNull(record, "record");
        if (!config.durableLog()) {
            throw new IllegalStateException("the prediction log is not durable; use offer");
        }
        if (!sampled(record)) {
            sampledOut.incrementAndGet();
            counters(record.endpoint()).sampledOut.increment();
            return CompletableFuture.completedFuture(null);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(COMMIT_WAIT_SECONDS);
        while (true) {
            synchronized (commitLock) {
                if (!closed && queue.offer(record)) {
                    accepted.incrementAndGet();
                    return pendingCommit;
                }
            }
            if (closed || System.nanoTime() > deadline) {
                dropped.incrementAndGet();
                counters(record.endpoint()).dropped.increment();
                return CompletableFuture.failedFuture(new KeelException(ErrorCode.UNAVAILABLE, closed ? "the prediction log is closed"
                        : "the prediction log queue stayed full for " + COMMIT_WAIT_SECONDS + " s; the prediction was not logged"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }

    /** Durable mode: waits for a record, takes every queued record, writes them as one forced segment, releases their waiters. */
    private void commitLoop() {
        List<PredictionRecord> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            CompletableFuture<Void> commit;
            try {
                PredictionRecord first = queue.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                synchronized (commitLock) {
                    batch.add(first);
                    queue.drainTo(batch);
                    commit = pendingCommit;
                    pendingCommit = new CompletableFuture<>();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                write(batch);
                commit.complete(null);
            } catch (RuntimeException e) {
                dropped.addAndGet(batch.size());
                batch.forEach(record -> counters(record.endpoint()).lost.increment());
                LOG.error("prediction log: could not write {} records; their predictions fail", batch.size(), e);
                commit.completeExceptionally(e);
            } finally {
                batch.clear();
            }
        }
    }

    /** Counts predictions of an endpoint whose rate is 0, which its producer did not turn into records. */
    public void sampledOut(String endpoint, long predictions) {
        sampledOut.addAndGet(predictions);
        counters(endpoint).sampledOut.add(predictions);
    }

    private EndpointCounters counters(String endpoint) {
        EndpointCounters counters = endpoints.get(endpoint);
        return counters != null ? counters : endpoints.computeIfAbsent(endpoint, name -> new EndpointCounters());
    }

    /** One endpoint's counters; what was accepted is what was written, lost in a failed write, or is still queued. */
    private static final class EndpointCounters {
        final java.util.concurrent.atomic.LongAdder dropped = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder sampledOut = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder written = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder lost = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder segments = new java.util.concurrent.atomic.LongAdder();
    }

    /** Sets the share of an endpoint's predictions that is logged, from 0 to 1. */
    public void sampleRate(String endpoint, double rate) {
        KeelException.requireArgument(rate >= 0 && rate <= 1, "sample rate of endpoint '%s' is %s; expected 0 to 1", endpoint, rate);
        sampleRates.put(endpoint, rate);
    }

    public double sampleRate(String endpoint) {
        return sampleRates.getOrDefault(endpoint, config.defaultSampleRate());
    }

    private boolean sampled(PredictionRecord record) {
        double rate = sampleRate(record.endpoint());
        if (rate >= 1) {
            return true;
        }
        int hash = record.requestId().hashCode();
        hash ^= hash >>> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >>> 13;
        hash *= 0xc2b2ae35;
        hash ^= hash >>> 16;
        return Integer.toUnsignedLong(hash) < rate * 4294967296.0;
    }

    /** Counters since start. */
    public record Stats(long accepted, long dropped, long sampledOut, long written, long segments, int queued) {
    }

    public Stats stats() {
        return new Stats(accepted.get(), dropped.get(), sampledOut.get(), written.get(), segments.get(), queue.size());
    }

    /**
     * The counters of each endpoint that logged since start. {@code accepted} is derived (written, lost in a failed write, or
     * queued), so it lags while a batch is being written; {@code dropped} includes records lost in a failed write.
     */
    public Map<String, Stats> statsByEndpoint() {
        Map<String, Integer> queued = new HashMap<>();
        for (Object record : queue.toArray()) {
            queued.merge(((PredictionRecord) record).endpoint(), 1, Integer::sum);
        }
        Map<String, Stats> stats = new TreeMap<>();
        endpoints.forEach((endpoint, counters) -> {
            int waiting = queued.getOrDefault(endpoint, 0);
            long lost = counters.lost.sum();
            stats.put(endpoint, new Stats(counters.written.sum() + lost + waiting, counters.dropped.sum() + lost, counters.sampledOut.sum(),
                    counters.written.sum(), counters.segments.sum(), waiting));
        });
        queued.forEach((endpoint, waiting) -> stats.putIfAbsent(endpoint, new Stats(waiting, 0, 0, 0, 0, waiting)));
        return stats;
    }

    /**
     * Writes a batch when it is full or the flush interval has passed. The writer sleeps between looks at the queue rather
     * than waiting on it, so offering a record never wakes a thread: serving pays one queue insert per prediction.
     */
    private void drainLoop() {
        List<PredictionRecord> batch = new ArrayList<>();
        long tickMillis = Math.max(1, Math.min(config.flushInterval().toMillis(), 50));
        long lastWrite = System.nanoTime();
        while (!closed || !queue.isEmpty()) {
            try {
                boolean due = queue.size() >= config.batchSize() || System.nanoTime() - lastWrite >= config.flushInterval().toNanos();
                if (!due && !closed) {
                    Thread.sleep(tickMillis);
                    continue;
                }
                lastWrite = System.nanoTime();
                queue.drainTo(batch, config.batchSize());
                if (!batch.isEmpty()) {
                    write(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                dropped.addAndGet(batch.size());
                batch.forEach(record -> counters(record.endpoint()).lost.increment());
                LOG.error("prediction log: could not write {} records; they are dropped", batch.size(), e);
            } finally {
                batch.clear();
            }
        }
    }

    /** Writes whatever is queued now, on the calling thread. */
    public void flush() {
        List<PredictionRecord> batch = new ArrayList<>();
        queue.drainTo(batch);
        write(batch);
    }

    /** Writes records directly as segments (one per endpoint and day), bypassing the queue and sampling; for batch ingestion. */
    public void write(List<PredictionRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        Map<Path, List<PredictionRecord>> byFolder = new TreeMap<>();
        Map<String, Path> endpointFolders = new HashMap<>();
        Path lastFolder = null;
        String lastEndpoint = null;
        long lastDay = Long.MIN_VALUE;
        for (PredictionRecord record : records) {
            long day = Math.floorDiv(record.time().toEpochMilli(), MILLIS_PER_DAY);
            if (lastFolder == null || day != lastDay || !record.endpoint().equals(lastEndpoint)) {
                lastFolder = endpointFolders.computeIfAbsent(record.endpoint(),
                        endpoint -> directory.resolve(UNSAFE.matcher(endpoint).replaceAll("_"))).resolve(LocalDate.ofEpochDay(day).toString());
                lastEndpoint = record.endpoint();
                lastDay = day;
            }
            byFolder.computeIfAbsent(lastFolder, key -> new ArrayList<>()).add(record);
        }
        synchronized (writeLock) {
            for (Map.Entry<Path, List<PredictionRecord>> entry : byFolder.entrySet()) {
                writeSegment(entry.getKey(), entry.getValue());
            }
        }
    }

    private static LocalDate day(Instant time) {
        return LocalDate.ofInstant(time, ZoneOffset.UTC);
    }

    /** Writes one segment: a Parquet file of the records, forced to disk under a temporary name and then renamed into place. */
    private void writeSegment(Path folder, List<PredictionRecord> records) {
        long first = records.stream().mapToLong(record -> record.time().toEpochMilli()).min().orElse(0);
        String name = String.format("%013d-%d-%06d", first, ProcessHandle.current().pid(), sequence.incrementAndGet());
        Path target = folder.resolve(name + ".parquet");
        Path temporary = folder.resolve("." + name + ".parquet.tmp");
        ParquetSegment segment = this.segment;
        segment.clear();
        for (PredictionRecord record : records) {
            String inputs = record.inputs() instanceof FeatureRow ? null : FlatJson.write(record.inputs());
            String outputs = record.outputs() instanceof JsonText text ? text.json() : FlatJson.write(record.outputs());
            segment.add(record, inputs, outputs);
        }
        try {
            Files.createDirectories(folder);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                segment.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target);
            }
            if (config.durableLog()) {
                // the rename itself must survive a power loss, not only the file's bytes
                try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
                    directory.force(true);
                }
            }
            written.addAndGet(records.size());
            segments.incrementAndGet();
            Map<String, Integer> perEndpoint = new HashMap<>();
            records.forEach(record -> perEndpoint.merge(record.endpoint(), 1, Integer::sum));
            perEndpoint.forEach((endpoint, count) -> {
                EndpointCounters counters = counters(endpoint);
                counters.written.add(count);
                counters.segments.increment();
            });
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the next start removes it
            }
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot write a prediction log segment in '" + folder + "': " + e.getMessage(), e);
        }
    }


    /** The segment files that may hold predictions of the query's time range. */
    List<Path> segmentsFor(PredictionQuery query) {
        return segmentsBetween(query.from().map(PredictionLog::day).orElse(LocalDate.MIN), day(query.to()));
    }

    private List<Path> segmentsBetween(LocalDate firstDay, LocalDate last) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> endpoints = Files.list(directory)) {
            for (Path endpoint : endpoints.filter(Files::isDirectory).toList()) {
                try (Stream<Path> days = Files.list(endpoint)) {
                    for (Path dayFolder : days.filter(Files::isDirectory).toList()) {
                        LocalDate date;
                        try {
                            date = LocalDate.parse(dayFolder.getFileName().toString());
                        } catch (java.time.format.DateTimeParseException e) {
                            continue;
                        }
                        if (date.isBefore(firstDay) || date.isAfter(last)) {
                            continue;
                        }
                        try (Stream<Path> segmentFiles = Files.list(dayFolder)) {
                            segmentFiles.filter(file -> file.getFileName().toString().endsWith(".parquet")
                                    && !file.getFileName().toString().startsWith(".")).sorted().forEach(files::add);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot list the prediction log at '" + directory + "': " + e.getMessage(), e);
        }
        return files;
    }

    /**
     * Streams the matching predictions, oldest first for time ranges and newest first for counts, to the consumer.
     *
     * @return the number of records read
     */
    public long scan(PredictionQuery query, Consumer<PredictionRecord> consumer) {
        List<Path> segments = segmentsFor(query);
        return segments.isEmpty() ? 0 : reader().scan(segments, query, consumer);
    }

    /** A model version that logged a prediction. */
    public record LoggedModel(String model, int version) {
    }

    /**
     * The models that made the logged predictions with these request ids, queued or written, served ones before shadow
     * ones; a request id with no logged prediction is absent. The reader reads the log once for every 1000 ids.
     */
    public Map<String, java.util.Set<String>> modelsOf(java.util.Collection<String> requestIds) {
        Map<String, java.util.Set<String>> models = new HashMap<>();
        loggedModels(requestIds).forEach((id, logged) -> logged.forEach(entry ->
                models.computeIfAbsent(id, key -> new java.util.LinkedHashSet<>()).add(entry.model())));
        return models;
    }

    /** As {@link #modelsOf}, with the version of each model. */
    public Map<String, java.util.Set<LoggedModel>> loggedModels(java.util.Collection<String> requestIds) {
        java.util.Set<String> wanted = java.util.Set.copyOf(requestIds);
        Map<String, java.util.Set<LoggedModel>> models = new HashMap<>();
        for (Object queued : queue.toArray()) {
            PredictionRecord record = (PredictionRecord) queued;
            if (wanted.contains(record.requestId())) {
                models.computeIfAbsent(record.requestId(), id -> new java.util.LinkedHashSet<>()).add(new LoggedModel(record.model(),
                        record.version()));
            }
        }
        List<Path> segments = segmentsBetween(LocalDate.MIN, LocalDate.MAX);
        if (segments.isEmpty() || wanted.isEmpty()) {
            return models;
        }
        reader().loggedModels(segments, List.copyOf(wanted)).forEach((id, logged) ->
                models.computeIfAbsent(id, key -> new java.util.LinkedHashSet<>()).addAll(logged));
        return models;
    }

    /** How many predictions each version of the model made in the query's range (count queries: all before {@code to}). */
    public Map<Integer, Long> versionCounts(PredictionQuery query) {
        Map<Integer, Long> counts = new TreeMap<>();
        if (query.limit().isPresent()) {
            scan(query, record -> counts.merge(record.version(), 1L, Long::sum));
            return counts;
        }
        List<Path> segments = segmentsFor(query);
        return segments.isEmpty() ? counts : reader().versionCounts(segments, query);
    }

    /** Stops taking records, writes what is queued, and stops the writer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.join(Math.max(10_000, config.flushInterval().toMillis() * 4));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        synchronized (commitLock) {
            // durable mode: records that raced with closing were written by flush()
            pendingCommit.complete(null);
        }
        synchronized (this) {
            if (reader != null) {
                reader.close();
            }
        }
    }
}
