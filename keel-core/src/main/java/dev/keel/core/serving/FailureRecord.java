package dev.keel.core.serving;

import java.time.Instant;

/**
 * A durable record of a model that failed or timed out while answering.
 *
 * @param fallback how the request was answered: {@code none} (it failed), {@code previous-version} or {@code default-response}
 */
public record FailureRecord(String id, String endpoint, String model, int version, String requestId, FailureKind kind, String message,
                            FallbackMode fallback, Instant at) {
}
