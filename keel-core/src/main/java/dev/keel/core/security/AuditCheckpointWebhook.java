package dev.keel.core.security;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each audit checkpoint, as its JSON line, in a POST to a URL outside Keel's reach, so that a copy of the checkpoints
 * survives someone who can rewrite the data directory. Sending happens on a thread of its own and never holds up a request;
 * a checkpoint that could not be sent is kept (up to {@value #MAX_PENDING}) and sent again, in order, with the next one.
 */
public final class AuditCheckpointWebhook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditCheckpointWebhook.class);
    static final int MAX_PENDING = 10_000;

    private final URI target;
    private final HttpClient client;
    private final Duration timeout;
    private final Deque<String> pending = new ArrayDeque<>();
    private final ExecutorService sender;

    public AuditCheckpointWebhook(URI target, Duration timeout) {
        this.target = Objects.requireNonNull(target, "target");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "keel-audit-webhook");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Queues a checkpoint to be sent; returns at once. */
    public void offer(AuditCheckpoints.Checkpoint checkpoint) {
        synchronized (pending) {
            if (pending.size() >= MAX_PENDING) {
                pending.removeFirst();
                LOG.warn("audit checkpoint webhook {} has {} unsent checkpoints; the oldest is dropped", target, MAX_PENDING);
            }
            pending.addLast(AuditCheckpoints.line(checkpoint));
        }
        try {
            sender.execute(this::sendPending);
        } catch (RejectedExecutionException e) {
            // closing: what is pending was tried a last time
        }
    }

    /** How many checkpoints wait to be sent. */
    public int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private void sendPending() {
        while (true) {
            String line;
            synchronized (pending) {
                line = pending.peekFirst();
            }
            if (line == null) {
                return;
            }
            if (!send(line)) {
                return;
            }
            synchronized (pending) {
                pending.remove(line);
            }
        }
    }

    private boolean send(String line) {
        HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(line)).build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return true;
            }
            LOG.warn("audit checkpoint webhook {} answered {}; the checkpoint is sent again with the next one", target, response.statusCode());
        } catch (IOException e) {
            LOG.warn("audit checkpoint webhook {} failed ({}); the checkpoint is sent again with the next one", target, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Tries once more to send what is pending (waiting up to twice the timeout), then stops. */
    @Override
    public void close() {
        try {
            sender.execute(this::sendPending);
        } catch (RejectedExecutionException e) {
            return;
        }
        sender.shutdown();
        try {
            if (!sender.awaitTermination(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = pending();
        if (left > 0) {
            LOG.warn("{} audit checkpoints were not sent to {} before shutdown; they are in the checkpoint file", left, target);
        }
        client.close();
    }
}
