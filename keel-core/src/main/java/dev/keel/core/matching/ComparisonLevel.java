package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * One level of a {@link Comparison}: a test on two non-null values of a field.
 *
 * <p>String levels read any value through {@code toString()}; numeric levels need a {@link Number}, date levels a
 * {@link LocalDate}, distance levels a {@link GeoPoint}. A value of another type fails with a message naming the level.
 */
public sealed interface ComparisonLevel {

    /** Whether two non-null values fall in this level. */
    boolean holds(Object left, Object right);

    /** A short human-readable description, for example {@code jaro-winkler >= 0.9}. */
    String label();

    /** Whether this level is an exact match on the raw or normalised value, so that term frequencies can apply. */
    default boolean isExactMatch() {
        return false;
    }

    /** Values equal as given ({@code equals}; strings compared as they are). */
    record Exact() implements ComparisonLevel {
        @Override
        public boolean holds(Object left, Object right) {
            return left.equals(right) || left.toString().equals(right.toString());
        }

        @Override
        public String label() {
            return "exact";
        }

        @Override
        public boolean isExactMatch() {
            return true;
        }
    }

    /** Strings equal after lower-casing, stripping accents, dropping punctuation and collapsing whitespace. */
    record NormalisedExact() implements ComparisonLevel {
        @Override
        public boolean holds(Object left, Object right) {
            return Text.normalise(left.toString()).equals(Text.normalise(right.toString()));
        }

        @Override
        public String label() {
            return "exact after normalisation";
        }

        @Override
        public boolean isExactMatch() {
            return true;
        }
    }

    /** Normalised strings equal once their tokens are sorted ("Louis St." and "St. Louis"). */
    record TokenSortedExact() implements ComparisonLevel {
        @Override
        public boolean holds(Object left, Object right) {
            return Text.tokenSorted(left.toString()).equals(Text.tokenSorted(right.toString()));
        }

        @Override
        public String label() {
            return "exact on sorted tokens";
        }
    }

    /** Jaro-Winkler similarity of the normalised strings at least {@code threshold} (Commons Text). */
    record JaroWinklerAtLeast(double threshold) implements ComparisonLevel {
        private static final JaroWinklerSimilarity SIMILARITY = new JaroWinklerSimilarity();

        public JaroWinklerAtLeast {
            requireArgument(threshold >= 0 && threshold <= 1, "a Jaro-Winkler threshold must be in [0, 1] (got %s)", threshold);
        }

        @Override
        public boolean holds(Object left, Object right) {
            return SIMILARITY.apply(Text.normalise(left.toString()), Text.normalise(right.toString())) >= threshold;
        }

        @Override
        public String label() {
            return "jaro-winkler >= " + threshold;
        }
    }

    /** Levenshtein distance of the normalised strings at most {@code maximum} edits (Commons Text). */
    record LevenshteinAtMost(int maximum) implements ComparisonLevel {
        public LevenshteinAtMost {
            requireArgument(maximum >= 0, "a Levenshtein bound must be >= 0 (got %s)", maximum);
        }

        @Override
        public boolean holds(Object left, Object right) {
            int distance = LevenshteinDistance.getDefaultInstance().apply(Text.normalise(left.toString()), Text.normalise(right.toString()));
            return distance <= maximum;
        }

        @Override
        public String label() {
            return "levenshtein <= " + maximum;
        }
    }

    /**
     * Jaccard similarity |A ∩ B| / |A ∪ B| of the normalised strings' token sets ({@code q == 0}) or character q-gram
     * sets ({@code q >= 1}) at least {@code threshold}.
     */
    record JaccardAtLeast(double threshold, int q) implements ComparisonLevel {
        public JaccardAtLeast {
            requireArgument(threshold >= 0 && threshold <= 1, "a Jaccard threshold must be in [0, 1] (got %s)", threshold);
            requireArgument(q >= 0, "q must be 0 (tokens) or a q-gram length >= 1 (got %s)", q);
        }

        @Override
        public boolean holds(Object left, Object right) {
            return Text.jaccard(Text.grams(left.toString(), q), Text.grams(right.toString(), q)) >= threshold;
        }

        @Override
        public String label() {
            return (q == 0 ? "token" : q + "-gram") + " jaccard >= " + threshold;
        }
    }

    /** Numbers whose absolute difference is at most {@code maximum}. */
    record AbsoluteDifferenceAtMost(double maximum) implements ComparisonLevel {
        public AbsoluteDifferenceAtMost {
            requireArgument(maximum >= 0, "an absolute difference bound must be >= 0 (got %s)", maximum);
        }

        @Override
        public boolean holds(Object left, Object right) {
            return Math.abs(number(left, this) - number(right, this)) <= maximum;
        }

        @Override
        public String label() {
            return "absolute difference <= " + maximum;
        }
    }

    /** Numbers whose difference relative to the larger magnitude, |a - b| / max(|a|, |b|), is at most {@code maximum}. */
    record RelativeDifferenceAtMost(double maximum) implements ComparisonLevel {
        public RelativeDifferenceAtMost {
            requireArgument(maximum >= 0, "a relative difference bound must be >= 0 (got %s)", maximum);
        }

        @Override
        public boolean holds(Object left, Object right) {
            double a = number(left, this);
            double b = number(right, this);
            double scale = Math.max(Math.abs(a), Math.abs(b));
            return scale == 0 || Math.abs(a - b) / scale <= maximum;
        }

        @Override
        public String label() {
            return "relative difference <= " + maximum;
        }
    }

    /** Dates at most {@code maximum} days apart. */
    record DaysApartAtMost(long maximum) implements ComparisonLevel {
        public DaysApartAtMost {
            requireArgument(maximum >= 0, "a bound in days must be >= 0 (got %s)", maximum);
        }

        @Override
        public boolean holds(Object left, Object right) {
            return Math.abs(ChronoUnit.DAYS.between(date(left, this), date(right, this))) <= maximum;
        }

        @Override
        public String label() {
            return "days apart <= " + maximum;
        }
    }

    /** Points at most {@code maximum} kilometres apart by the haversine great-circle distance. */
    record KilometresApartAtMost(double maximum) implements ComparisonLevel {
        public KilometresApartAtMost {
            requireArgument(maximum >= 0, "a distance bound in km must be >= 0 (got %s)", maximum);
        }

        @Override
        public boolean holds(Object left, Object right) {
            return point(left, this).kilometresTo(point(right, this)) <= maximum;
        }

        @Override
        public String label() {
            return String.format(Locale.ROOT, "within %s km", maximum);
        }
    }

    /** Every pair of non-null values: the last level of a comparison. */
    record Else() implements ComparisonLevel {
        @Override
        public boolean holds(Object left, Object right) {
            return true;
        }

        @Override
        public String label() {
            return "else";
        }
    }

    private static double number(Object value, ComparisonLevel level) {
        requireArgument(value instanceof Number, "level '%s' compares numbers; got %s", level.label(), typeOf(value));
        return ((Number) value).doubleValue();
    }

    private static LocalDate date(Object value, ComparisonLevel level) {
        requireArgument(value instanceof LocalDate, "level '%s' compares LocalDate values; got %s", level.label(), typeOf(value));
        return (LocalDate) value;
    }

    private static GeoPoint point(Object value, ComparisonLevel level) {
        requireArgument(value instanceof GeoPoint, "level '%s' compares GeoPoint values; got %s", level.label(), typeOf(value));
        return (GeoPoint) value;
    }

    private static String typeOf(Object value) {
        return value.getClass().getSimpleName() + " '" + value + "'";
    }
}
