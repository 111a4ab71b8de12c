package dev.keel.core.incident;

import java.time.Instant;
import java.util.Objects;

/**
 * Equal signals counted together by the incident sink within one flush: {@code count} occurrences of {@code signal}'s
 * fingerprint and objects between {@code firstAt} and {@code lastAt}; {@code signal} is the latest of them.
 *
 * @param fingerprint the incident the signals fold into (a policy may have chosen it)
 * @param cause the normalised message
 */
public record Observation(Signal signal, String fingerprint, String cause, long count, Instant firstAt, Instant lastAt) {
    public Observation {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(firstAt, "firstAt");
        Objects.requireNonNull(lastAt, "lastAt");
        if (count < 1) {
            throw new IllegalArgumentException("an observation counts at least one signal; got " + count);
        }
    }

    public String project() {
        return signal.project();
    }
}
