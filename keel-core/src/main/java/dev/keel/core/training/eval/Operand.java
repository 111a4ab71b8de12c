package dev.keel.core.training.eval;

import java.util.Objects;

/** The right side of a gate rule: a number, or a champion metric optionally adjusted by a number. */
public sealed interface Operand {
    /** The text as it would be written in a rule. */
    String expression();

    /** A fixed threshold. */
    record Constant(double value) implements Operand {
        public Constant {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("a rule's threshold must be a finite number; got " + value);
            }
        }

        @Override
        public String expression() {
            return Numbers.constant(value);
        }
    }

    /** {@code champion.METRIC}, optionally followed by {@code + x}, {@code - x} or {@code * x}. */
    record Champion(String metric, Adjustment adjustment, double amount) implements Operand {
        public Champion {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(adjustment, "adjustment");
            if (!Double.isFinite(amount)) {
                throw new IllegalArgumentException("a rule's adjustment must be a finite number; got " + amount);
            }
        }

        /** The champion's metric itself. */
        public Champion(String metric) {
            this(metric, Adjustment.NONE, 0);
        }

        @Override
        public String expression() {
            return "champion." + metric + (adjustment == Adjustment.NONE ? "" : " " + adjustment.symbol() + " " + Numbers.constant(amount));
        }

        /** The threshold this operand sets for a champion value. */
        double apply(double champion) {
            return switch (adjustment) {
                case NONE -> champion;
                case PLUS -> champion + amount;
                case MINUS -> champion - amount;
                case TIMES -> champion * amount;
            };
        }
    }

    /** How a champion metric is adjusted. */
    enum Adjustment {
        NONE(""), PLUS("+"), MINUS("-"), TIMES("*");

        private final String symbol;

        Adjustment(String symbol) {
            this.symbol = symbol;
        }

        /** The operator as written in a rule. */
        public String symbol() {
            return symbol;
        }
    }
}
