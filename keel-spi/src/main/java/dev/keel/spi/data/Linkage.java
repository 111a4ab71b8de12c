package dev.keel.spi.data;

import java.util.List;
import java.util.Objects;

/**
 * Probabilistic record linkage (Fellegi–Sunter) for a dedupe or match-merge step: per-field comparisons with levels, blocking
 * rules OR-ed together, a match probability threshold, a clustering mode, training settings and an optional evaluation.
 * Every value a spec leaves out has a documented default, chosen by the parser (docs/matching.md).
 *
 * @param idColumn the column that identifies a record in its input (written to the audit datasets); {@code ""} numbers the
 *                 rows of each input from 1 in input order
 * @param threshold pairs whose match probability is at least this are links
 * @param breakBridgesBelow a link below this match weight that no third record confirms is dropped; {@code NaN} when off
 * @param linkFloor candidate pairs with a probability below this are left out of the link table (they are still counted)
 * @param maxComparisons the run fails before comparing any pair when the blocking rules generate more candidate pairs
 */
public record Linkage(String idColumn, List<ComparisonSpec> comparisons, List<BlockingRule> blocking, double threshold, Mode mode,
                      double breakBridgesBelow, double linkFloor, long maxComparisons, Training training, Evaluation evaluation) {
    public Linkage {
        Objects.requireNonNull(idColumn, "idColumn");
        comparisons = List.copyOf(comparisons);
        blocking = List.copyOf(blocking);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(evaluation, "evaluation");
        if (comparisons.isEmpty()) {
            throw new IllegalArgumentException("linkage needs at least one comparison");
        }
        if (blocking.isEmpty()) {
            throw new IllegalArgumentException("linkage needs at least one blocking rule");
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be a probability in (0, 1), got " + threshold);
        }
        if (!(linkFloor >= 0 && linkFloor <= threshold)) {
            throw new IllegalArgumentException("link floor must be in [0, threshold], got " + linkFloor);
        }
        if (maxComparisons < 1) {
            throw new IllegalArgumentException("max comparisons must be >= 1, got " + maxComparisons);
        }
    }

    /** Whether bridge breaking is on. */
    public boolean breaksBridges() {
        return !Double.isNaN(breakBridgesBelow);
    }

    /** Which pairs may become links. */
    public enum Mode {
        /** Any two records, of one input or of two. */
        ANY,
        /** Records of different inputs only (the default of match-merge); records of one input still meet through others. */
        CROSS_SOURCE,
        /** For two inputs: each record links to at most one record of the other input, strongest links first. */
        ONE_TO_ONE
    }

    /**
     * One compared field: its levels are tried in order and the first that holds is the pair's level. A pair with either value
     * missing is at the null level, which carries no evidence; a pair that no level holds is at the implicit last level,
     * "else".
     *
     * @param name the comparison's name, unique in the step (the column name by default)
     * @param columns one column, or two for a geographic comparison (latitude, longitude)
     * @param termFrequencies whether exact levels weigh a rare value more than a common one
     */
    public record ComparisonSpec(String name, List<String> columns, List<LevelSpec> levels, boolean termFrequencies) {
        public ComparisonSpec {
            Objects.requireNonNull(name, "name");
            columns = List.copyOf(columns);
            levels = List.copyOf(levels);
            if (columns.isEmpty() || columns.size() > 2) {
                throw new IllegalArgumentException("comparison '" + name + "' needs one or two columns, got " + columns);
            }
            if (levels.isEmpty()) {
                throw new IllegalArgumentException("comparison '" + name + "' needs at least one level besides else");
            }
        }
    }

    /** The kinds of comparison level. */
    public enum LevelKind {
        /** Equal as given. */
        EXACT,
        /** Equal after normalisation (accents, case, punctuation, blanks). */
        NORMALISED,
        /** The normalised tokens, sorted, are equal. */
        TOKEN_SORTED,
        /** Jaro-Winkler similarity of the normalised strings at least {@code value}. */
        JARO_WINKLER,
        /** Levenshtein distance of the normalised strings at most {@code value}. */
        LEVENSHTEIN,
        /** Jaccard similarity of the normalised tokens ({@code q} = 0) or character q-grams at least {@code value}. */
        JACCARD,
        /** Absolute numeric difference at most {@code value}. */
        ABSOLUTE_DIFFERENCE,
        /** Relative numeric difference at most {@code value}. */
        RELATIVE_DIFFERENCE,
        /** Dates at most {@code value} days apart. */
        DAYS_APART,
        /** Points (latitude, longitude) at most {@code value} kilometres apart. */
        KILOMETRES_APART
    }

    /**
     * One level of a comparison.
     *
     * @param value the level's threshold; 0 for the kinds that take none
     * @param q the q-gram length of a Jaccard level, 0 for tokens
     */
    public record LevelSpec(LevelKind kind, double value, int q) {
        public LevelSpec {
            Objects.requireNonNull(kind, "kind");
            if (!Double.isFinite(value) || value < 0) {
                throw new IllegalArgumentException("level " + kind + " needs a finite value >= 0, got " + value);
            }
            if (q < 0) {
                throw new IllegalArgumentException("q must be >= 0, got " + q);
            }
        }

        /** A level that takes no threshold. */
        public static LevelSpec of(LevelKind kind) {
            return new LevelSpec(kind, 0, 0);
        }

        /** A level with a threshold. */
        public static LevelSpec of(LevelKind kind, double value) {
            return new LevelSpec(kind, value, 0);
        }
    }

    /**
     * A blocking rule: two records are a candidate pair when every key of the rule is present on both and equal. A pair that
     * several rules generate is compared once, under the first of them.
     *
     * @param name the rule's name in reports and in the link table
     */
    public record BlockingRule(String name, List<BlockingKey> keys) {
        public BlockingRule {
            Objects.requireNonNull(name, "name");
            keys = List.copyOf(keys);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("blocking rule '" + name + "' needs at least one key");
            }
        }
    }

    /** Functions that turn a column's value into a blocking key. */
    public enum KeyFunction {
        /** The value as given. */
        EXACT,
        /** The normalised value. */
        NORMALISED,
        /** The first {@code length} characters of the normalised value. */
        PREFIX,
        /** The normalised tokens, sorted and joined by one space. */
        SORTED_TOKENS,
        /** The first normalised token. */
        FIRST_TOKEN,
        /** American Soundex of the normalised value. */
        SOUNDEX,
        /** Double Metaphone (primary code) of the normalised value. */
        METAPHONE,
        /** The geohash cell of {@code length} characters of a point; the key reads two columns (latitude, longitude). */
        GEOHASH
    }

    /**
     * One key of a blocking rule.
     *
     * @param columns one column, or two (latitude, longitude) for {@link KeyFunction#GEOHASH}
     * @param length the prefix length or geohash precision; 0 for the other functions
     */
    public record BlockingKey(List<String> columns, KeyFunction function, int length) {
        public BlockingKey {
            columns = List.copyOf(columns);
            Objects.requireNonNull(function, "function");
            int expected = function == KeyFunction.GEOHASH ? 2 : 1;
            if (columns.size() != expected) {
                throw new IllegalArgumentException("blocking key " + function + " reads " + expected + " column(s), got " + columns);
            }
            if ((function == KeyFunction.PREFIX || function == KeyFunction.GEOHASH) != (length > 0)) {
                throw new IllegalArgumentException("blocking key " + function + " has length " + length
                        + "; prefix and geohash need a length >= 1, the others none");
            }
        }
    }

    /**
     * How the model is trained: u from random pairs, m and the prior by expectation–maximisation over the candidate pairs.
     *
     * @param uPairs the number of random record pairs u is estimated from
     * @param seed the seed of every random choice, so that a run repeats exactly
     * @param emIterations the most EM iterations
     * @param labelledPairs a relation of labelled pairs (left_id, right_id, is_match) that m is estimated from instead of EM;
     *                      {@code ""} for EM
     */
    public record Training(int uPairs, long seed, int emIterations, String labelledPairs) {
        public Training {
            Objects.requireNonNull(labelledPairs, "labelledPairs");
            if (uPairs < 1) {
                throw new IllegalArgumentException("u pairs must be >= 1, got " + uPairs);
            }
            if (emIterations < 1) {
                throw new IllegalArgumentException("EM iterations must be >= 1, got " + emIterations);
            }
        }
    }

    /**
     * What the run is evaluated against, when anything.
     *
     * @param truthColumn a column of the inputs holding each record's true entity; {@code ""} when unused
     * @param labelledPairs a relation of labelled pairs (left_id, right_id, is_match); {@code ""} when unused. With it the
     *                      report also holds a precision/recall curve over the pairs' probabilities
     */
    public record Evaluation(String truthColumn, String labelledPairs) {
        public Evaluation {
            Objects.requireNonNull(truthColumn, "truthColumn");
            Objects.requireNonNull(labelledPairs, "labelledPairs");
        }

        /** No evaluation. */
        public static Evaluation none() {
            return new Evaluation("", "");
        }

        /** Whether anything is evaluated. */
        public boolean any() {
            return !truthColumn.isEmpty() || !labelledPairs.isEmpty();
        }
    }
}
