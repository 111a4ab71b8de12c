package dev.keel.core.monitor;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which logged predictions to read: one model (optionally one version), in {@code [from, to)}, or the last {@code limit}
 * before {@code to}.
 */
public record PredictionQuery(String model, Optional<Integer> version, Optional<Instant> from, Instant to, OptionalInt limit) {
    public PredictionQuery {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(limit, "limit");
    }

    /** The predictions of a model in {@code [from, to)}. */
    public static PredictionQuery between(String model, Instant from, Instant to) {
        return new PredictionQuery(model, Optional.empty(), Optional.of(from), to, OptionalInt.empty());
    }

    /** The last {@code count} predictions of a model before {@code to}. */
    public static PredictionQuery last(String model, int count, Instant to) {
        return new PredictionQuery(model, Optional.empty(), Optional.empty(), to, OptionalInt.of(count));
    }

    /** The same query restricted to one version. */
    public PredictionQuery withVersion(int value) {
        return new PredictionQuery(model, Optional.of(value), from, to, limit);
    }
}
