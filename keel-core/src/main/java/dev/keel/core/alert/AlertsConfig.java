package dev.keel.core.alert;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the alerts section.
 *
 * @param allowPrivateTargets let webhook and Slack channels reach loopback and private addresses ({@code http.allow-private})
 * @param attempts how many times one message is tried before its delivery counts as failed ({@code delivery.attempts})
 * @param initialBackoff the wait before the second attempt; it doubles each time ({@code delivery.initial-backoff})
 * @param maxBackoff the longest wait between attempts ({@code delivery.max-backoff})
 * @param timeout how long one attempt may take to connect and answer ({@code delivery.timeout})
 */
public record AlertsConfig(boolean allowPrivateTargets, int attempts, Duration initialBackoff, Duration maxBackoff, Duration timeout) {
    public AlertsConfig {
        KeelException.requireArgument(attempts >= 1, "alerts.delivery.attempts must be at least 1 (got %d)", attempts);
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(timeout, "timeout");
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
        AlertsConfig config = new AlertsConfig(http.bool("allow-private", defaults.allowPrivateTargets()),
                delivery.integer("attempts", defaults.attempts(), 1, 100),
                delivery.duration("initial-backoff", defaults.initialBackoff()),
                delivery.duration("max-backoff", defaults.maxBackoff()),
                delivery.duration("timeout", defaults.timeout()));
        http.rejectUnknownKeys();
        delivery.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return config;
    }
}
