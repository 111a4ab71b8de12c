package dev.keel.core.serving;

import java.time.Instant;

/**
 * A durable record of a model that failed or timed out while answering.
 *
 * @param kind {@code error} or {@code timeout}
 * @param fallback how the request was answered: {@code none} (it failed), {@code previous-version} or {@code default-response}
 */
public record FailureRecord(String id, String endpoint, String model, int version, String requestId, String kind, String message,
                            String fallback, Instant at) {
}
