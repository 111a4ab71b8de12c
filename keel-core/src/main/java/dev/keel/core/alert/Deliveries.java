package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.SecretResolver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one notification to one channel, retrying with exponential backoff and jitter up to the configured number of
 * attempts, and records every attempt. The wait before attempt {@code n + 1} is {@code min(max-backoff,
 * initial-backoff * 2^(n-1))} scaled by a random factor in [0.5, 1) ("equal jitter"), so that many senders failing together
 * do not retry in step. A refusal that another try cannot change (HTTP 4xx other than 408 and 429, SMTP 5xx) ends the
 * delivery at once.
 */
public final class Deliveries {
    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

    private final DeliveryRepository repository;
    private final AlertSender http;
    private final AlertSender email;
    private final AlertsConfig config;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final java.util.Map<String, Integer> consecutiveFailures = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ChannelFailureListener> failureListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile int failingAfter = 3;

    /** Real senders, the system's randomness. */
    public Deliveries(DeliveryRepository repository, SecretResolver secrets, AlertsConfig config, Clock clock, Sleeper sleeper) {
        this(repository, secrets, config, clock, sleeper, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** Real senders; {@code jitter} gives numbers in [0, 1) (tests pass a fixed one). */
    public Deliveries(DeliveryRepository repository, SecretResolver secrets, AlertsConfig config, Clock clock, Sleeper sleeper,
                      DoubleSupplier jitter) {
        this(repository, new HttpAlertSender(HttpAlertSender.client(config.timeout()), config.timeout(), secrets,
                        ChannelTargets.of(config), clock),
                new EmailAlertSender(config.timeout(), secrets, ChannelTargets.of(config), clock), config, clock, sleeper, jitter);
    }

    Deliveries(DeliveryRepository repository, AlertSender http, AlertSender email, AlertsConfig config, Clock clock, Sleeper sleeper,
               DoubleSupplier jitter) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.http = Objects.requireNonNull(http, "http");
        this.email = Objects.requireNonNull(email, "email");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
    }

    /**
     * Calls the listener each time a channel's count of failed deliveries in a row reaches {@code threshold} or more; a
     * delivery that goes through resets the count.
     */
    public void onChannelFailing(int threshold, ChannelFailureListener listener) {
        KeelException.requireArgument(threshold >= 1, "the failing-channel threshold must be at least 1 (got %d)", threshold);
        this.failingAfter = threshold;
        failureListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Checks a channel's target against the configured policy (loopback and private hosts); fails naming the host. */
    public void checkTarget(Channel channel) {
        ChannelTargets.of(config).check(channel);
    }

    /** Sends with retries; returns every attempt made, in order. The last one says whether the delivery succeeded. */
    public List<DeliveryAttempt> deliver(Channel channel, Notification notification) {
        String deliveryId = UUID.randomUUID().toString();
        AlertSender sender = switch (channel) {
            case Channel.Webhook webhook -> http;
            case Channel.Slack slack -> http;
            case Channel.Email mail -> email;
        };
        List<DeliveryAttempt> attempts = new ArrayList<>();
        for (int attempt = 1; attempt <= config.attempts(); attempt++) {
            SendResult result = sender.send(channel, notification);
            DeliveryAttempt recorded = new DeliveryAttempt(deliveryId, attempt, channel.project(), channel.name(), notification.key(),
                    result.delivered() ? DeliveryAttempt.Status.SENT : DeliveryAttempt.Status.FAILED, result.code(), result.reply(),
                    result.error(), clock.instant());
            record(recorded);
            attempts.add(recorded);
            if (result.delivered() || !result.retryable() || attempt == config.attempts()) {
                break;
            }
            try {
                sleeper.sleep(backoff(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        DeliveryAttempt last = attempts.getLast();
        String channelKey = channel.project() + "/" + channel.name();
        if (last.status() == DeliveryAttempt.Status.SENT) {
            consecutiveFailures.remove(channelKey);
        } else {
            int failures = consecutiveFailures.merge(channelKey, 1, Integer::sum);
            LOG.warn("alert {} to channel {} failed after {} attempts ({} failed deliveries in a row): {}", notification.key(), channelKey,
                    attempts.size(), failures, last.error());
            if (failures >= failingAfter) {
                for (ChannelFailureListener listener : failureListeners) {
                    try {
                        listener.channelFailing(channel, failures, List.copyOf(attempts));
                    } catch (RuntimeException e) {
                        LOG.error("failing-channel listener {} failed", listener, e);
                    }
                }
            }
        }
        return List.copyOf(attempts);
    }

    /** Records that a notification was silenced for a channel instead of sent. */
    public DeliveryAttempt recordSilenced(Channel channel, Notification notification, String silenceId) {
        DeliveryAttempt attempt = new DeliveryAttempt(UUID.randomUUID().toString(), 0, channel.project(), channel.name(), notification.key(),
                DeliveryAttempt.Status.SILENCED, 0, "", "silenced by " + silenceId, clock.instant());
        record(attempt);
        return attempt;
    }

    /** The wait after attempt {@code attempt} failed. */
    Duration backoff(int attempt) {
        long initial = config.initialBackoff().toMillis();
        long cap = config.maxBackoff().toMillis();
        long exponential = attempt >= 62 ? cap : Math.min(cap, initial << Math.min(attempt - 1, 30));
        double factor = 0.5 + 0.5 * Math.clamp(jitter.getAsDouble(), 0.0, 1.0);
        return Duration.ofMillis(Math.round(exponential * factor));
    }

    private void record(DeliveryAttempt attempt) {
        try {
            repository.record(attempt);
        } catch (RuntimeException e) {
            LOG.error("cannot record delivery attempt {} #{} to {}/{}: {}", attempt.deliveryId(), attempt.attempt(), attempt.project(),
                    attempt.channel(), e.toString());
        }
    }

    /** The delivery records of a channel, newest first. */
    public List<DeliveryAttempt> history(String project, String channel, int limit) {
        return repository.forChannel(project, channel, limit);
    }
}
