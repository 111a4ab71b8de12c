package dev.keel.core.serving;

import java.time.Instant;
import java.util.Optional;

/**
 * The answers of the serving version and of the shadow version to the same request, stored side by side.
 *
 * @param primaryOutputs the outputs returned to the caller, as JSON
 * @param shadowOutputs the shadow's outputs as JSON, when it answered
 * @param shadowError why the shadow did not answer
 */
public record ShadowComparison(String id, String endpoint, String model, String requestId, int primaryVersion, int shadowVersion,
                               String primaryOutputs, Optional<String> shadowOutputs, Optional<String> shadowError, Instant at) {
}
