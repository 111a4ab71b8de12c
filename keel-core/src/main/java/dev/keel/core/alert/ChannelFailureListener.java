package dev.keel.core.alert;

import java.util.List;

/**
 * Told when a channel has failed several deliveries in a row, so that the failing channel can become an incident of its own.
 * Called on the delivering thread; must return quickly and not throw.
 */
@FunctionalInterface
public interface ChannelFailureListener {
    /**
     * @param channel the failing channel
     * @param consecutiveFailures how many deliveries in a row have failed (each after all its attempts)
     * @param lastDelivery the attempts of the latest failed delivery
     */
    void channelFailing(Channel channel, int consecutiveFailures, List<DeliveryAttempt> lastDelivery);
}
