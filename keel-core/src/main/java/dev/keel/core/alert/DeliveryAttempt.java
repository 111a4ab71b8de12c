package dev.keel.core.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * One recorded attempt to send a notification to a channel.
 *
 * @param deliveryId the delivery the attempt belongs to (all attempts of one message share it)
 * @param attempt 1 for the first try; 0 for a notification that was silenced and not sent
 * @param alertKey the notification's key (a group key or an alert key)
 * @param code the HTTP status or SMTP reply code, 0 when there was none
 * @param reply the SMTP server's reply line, or empty
 * @param error why the attempt failed, or empty
 */
public record DeliveryAttempt(String deliveryId, int attempt, String project, String channel, String alertKey, Status status, int code,
                              String reply, String error, Instant at) {
    /** What became of the attempt. */
    public enum Status { SENT, FAILED, SILENCED }

    public DeliveryAttempt {
        Objects.requireNonNull(deliveryId, "deliveryId");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(alertKey, "alertKey");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(at, "at");
    }

    /** One line: the error, else the code and reply. */
    public String describe() {
        if (!error.isEmpty()) {
            return error + (code > 0 ? " (" + code + ")" : "");
        }
        return "answered " + code + (reply.isEmpty() ? "" : ": " + reply);
    }
}
