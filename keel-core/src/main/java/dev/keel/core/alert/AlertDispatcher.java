package dev.keel.core.alert;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes alerts to channels, groups them and decides when to notify, following Prometheus Alertmanager (dispatch/dispatch.go:
 * the aggregation group; notify/notify.go: the mute and dedup stages):
 *
 * <ul>
 *   <li>each alert goes to the first route that matches, and on to later ones while a matching route says
 *       {@code continue};</li>
 *   <li>within a route, alerts with equal values of the {@code group_by} labels form one group;</li>
 *   <li>a new group is first flushed {@code group_wait} after it was created (at once if its first alert is older than
 *       that), then every {@code group_interval};</li>
 *   <li>at a flush, silenced alerts are dropped; a channel is notified when it has never been (and something fires), when a
 *       firing alert is new to it, when every alert it was told of has resolved, when an alert resolved that its last
 *       notification did not list as resolved, or when {@code repeat_interval} has passed since it was last notified of a
 *       still-firing group;</li>
 *   <li>after a flush whose notifications all went through (or that had none to send), resolved alerts leave the group; an
 *       empty group is dropped.</li>
 * </ul>
 *
 * Nothing moves on its own: {@link #tick()} flushes what is due at the clock's time. The server calls it every second; tests
 * move a {@code TestingClock} and call it. Deliveries (with their retries) run in the calling thread, outside the lock.
 */
public final class AlertDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);

    private final List<AlertRoute> routes;
    private final ChannelRepository channels;
    private final SilenceRepository silences;
    private final Deliveries deliveries;
    private final Clock clock;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private volatile java.util.function.Predicate<Alert> inhibited = alert -> false;

    public AlertDispatcher(List<AlertRoute> routes, ChannelRepository channels, SilenceRepository silences, Deliveries deliveries,
                           Clock clock) {
        this.routes = List.copyOf(routes);
        this.channels = Objects.requireNonNull(channels, "channels");
        this.silences = Objects.requireNonNull(silences, "silences");
        this.deliveries = Objects.requireNonNull(deliveries, "deliveries");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sets the inhibition rule: a firing alert it answers true for is held at each flush, as Alertmanager's inhibition mutes
     * an alert while its inhibiting alert fires: it stays in its group and is sent at the first flush after the rule lets it go.
     */
    public void inhibitWith(java.util.function.Predicate<Alert> rule) {
        this.inhibited = Objects.requireNonNull(rule, "rule");
    }

    /** What the last notification to one channel said: the firing and resolved alert keys, and when. */
    private record Sent(Set<String> firing, Set<String> resolved, Instant at) {
    }

    /** One aggregation group. */
    private static final class Group {
        final String key;
        final int route;
        final Map<String, String> labels;
        final Map<String, Alert> alerts = new TreeMap<>();
        final Map<String, Sent> sent = new HashMap<>();
        final Set<String> silencedRecorded = new HashSet<>();
        Instant nextFlush;
        boolean flushed;

        Group(String key, int route, Map<String, String> labels, Instant nextFlush) {
            this.key = key;
            this.route = route;
            this.labels = labels;
            this.nextFlush = nextFlush;
        }
    }

    /** One notification decided at a flush, to be delivered outside the lock. */
    private record Pending(Group group, Channel channel, Notification notification, Set<String> firing, Set<String> resolved,
                           Map<String, Alert> snapshot) {
    }

    /** Takes an alert in (a new one, or a new state of a known one: same {@link Alert#key()}); returns the routes it matched. */
    public synchronized List<Integer> receive(Alert alert) {
        Instant now = clock.instant();
        List<Integer> matched = new ArrayList<>();
        for (int index = 0; index < routes.size(); index++) {
            AlertRoute route = routes.get(index);
            if (!route.matches(alert)) {
                continue;
            }
            matched.add(index);
            Map<String, String> labels = route.groupLabels(alert);
            String key = index + ":" + alert.project() + ":" + labels;
            int routeIndex = index;
            Group group = groups.computeIfAbsent(key, k -> new Group(k, routeIndex, labels, now.plus(route.groupWait())));
            group.alerts.put(alert.key(), alert);
            if (!group.flushed && alert.at().plus(route.groupWait()).isBefore(now)) {
                group.nextFlush = now;
            }
            if (!route.continueMatching()) {
                break;
            }
        }
        if (matched.isEmpty()) {
            LOG.info("alert {} of project {} matches no route and is not sent", alert.key(), alert.project());
        }
        return List.copyOf(matched);
    }

    /** Flushes every group that is due; returns the delivery attempts made, in order. */
    public List<DeliveryAttempt> tick() {
        List<Pending> pending = new ArrayList<>();
        List<Silenced> silenced = new ArrayList<>();
        Map<Group, Map<String, Alert>> quiet = new LinkedHashMap<>();
        synchronized (this) {
            Instant now = clock.instant();
            List<Silence> active = silences.active(now);
            for (Group group : List.copyOf(groups.values())) {
                if (group.nextFlush.isAfter(now)) {
                    continue;
                }
                AlertRoute route = routes.get(group.route);
                group.flushed = true;
                group.nextFlush = now.plus(route.groupInterval());
                int before = pending.size();
                flush(group, route, active, now, pending, silenced);
                if (pending.size() == before) {
                    // Nothing to send: every channel knows of the resolved alerts already, or never knew of them.
                    quiet.put(group, new TreeMap<>(group.alerts));
                }
            }
        }
        List<DeliveryAttempt> attempts = new ArrayList<>();
        for (Silenced muted : silenced) {
            attempts.add(deliveries.recordSilenced(muted.channel(), muted.notification(), muted.silenceId()));
        }
        Map<Group, Boolean> allDelivered = new LinkedHashMap<>();
        for (Pending notification : pending) {
            List<DeliveryAttempt> made = deliveries.deliver(notification.channel(), notification.notification());
            attempts.addAll(made);
            boolean delivered = made.getLast().status() == DeliveryAttempt.Status.SENT;
            allDelivered.merge(notification.group(), delivered, Boolean::logicalAnd);
            if (delivered) {
                synchronized (this) {
                    notification.group().sent.put(notification.channel().name(),
                            new Sent(notification.firing(), notification.resolved(), clock.instant()));
                }
            }
        }
        synchronized (this) {
            quiet.forEach((group, snapshot) -> removeResolved(group, snapshot));
            for (Pending notification : pending) {
                Group group = notification.group();
                if (!allDelivered.getOrDefault(group, false)) {
                    continue;
                }
                removeResolved(group, notification.snapshot());
            }
            groups.values().removeIf(group -> group.flushed && group.alerts.values().stream()
                    .allMatch(alert -> alert.status() == Alert.Status.RESOLVED) && !hasUnsentResolved(group));
        }
        return List.copyOf(attempts);
    }

    /** Drops the resolved alerts of a flush that are unchanged since (Alertmanager deletes them after a successful flush). */
    private static void removeResolved(Group group, Map<String, Alert> snapshot) {
        snapshot.forEach((key, alert) -> {
            if (alert.status() == Alert.Status.RESOLVED && alert.equals(group.alerts.get(key))) {
                group.alerts.remove(key);
            }
        });
    }

    private static boolean hasUnsentResolved(Group group) {
        // A resolved alert some channel was told of as firing must still be sent as resolved.
        return group.alerts.keySet().stream().anyMatch(key -> group.sent.values().stream().anyMatch(sent -> sent.firing().contains(key)));
    }

    private record Silenced(Channel channel, Notification notification, String silenceId) {
    }

    private void flush(Group group, AlertRoute route, List<Silence> active, Instant now, List<Pending> pending, List<Silenced> silenced) {
        Map<String, Alert> snapshot = new TreeMap<>(group.alerts);
        List<Alert> unmuted = new ArrayList<>();
        List<Alert> muted = new ArrayList<>();
        List<String> mutedBy = new ArrayList<>();
        for (Alert alert : snapshot.values()) {
            Optional<Silence> silence = active.stream().filter(candidate -> candidate.mutes(alert, now)).findFirst();
            if (silence.isPresent()) {
                muted.add(alert);
                mutedBy.add(silence.get().id());
            } else if (alert.status() == Alert.Status.FIRING && inhibited.test(alert)) {
                LOG.debug("alert {} of group {} is inhibited at this flush", alert.key(), group.key);
            } else {
                unmuted.add(alert);
            }
        }
        Set<String> firing = new HashSet<>();
        Set<String> resolved = new HashSet<>();
        for (Alert alert : unmuted) {
            (alert.status() == Alert.Status.FIRING ? firing : resolved).add(alert.key());
        }
        for (String name : route.channels()) {
            String project = snapshot.values().iterator().next().project();
            Optional<Channel> channel = channels.find(name).filter(found -> found.project().equals(project));
            if (channel.isEmpty()) {
                LOG.warn("route {} names channel '{}', which project '{}' does not have; its alerts are not sent there", group.route, name,
                        project);
                continue;
            }
            for (int index = 0; index < muted.size(); index++) {
                Alert alert = muted.get(index);
                if (group.silencedRecorded.add(name + "\u0000" + alert.key() + "\u0000" + mutedBy.get(index))) {
                    silenced.add(new Silenced(channel.get(), Notification.of(alert), mutedBy.get(index)));
                }
            }
            if (unmuted.isEmpty()) {
                continue;
            }
            if (needsUpdate(group.sent.get(name), firing, resolved, route, now)) {
                List<Alert> ordered = new ArrayList<>(unmuted);
                ordered.sort(java.util.Comparator.comparing(Alert::status).thenComparing(Alert::at).thenComparing(Alert::title));
                pending.add(new Pending(group, channel.get(), new Notification(group.key, group.labels, ordered), Set.copyOf(firing),
                        Set.copyOf(resolved), snapshot));
            }
        }
    }

    /** Alertmanager's DedupStage.needsUpdate, with resolved alerts always sent. */
    static boolean needsUpdate(Sent last, Set<String> firing, Set<String> resolved, AlertRoute route, Instant now) {
        if (last == null) {
            return !firing.isEmpty();
        }
        if (!last.firing().containsAll(firing)) {
            return true;
        }
        if (firing.isEmpty()) {
            return !last.firing().isEmpty();
        }
        if (!last.resolved().containsAll(resolved)) {
            return true;
        }
        return last.at().isBefore(now.minus(route.repeatInterval()));
    }

    /** How many groups are held; for tests and metrics. */
    public synchronized int groupCount() {
        return groups.size();
    }
}
