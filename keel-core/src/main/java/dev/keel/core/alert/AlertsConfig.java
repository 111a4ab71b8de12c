package dev.keel.core.alert;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the alerts section.
 *
 * @param allowPrivateTargets let webhook and Slack channels reach loopback and private addresses ({@code http.allow-private})
 * @param attempts how many times one message is tried before its delivery counts as failed ({@code delivery.attempts})
 * @param initialBackoff the wait before the second attempt; it doubles each time ({@code delivery.initial-backoff})
 * @param maxBackoff the longest wait between attempts ({@code delivery.max-backoff})
 * @param timeout how long one attempt may take to connect and answer ({@code delivery.timeout})
 * @param smtpAllowedHosts SMTP relays an email channel may use even on a private address ({@code smtp.allowed-hosts}); any
 *     other SMTP host is held to the same public-address rule as webhooks
 */
public record AlertsConfig(boolean allowPrivateTargets, int attempts, Duration initialBackoff, Duration maxBackoff, Duration timeout,
                           List<String> smtpAllowedHosts) {
    public AlertsConfig {
        smtpAllowedHosts = smtpAllowedHosts.stream().map(host -> host.toLowerCase(java.util.Locale.ROOT)).toList();
        KeelException.requireArgument(attempts >= 1, "alerts.delivery.attempts must be at least 1 (got %d)", attempts);
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** Settings without SMTP relays on private addresses. */
    public AlertsConfig(boolean allowPrivateTargets, int attempts, Duration initialBackoff, Duration maxBackoff, Duration timeout) {
        this(allowPrivateTargets, attempts, initialBackoff, maxBackoff, timeout, List.of());
    }

    /** Public targets only, 5 attempts, 1 s doubling up to 60 s, 10 s per attempt. */
    public static AlertsConfig defaults() {
        return new AlertsConfig(false, 5, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static AlertsConfig from(ConfigNode node) {
        AlertsConfig defaults = defaults();
        ConfigNode http = node.section("http");
        ConfigNode delivery = node.section("delivery");
        ConfigNode smtp = node.section("smtp");
        node.section("routes"); // read by routes(node)
        AlertsConfig config = new AlertsConfig(http.bool("allow-private", defaults.allowPrivateTargets()),
                delivery.integer("attempts", defaults.attempts(), 1, 100),
                delivery.duration("initial-backoff", defaults.initialBackoff()),
                delivery.duration("max-backoff", defaults.maxBackoff()),
                delivery.duration("timeout", defaults.timeout()), smtp.strings("allowed-hosts").orElse(List.of()));
        http.rejectUnknownKeys();
        smtp.rejectUnknownKeys();
        delivery.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return config;
    }

    /**
     * Reads {@code routes}: a mapping of route names to routes, tried in file order. Each route has {@code channels} (a list
     * of channel names, required), and optionally {@code project}, {@code severity} (the least that matches, default
     * {@code info}), {@code match} (label: value), {@code group-by} (a list, or {@code [...]}), {@code group-wait},
     * {@code group-interval}, {@code repeat-interval} (Alertmanager's defaults 30s, 5m, 4h) and {@code continue}.
     */
    public static List<AlertRoute> routes(ConfigNode node) {
        ConfigNode routesNode = node.section("routes");
        List<AlertRoute> routes = new ArrayList<>();
        for (String name : routesNode.names()) {
            ConfigNode route = routesNode.section(name);
            List<String> channels = route.strings("channels").orElse(List.of());
            if (channels.isEmpty()) {
                throw route.invalid("channels", "[]", "a non-empty list of channel names");
            }
            for (String channel : channels) {
                if (!Channel.NAME.matcher(channel).matches()) {
                    throw route.invalid("channels", channel, "channel names matching " + Channel.NAME.pattern());
                }
            }
            String severityText = route.string("severity", "info");
            Severity severity;
            try {
                severity = Severity.parse(severityText);
            } catch (KeelException e) {
                throw route.invalid("severity", severityText, "info, warning or critical");
            }
            ConfigNode match = route.section("match");
            Map<String, String> labels = new LinkedHashMap<>();
            for (String label : match.names()) {
                labels.put(label, match.string(label, ""));
            }
            try {
                routes.add(new AlertRoute(route.string("project", ""), severity, labels, channels,
                        route.strings("group-by").orElse(List.of()), route.duration("group-wait", AlertRoute.DEFAULT_GROUP_WAIT),
                        route.duration("group-interval", AlertRoute.DEFAULT_GROUP_INTERVAL),
                        route.duration("repeat-interval", AlertRoute.DEFAULT_REPEAT_INTERVAL), route.bool("continue", false)));
            } catch (KeelException e) {
                throw new KeelException(dev.keel.core.error.ErrorCode.INVALID_CONFIG, "alerts.routes." + name + ": " + e.getMessage(), e);
            }
            match.rejectUnknownKeys();
            route.rejectUnknownKeys();
        }
        return List.copyOf(routes);
    }
}
