package dev.keel.core.training.eval;

import java.math.BigDecimal;
import java.util.Locale;

/** How checks write numbers: three decimals, more when two different values would otherwise print alike. */
final class Numbers {
    private Numbers() {
    }

    static String format(double value) {
        return format(value, 3);
    }

    static String format(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        double magnitude = Math.abs(value);
        if (magnitude != 0 && (magnitude < Math.pow(10, -decimals) || magnitude >= 1e9)) {
            return String.format(Locale.ROOT, "%." + decimals + "g", value);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** The fewest decimals (at least three) that tell the values apart, or three when they are equal. */
    static int decimals(double... values) {
        for (int decimals = 3; decimals < 17; decimals++) {
            if (distinct(decimals, values)) {
                return decimals;
            }
        }
        return 17;
    }

    private static boolean distinct(int decimals, double... values) {
        for (int i = 0; i < values.length; i++) {
            for (int j = i + 1; j < values.length; j++) {
                if (values[i] != values[j] && format(values[i], decimals).equals(format(values[j], decimals))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A constant as the user would write it: 0.01, 1.02, 100. */
    static String constant(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    static String integer(double value) {
        return String.format(Locale.ROOT, "%d", (long) value);
    }
}
