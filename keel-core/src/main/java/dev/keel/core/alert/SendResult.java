package dev.keel.core.alert;

import java.util.Objects;

/**
 * What one attempt to send a notification gave.
 *
 * @param delivered true when the receiver accepted the message
 * @param code the HTTP status or the SMTP reply code; 0 when there was none (no connection, no reply)
 * @param reply the SMTP server's last reply line, or empty
 * @param error why the attempt failed, or empty; never holds a secret
 * @param retryable whether another attempt may succeed (false for a refusal such as HTTP 400 or SMTP 550)
 */
public record SendResult(boolean delivered, int code, String reply, String error, boolean retryable) {
    public SendResult {
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(error, "error");
    }

    static SendResult delivered(int code, String reply) {
        return new SendResult(true, code, reply, "", false);
    }

    static SendResult failed(int code, String reply, String error, boolean retryable) {
        return new SendResult(false, code, reply, error, retryable);
    }
}
