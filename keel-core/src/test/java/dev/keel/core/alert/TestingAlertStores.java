package dev.keel.core.alert;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** In-memory channel, silence and delivery stores, and a sender that records what it was given. */
final class TestingAlertStores {
    private TestingAlertStores() {
    }

    static final class Channels implements ChannelRepository {
        private final Map<String, Channel> channels = new LinkedHashMap<>();

        @Override
        public synchronized void add(Channel channel, String createdBy) {
            if (channels.putIfAbsent(channel.name(), channel) != null) {
                throw new KeelException(ErrorCode.ALREADY_EXISTS, "channel " + channel.name() + " exists");
            }
        }

        @Override
        public synchronized Optional<Channel> find(String name) {
            return Optional.ofNullable(channels.get(name));
        }

        @Override
        public synchronized List<Channel> list(String project) {
            return channels.values().stream().filter(channel -> channel.project().equals(project)).toList();
        }

        @Override
        public synchronized boolean delete(String name) {
            return channels.remove(name) != null;
        }
    }

    static final class Silences implements SilenceRepository {
        private final Map<String, Silence> silences = new LinkedHashMap<>();

        @Override
        public synchronized void add(Silence silence) {
            silences.put(silence.id(), silence);
        }

        @Override
        public synchronized Optional<Silence> find(String id) {
            return Optional.ofNullable(silences.get(id));
        }

        @Override
        public synchronized List<Silence> list(String project) {
            return silences.values().stream().filter(silence -> silence.project().equals(project))
                    .sorted(Comparator.comparing(Silence::createdAt).reversed()).toList();
        }

        @Override
        public synchronized List<Silence> active(Instant now) {
            return silences.values().stream().filter(silence -> silence.activeAt(now)).toList();
        }

        @Override
        public synchronized boolean expire(String project, String id, Instant now) {
            Silence silence = silences.get(id);
            if (silence == null || !silence.project().equals(project)) {
                return false;
            }
            if (silence.activeAt(now)) {
                silences.put(id, new Silence(id, project, silence.matchers(), silence.comment(), silence.createdBy(), silence.createdAt(), now));
            }
            return true;
        }
    }

    static final class Attempts implements DeliveryRepository {
        final List<DeliveryAttempt> recorded = new CopyOnWriteArrayList<>();

        @Override
        public void record(DeliveryAttempt attempt) {
            recorded.add(attempt);
        }

        @Override
        public List<DeliveryAttempt> forChannel(String project, String channel, int limit) {
            List<DeliveryAttempt> matching = new ArrayList<>(recorded.stream()
                    .filter(attempt -> attempt.project().equals(project) && attempt.channel().equals(channel)).toList());
            java.util.Collections.reverse(matching);
            return matching.stream().limit(limit).toList();
        }

        @Override
        public List<DeliveryAttempt> forKey(String alertKey) {
            return recorded.stream().filter(attempt -> attempt.alertKey().equals(alertKey)).toList();
        }
    }

    /** Records each notification per channel and answers with the next scripted result (delivered when none is left). */
    static final class Sender implements AlertSender {
        record Sent(String channel, Notification notification) {
        }

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<SendResult> script = new CopyOnWriteArrayList<>();

        @Override
        public SendResult send(Channel channel, Notification notification) {
            sent.add(new Sent(channel.name(), notification));
            return script.isEmpty() ? SendResult.delivered(200, "") : script.removeFirst();
        }
    }
}
