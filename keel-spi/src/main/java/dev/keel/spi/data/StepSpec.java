package dev.keel.spi.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One transformation of a pipeline; each step reads named relations and produces a relation with its own name. */
public sealed interface StepSpec {
    /** The relation name later steps, expectations and outputs refer to. */
    String name();

    /** The relations this step reads. */
    List<String> inputs();

    /** Standard SQL over the named inputs; the only step that may add or remove rows freely (counted as filtered). */
    record Sql(String name, List<String> inputs, String query) implements StepSpec {
        public Sql {
            Objects.requireNonNull(name, "name");
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(query, "query");
        }
    }

    /** Column-wise cleaning: trim, case, normalize, replace and cast, with an explicit fate for values that do not cast. */
    record Clean(String name, String input, List<ColumnCleaning> columns) implements StepSpec {
        public Clean {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            columns = List.copyOf(columns);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /** Letter case applied by a clean step. */
    enum TextCase { KEEP, LOWER, UPPER }

    /** What happens to a value that does not cast: it becomes null, its row is quarantined, the run fails, or a default is used. */
    enum OnCastError { NULL, QUARANTINE, FAIL, DEFAULT }

    /**
     * How one column is cleaned, applied in this order: trim, normalize (Unicode NFC and runs of blanks to one space), case,
     * empty-as-null, cast.
     *
     * @param format a strptime format for date and timestamp casts, {@code ""} for ISO
     * @param defaultValue the value used when {@code onError} is DEFAULT, {@code ""} otherwise
     */
    record ColumnCleaning(String column, boolean trim, boolean normalize, TextCase textCase, boolean emptyAsNull,
                          Optional<ColumnType> cast, String format, OnCastError onError, String defaultValue) {
        public ColumnCleaning {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(textCase, "textCase");
            Objects.requireNonNull(cast, "cast");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(onError, "onError");
            Objects.requireNonNull(defaultValue, "defaultValue");
        }
    }

    /** A string similarity measure, normalized to [0, 1]. */
    enum Similarity { JARO_WINKLER, LEVENSHTEIN }

    /** Two values match when their similarity is at least {@code threshold}; nulls never match. */
    record FuzzyMatch(String column, Similarity similarity, double threshold) {
        public FuzzyMatch {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(similarity, "similarity");
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
            }
        }
    }

    /**
     * Only rows that agree on the blocking key are compared, so fuzzy matching is not quadratic in the row count.
     *
     * @param columns columns that must be equal
     * @param prefixLength when above 0, the first characters of each fuzzy column (lower-cased) must be equal too
     */
    record Blocking(List<String> columns, int prefixLength) {
        public Blocking {
            columns = List.copyOf(columns);
            if (prefixLength < 0) {
                throw new IllegalArgumentException("prefix length must be >= 0, got " + prefixLength);
            }
        }
    }

    /**
     * Rows match when they are equal on every key and similar on every fuzzy column; matching is transitive (clusters).
     * With no keys and no fuzzy columns, rows match when they are equal on every column. With a linkage, the keys, fuzzy
     * columns and blocking are empty and records match by the linkage's probabilistic model instead.
     */
    record Matching(List<String> keys, List<FuzzyMatch> fuzzy, Blocking blocking, Optional<Linkage> linkage) {
        public Matching {
            keys = List.copyOf(keys);
            fuzzy = List.copyOf(fuzzy);
            Objects.requireNonNull(blocking, "blocking");
            Objects.requireNonNull(linkage, "linkage");
        }

        /** Deterministic matching on keys and fuzzy columns. */
        public Matching(List<String> keys, List<FuzzyMatch> fuzzy, Blocking blocking) {
            this(keys, fuzzy, blocking, Optional.empty());
        }

        /** Probabilistic matching. */
        public static Matching probabilistic(Linkage linkage) {
            return new Matching(List.of(), List.of(), new Blocking(List.of(), 0), Optional.of(linkage));
        }
    }

