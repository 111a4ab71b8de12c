package dev.keel.core.alert;

import java.util.List;

/** Where delivery attempts are recorded. */
public interface DeliveryRepository {
    void record(DeliveryAttempt attempt);

    /** A channel's most recent attempts, newest first. */
    List<DeliveryAttempt> forChannel(String project, String channel, int limit);

    /** Every attempt for a notification key, oldest first. */
    List<DeliveryAttempt> forKey(String alertKey);
}
