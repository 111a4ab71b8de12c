package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How common each value of one field is: the share of records (with a non-null value) whose normalised value is v.
 *
 * @param field the field counted
 * @param shares the share of each normalised value, in (0, 1]
 * @param minimum the floor under any share used as a u probability, in (0, 1]
 */
public record TermFrequencies(String field, Map<String, Double> shares, double minimum) {

    public TermFrequencies {
        Objects.requireNonNull(field, "field");
        shares = Map.copyOf(shares);
        requireArgument(minimum > 0 && minimum <= 1, "a term-frequency floor must be in (0, 1] (got %s)", minimum);
    }

    /** Counts {@code field} over {@code records}; the floor defaults to one record's share, 1 / (records with a value). */
    public static TermFrequencies count(String field, Iterable<? extends Map<String, ?>> records) {
        return count(field, records, 0);
    }

    /** Counts {@code field} over {@code records} with the given floor (0 for one record's share). */
    public static TermFrequencies count(String field, Iterable<? extends Map<String, ?>> records, double minimum) {
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        for (Map<String, ?> record : records) {
            Object value = record.get(field);
            if (value != null) {
                counts.merge(Comparison.termKey(value), 1L, Long::sum);
                total++;
            }
        }
        requireArgument(total > 0, "no record has a value for field '%s'; term frequencies need at least one", field);
        Map<String, Double> shares = new HashMap<>();
        long n = total;
        counts.forEach((key, count) -> shares.put(key, (double) count / n));
        return new TermFrequencies(field, shares, minimum == 0 ? 1.0 / total : minimum);
    }

    /** The floored share of {@code value}, or empty when the value was never counted. */
    public OptionalDouble share(Object value) {
        Double share = shares.get(Comparison.termKey(value));
        return share == null ? OptionalDouble.empty() : OptionalDouble.of(Math.max(minimum, share));
    }
}
