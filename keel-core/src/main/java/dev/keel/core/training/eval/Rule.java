package dev.keel.core.training.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gate rule on one metric of the challenger: {@code METRIC OP RIGHT} with OP one of {@code >= > <= <} and RIGHT a number
 * or {@code champion.METRIC}, optionally followed by {@code + x}, {@code - x} or {@code * x}; for example
 * {@code auc >= champion.auc - 0.01}.
 */
public record Rule(String metric, String operator, Operand right) {
    static final List<String> OPERATORS = List.of(">=", ">", "<=", "<");
    private static final String NAME = "[A-Za-z_][A-Za-z0-9_]*";
    private static final String NUMBER = "[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?";
    private static final Pattern RULE = Pattern.compile("\\s*(" + NAME + ")\\s*(>=|<=|>|<)\\s*(.*?)\\s*");
    private static final Pattern CONSTANT = Pattern.compile(NUMBER);
    private static final Pattern CHAMPION = Pattern.compile("champion\\.(" + NAME + ")(?:\\s*([-+*])\\s*(" + NUMBER + "))?");
    private static final String FORM = "expected METRIC OP VALUE with OP one of >=, >, <=, < and VALUE a number or champion.METRIC "
        + "optionally followed by +, - or * and a number (for example 'auc >= champion.auc - 0.01')";

    public Rule {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(right, "right");
        if (!metric.matches(NAME)) {
            throw new IllegalArgumentException("metric '" + metric + "' is not a metric name (letters, digits and _)");
        }
        if (!OPERATORS.contains(operator)) {
            throw new IllegalArgumentException("operator '" + operator + "' is not one of " + OPERATORS);
        }
    }

    /**
     * Parses a rule such as {@code logloss <= champion.logloss * 1.02}.
     *
     * @throws IllegalArgumentException naming the bad text and the expected form
     */
    public static Rule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        Matcher rule = RULE.matcher(expression);
        if (!rule.matches()) {
            throw new IllegalArgumentException("rule '" + expression + "' is not a comparison; " + FORM);
        }
        String right = rule.group(3);
        if (right.isEmpty()) {
            throw new IllegalArgumentException("rule '" + expression + "' has nothing after '" + rule.group(2) + "'; " + FORM);
        }
        if (right.startsWith("=") || right.startsWith(">") || right.startsWith("<")) {
            throw new IllegalArgumentException("rule '" + expression + "' has operator '" + rule.group(2) + right.charAt(0) + "'; " + FORM);
        }
        if (CONSTANT.matcher(right).matches()) {
            return new Rule(rule.group(1), rule.group(2), new Operand.Constant(Double.parseDouble(right)));
        }
        Matcher champion = CHAMPION.matcher(right);
        if (champion.matches()) {
            Operand.Adjustment adjustment = champion.group(2) == null ? Operand.Adjustment.NONE : switch (champion.group(2)) {
                case "+" -> Operand.Adjustment.PLUS;
                case "-" -> Operand.Adjustment.MINUS;
                default -> Operand.Adjustment.TIMES;
            };
            double amount = champion.group(3) == null ? 0 : Double.parseDouble(champion.group(3));
            return new Rule(rule.group(1), rule.group(2), new Operand.Champion(champion.group(1), adjustment, amount));
        }
        throw new IllegalArgumentException("rule '" + expression + "' compares with '" + right + "', which is neither a number nor "
            + "champion.METRIC [+|-|* NUMBER]; " + FORM);
    }

    /** The rule as text, for example {@code auc >= champion.auc - 0.01}. */
    public String expression() {
        return metric + " " + operator + " " + right.expression();
    }

    /** True when the rule refers to the champion. */
    public boolean relative() {
        return right instanceof Operand.Champion;
    }

    Check check(Evaluation challenger, Optional<Evaluation> champion) {
        String name = expression();
        OptionalDouble left = challenger.metric(metric);
        if (left.isEmpty()) {
            return Check.failed(name, "rule '" + name + "': the challenger's evaluation has no metric '" + metric + "'; it has "
                + String.join(", ", challenger.metrics().keySet()), Map.of());
        }
        double value = left.getAsDouble();
        Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("challenger", value);
        String rightText;
        double threshold;
        int decimals;
        switch (right) {
            case Operand.Constant constant -> {
                threshold = constant.value();
                decimals = Numbers.decimals(value, threshold);
                rightText = Numbers.constant(threshold);
            }
            case Operand.Champion relative -> {
                if (champion.isEmpty()) {
                    return Check.skipped(name, "rule '" + name + "' skipped: there is no champion to compare with");
                }
                OptionalDouble base = champion.get().metric(relative.metric());
                if (base.isEmpty()) {
                    return Check.failed(name, "rule '" + name + "': the champion's evaluation has no metric '" + relative.metric()
                        + "'; it has " + String.join(", ", champion.get().metrics().keySet()), numbers);
                }
                double championValue = base.getAsDouble();
                threshold = relative.apply(championValue);
                numbers.put("champion", championValue);
                decimals = Numbers.decimals(value, championValue, threshold);
                rightText = "champion." + relative.metric() + " " + Numbers.format(championValue, decimals)
                    + (relative.adjustment() == Operand.Adjustment.NONE ? ""
                    : " " + relative.adjustment().symbol() + " " + Numbers.constant(relative.amount()) + " = "
                    + Numbers.format(threshold, decimals));
            }
        }
        numbers.put("threshold", threshold);
        boolean passed = holds(value, threshold);
        String leftText = metric + " " + (metric.equals(Metrics.ROWS) ? Numbers.integer(value) : Numbers.format(value, decimals));
        return Check.of(passed, name, leftText + (passed ? " " : " is not ") + operator + " " + rightText, numbers);
    }

    private boolean holds(double value, double threshold) {
        return switch (operator) {
            case ">=" -> value >= threshold;
            case ">" -> value > threshold;
            case "<=" -> value <= threshold;
            default -> value < threshold;
        };
    }
}