    /** Which value survives in a merged record. */
    enum SurvivorRule {
        /** The first row in input order (dedupe only). */
        FIRST,
        /** The row with the latest value in the recency column. */
        MOST_RECENT,
        /** The row with the most non-null values. */
        MOST_COMPLETE,
        /** The row from the input listed first in the source priority (match/merge only). */
        SOURCE_PRIORITY,
        /** The value most records of the cluster hold (probabilistic matching only; ties by input order). */
        MOST_FREQUENT,
        /** The longest value as text (probabilistic matching only; ties by input order). */
        LONGEST
    }

    /**
     * Survivorship: a default rule and per-column overrides; non-null values are preferred under every rule.
     *
     * @param recencyColumn the column MOST_RECENT orders by, {@code ""} when unused
     * @param sourcePriority input names, highest priority first; empty means the order of the inputs
     */
    record Survivorship(SurvivorRule defaultRule, java.util.Map<String, SurvivorRule> columns, String recencyColumn,
                        List<String> sourcePriority) {
        public Survivorship {
            Objects.requireNonNull(defaultRule, "defaultRule");
            columns = java.util.Map.copyOf(columns);
            Objects.requireNonNull(recencyColumn, "recencyColumn");
            sourcePriority = List.copyOf(sourcePriority);
        }

        /** The rule for one column. */
        public SurvivorRule ruleFor(String column) {
            return columns.getOrDefault(column, defaultRule);
        }
    }

    /**
     * Removes duplicate rows, exact or fuzzy; one row per cluster survives whole (rows removed count as merged). With a
     * linkage, each cluster becomes one golden record built field by field under {@code survivorship}, whose default rule is
     * {@code keep}.
     */
    record Dedupe(String name, String input, Matching matching, SurvivorRule keep, String recencyColumn,
                  Survivorship survivorship) implements StepSpec {
        public Dedupe {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(matching, "matching");
            Objects.requireNonNull(keep, "keep");
            Objects.requireNonNull(recencyColumn, "recencyColumn");
            Objects.requireNonNull(survivorship, "survivorship");
        }

        /** A dedupe whose survivorship is {@code keep} for every column. */
        public Dedupe(String name, String input, Matching matching, SurvivorRule keep, String recencyColumn) {
            this(name, input, matching, keep, recencyColumn, new Survivorship(keep, java.util.Map.of(), recencyColumn, List.of()));
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Matches records of two or more inputs and merges each cluster into one golden record, column by column. The output has
     * the union of the input columns plus {@code golden_id}, {@code source_count} and {@code sources}.
     */
    record MatchMerge(String name, List<String> inputs, Matching matching, Survivorship survivorship) implements StepSpec {
        public MatchMerge {
            Objects.requireNonNull(name, "name");
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(matching, "matching");
            Objects.requireNonNull(survivorship, "survivorship");
        }
    }

    /** How a missing value is filled. */
    enum ImputeStrategy { MEAN, MEDIAN, MODE, CONSTANT }

    /** Fills nulls of one column; {@code value} is used by CONSTANT only. */
    record Imputation(String column, ImputeStrategy strategy, String value) {
        public Imputation {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Fills missing values. */
    record Impute(String name, String input, List<Imputation> columns) implements StepSpec {
        public Impute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            columns = List.copyOf(columns);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /** A derived column: a SQL expression over the row. */
    record Derivation(String column, String expression) {
        public Derivation {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(expression, "expression");
        }
    }

    /** Adds or replaces columns with expressions, then drops columns or keeps only the listed ones. */
    record Derive(String name, String input, List<Derivation> columns, List<String> drop, List<String> keep) implements StepSpec {
        public Derive {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
            columns = List.copyOf(columns);
            drop = List.copyOf(drop);
            keep = List.copyOf(keep);
        }

        @Override
        public List<String> inputs() {
            return List.of(input);
        }
    }
}
