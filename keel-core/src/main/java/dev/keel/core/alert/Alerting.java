package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import dev.keel.spi.data.SecretResolver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alerts component as the server and the CLI use it: channels, silences, deliveries and the dispatcher's ticker. */
public final class Alerting implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
    /** The longest a silence may be set for in one go. */
    public static final Duration MAX_SILENCE = Duration.ofDays(90);

    private final ChannelRepository channels;
    private final SilenceRepository silences;
    private final DeliveryRepository attempts;
    private final Deliveries deliveries;
    private final AlertDispatcher dispatcher;
    private final Clock clock;
    private ScheduledExecutorService ticker;

    Alerting(ChannelRepository channels, SilenceRepository silences, DeliveryRepository attempts, Deliveries deliveries,
             List<AlertRoute> routes, Clock clock) {
        this.channels = Objects.requireNonNull(channels, "channels");
        this.silences = Objects.requireNonNull(silences, "silences");
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.deliveries = Objects.requireNonNull(deliveries, "deliveries");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dispatcher = new AlertDispatcher(routes, channels, silences, deliveries, clock);
    }

    /** The component over the metadata store, with real senders. */
    public static Alerting open(AlertsConfig config, Database database, SecretResolver secrets, List<AlertRoute> routes, Clock clock) {
        return open(config, database, secrets, routes, dev.keel.core.security.Envelope.plaintext(), clock);
    }

    /** The component over the metadata store, with real senders; Slack URLs sealed under {@code envelope}'s active key. */
    public static Alerting open(AlertsConfig config, Database database, SecretResolver secrets, List<AlertRoute> routes,
                                dev.keel.core.security.Envelope envelope, Clock clock) {
        DeliveryRepository attempts = new JdbcDeliveryRepository(database);
        return new Alerting(new JdbcChannelRepository(database, clock, envelope), new JdbcSilenceRepository(database), attempts,
                new Deliveries(attempts, secrets, config, clock, Sleeper.system()), routes, clock);
    }

    /**
     * Seals every stored Slack URL under the active encryption key; see {@link JdbcChannelRepository#rewrap()}.
     *
     * @throws IllegalStateException when encryption is off or the channels are not in the metadata store
     */
    public dev.keel.core.security.RewrapReport rewrapChannels() {
        if (channels instanceof JdbcChannelRepository jdbc) {
            return jdbc.rewrap();
        }
        throw new IllegalStateException("alert channels are not kept in the metadata store; there is nothing to re-wrap");
    }

    /** Starts ticking the dispatcher every {@code period} on a thread of its own. */
    public synchronized void start(Duration period) {
        if (ticker != null) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "keel-alerts");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(() -> {
            try {
                dispatcher.tick();
            } catch (RuntimeException e) {
                LOG.error("alert dispatch failed; it is tried again at the next tick", e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Tells the listener when a channel has failed {@code threshold} deliveries in a row (each after all its attempts). */
    public void onChannelFailing(int threshold, ChannelFailureListener listener) {
        deliveries.onChannelFailing(threshold, listener);
    }

    public AlertDispatcher dispatcher() {
        return dispatcher;
    }

    /** Adds a channel after checking its target against the policy; fails naming the field or the host. */
    public Channel addChannel(Channel channel, String actor) {
        deliveries.checkTarget(channel);
        channels.add(channel, actor);
        return channel;
    }

    public List<Channel> channels(String project) {
        return channels.list(project);
    }

    /** The channel of that name. */
    public Channel channel(String name) {
        return channels.find(name).orElseThrow(() -> KeelException.notFound("there is no alert channel '" + name + "'"));
    }

    /** The project of the channel of that name, if there is one; routes check permissions there. */
    public java.util.Optional<String> channelProject(String name) {
        return channels.find(name).map(Channel::project);
    }

    public void deleteChannel(String name) {
        if (!channels.delete(name)) {
            throw KeelException.notFound("there is no alert channel '" + name + "'");
        }
    }

    /** Sends a test alert to the channel now, with retries, and returns the attempts. */
    public List<DeliveryAttempt> test(String name, String actor) {
        Channel channel = channel(name);
        Alert alert = new Alert(channel.project(), Severity.INFO, "Test alert for channel " + name,
                "Sent by " + actor + " to check that the channel works. Nothing is wrong.", Map.of("test", "true"), "",
                List.of(), Alert.Status.FIRING, clock.instant());
        return deliveries.deliver(channel, Notification.of(alert));
    }

    /**
     * Sends one alert to one channel now (a remediation policy's {@code notify}), with the channel's retries, straight to it: not
     * through routes, not held by silences. Answers every attempt made. The alert must be of the channel's project.
     */
    public List<DeliveryAttempt> send(String channelName, Alert alert) {
        Channel channel = channel(channelName);
        KeelException.requireArgument(channel.project().equals(alert.project()),
                "alert channel '%s' is in project '%s'; an alert of project '%s' cannot be sent to it", channelName, channel.project(), alert.project());
        return deliveries.deliver(channel, Notification.of(alert));
    }

    /** A channel's most recent delivery attempts, newest first. */
    public List<DeliveryAttempt> deliveries(String name, int limit) {
        Channel channel = channel(name);
        return attempts.forChannel(channel.project(), name, limit);
    }

    /** Adds a silence of the project's alerts matching every matcher, for {@code duration} from now. */
    public Silence addSilence(String project, Map<String, String> matchers, Duration duration, String comment, String actor) {
        KeelException.requireArgument(duration.isPositive() && duration.compareTo(MAX_SILENCE) <= 0,
                "silence duration %s must be positive and at most %s", duration, MAX_SILENCE);
        Instant now = clock.instant();
        Silence silence = new Silence("sil-" + UUID.randomUUID(), project, matchers, comment, actor, now, now.plus(duration));
        silences.add(silence);
        return silence;
    }

    public List<Silence> silences(String project) {
        return silences.list(project);
    }

    public java.util.Optional<Silence> findSilence(String id) {
        return silences.find(id);
    }

    /** Ends a silence now. */
    public Silence expireSilence(String project, String id) {
        if (!silences.expire(project, id, clock.instant())) {
            throw KeelException.notFound("project '" + project + "' has no silence '" + id + "'");
        }
        return silences.find(id).orElseThrow();
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }
}
