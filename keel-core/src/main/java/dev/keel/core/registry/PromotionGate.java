package dev.keel.core.registry;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric thresholds a version must meet before an alias may point at it.
 *
 * @param aliases the aliases the gate guards; empty guards every alias
 */
public record PromotionGate(List<Threshold> thresholds, List<String> aliases) {
    public PromotionGate {
        thresholds = List.copyOf(Objects.requireNonNullElse(thresholds, List.of()));
        aliases = List.copyOf(Objects.requireNonNullElse(aliases, List.of()));
    }

    public static PromotionGate open() {
        return new PromotionGate(List.of(), List.of());
    }

    /** Parses thresholds written as {@code auc >= 0.75}. */
    public static PromotionGate parse(List<String> expressions, List<String> aliases) {
        return new PromotionGate(expressions.stream().map(Threshold::parse).toList(), aliases);
    }

    /** True when the gate applies to moves of this alias. */
    public boolean guards(String alias) {
        return aliases.isEmpty() || aliases.contains(alias);
    }

    /** Fails with GATE_FAILED naming each threshold missed and by how much. */
    public void check(String model, int version, Map<String, Double> metrics) {
        List<KeelException.FieldError> failures = new ArrayList<>();
        for (Threshold threshold : thresholds) {
            Double value = metrics.get(threshold.metric());
            if (value == null) {
                failures.add(new KeelException.FieldError("metrics." + threshold.metric(),
                        "version " + version + " has no metric '" + threshold.metric() + "', needed by gate " + threshold));
            } else if (!threshold.passes(value)) {
                failures.add(new KeelException.FieldError("metrics." + threshold.metric(), String.format(Locale.ROOT,
                        "%s is %s but the gate needs %s (misses by %.6g)", threshold.metric(), value, threshold, threshold.shortfall(value))));
            }
        }
        if (!failures.isEmpty()) {
            throw new KeelException(ErrorCode.GATE_FAILED, "version " + version + " of model '" + model + "' fails its promotion gate: "
                    + String.join("; ", failures.stream().map(KeelException.FieldError::message).toList()), failures);
        }
    }

    /** One {@code metric op value} condition. */
    public record Threshold(String metric, String operator, double value) {
        private static final Pattern FORM = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*(>=|<=|>|<)\\s*(-?[0-9.]+(?:[eE][-+]?\\d+)?)\\s*");

        public Threshold {
            Objects.requireNonNull(metric, "metric");
            KeelException.requireArgument(List.of(">=", "<=", ">", "<").contains(operator),
                    "gate operator must be one of >=, <=, >, < ; got '%s'", operator);
            KeelException.requireArgument(Double.isFinite(value), "gate value must be a finite number, got %s", value);
        }

        public static Threshold parse(String expression) {
            Matcher matcher = FORM.matcher(Objects.requireNonNullElse(expression, ""));
            if (!matcher.matches()) {
                throw KeelException.badRequest("gate threshold '" + expression + "' must look like 'auc >= 0.75' (metric, one of >= <= > <, number)");
            }
            return new Threshold(matcher.group(1), matcher.group(2), Double.parseDouble(matcher.group(3)));
        }

        boolean passes(double actual) {
            return switch (operator) {
                case ">=" -> actual >= value;
                case "<=" -> actual <= value;
                case ">" -> actual > value;
                default -> actual < value;
            };
        }

        double shortfall(double actual) {
            return Math.abs(actual - value);
        }

        @Override
        public String toString() {
            return metric + " " + operator + " " + value;
        }
    }
}
