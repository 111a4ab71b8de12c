package dev.keel.spi.data;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A rule a relation must satisfy, checked right after the relation is computed and before anything reads it.
 *
 * @param name a stable name, written into quarantine rows
 * @param dataset the source or step the rule applies to
 */
public record Expectation(String name, String dataset, Rule rule, Action action) {
    public Expectation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(action, "action");
        if (action == Action.QUARANTINE && !rule.rowLevel()) {
            throw new IllegalArgumentException("a " + rule.getClass().getSimpleName() + " rule applies to the whole dataset and"
                    + " cannot quarantine rows; use fail or warn");
        }
    }

    /** What a broken rule does. */
    public enum Action {
        /** The run fails and publishes nothing. */
        FAIL,
        /** The run goes on; the violation count is recorded. */
        WARN,
        /** Offending rows move to the quarantine dataset with the rule's name; the run goes on. */
        QUARANTINE
    }

    /** The check itself. */
    public sealed interface Rule {
        /** True when the rule judges rows one by one (and can quarantine them). */
        default boolean rowLevel() {
            return true;
        }
    }

    /** Every listed column is non-null. */
    public record NotNull(List<String> columns) implements Rule {
        public NotNull {
            columns = List.copyOf(columns);
        }
    }

    /** No two rows share the values of the listed columns; every row of a shared key is a violation. */
    public record Unique(List<String> columns) implements Rule {
        public Unique {
            columns = List.copyOf(columns);
        }
    }

    /** Non-null values lie in [min, max]; an infinite bound is open. */
    public record Range(String column, double min, double max) implements Rule {
        public Range {
            Objects.requireNonNull(column, "column");
        }
    }

    /** Non-null values are one of the listed ones. */
    public record AllowedValues(String column, List<String> values) implements Rule {
        public AllowedValues {
            Objects.requireNonNull(column, "column");
            values = List.copyOf(values);
        }
    }

    /** Non-null values match the regular expression in full. */
    public record Regex(String column, String pattern) implements Rule {
        public Regex {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(pattern, "pattern");
        }
    }

    /** The relation has between min and max rows. */
    public record RowCount(long min, long max) implements Rule {
        @Override
        public boolean rowLevel() {
            return false;
        }
    }

    /** The latest value of a date or timestamp column is at most {@code maxAge} before the run's time. */
    public record Freshness(String column, Duration maxAge) implements Rule {
        public Freshness {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(maxAge, "maxAge");
        }

        @Override
        public boolean rowLevel() {
            return false;
        }
    }

    /** The relation has these columns with these types; with {@code exact}, no others. */
    public record Schema(Map<String, ColumnType> columns, boolean exact) implements Rule {
        public Schema {
            columns = Map.copyOf(columns);
        }

        @Override
        public boolean rowLevel() {
            return false;
        }
    }
}
