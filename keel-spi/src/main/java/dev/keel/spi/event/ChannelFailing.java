package dev.keel.spi.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An alert channel whose deliveries have failed several times in a row, each after all its attempts.
 *
 * @param projectName the channel's project, also {@link #project()}
 * @param message the last attempt's error or answer
 */
public record ChannelFailing(String projectName, String channel, int consecutiveFailures, String message, Instant at) implements KeelEvent {
    public ChannelFailing {
        Objects.requireNonNull(projectName, "projectName");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public java.util.Optional<String> project() {
        return java.util.Optional.of(projectName);
    }
}
