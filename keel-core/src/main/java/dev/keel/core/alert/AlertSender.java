package dev.keel.core.alert;

/** Sends a notification to one kind of channel, once; {@link Deliveries} retries and records. */
interface AlertSender {
    /** Tries once; failures come back as a result, never as an exception. */
    SendResult send(Channel channel, Notification notification);
}
