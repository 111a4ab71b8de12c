package dev.keel.core.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.spi.DataType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;

/** Converts one JSON value to a tensor element of a type, checking it against the feature's declared type and range. */
final class Cells {
    private static final BigInteger UNSIGNED_64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Cells() {
    }

    /** A value that cannot be used; the message says what was expected. */
    static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The element for {@code node}: a Number, Boolean or String ready for {@link TensorValues#store}.
     *
     * @param finiteOnly refuse NaN and infinities
     */
    static Object convert(JsonNode node, DataType type, Optional<FeatureSpec> feature, boolean finiteOnly) throws BadValue {
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new BadValue("missing; expected " + expected(type, feature));
        }
        try {
            return convertPresent(node, type, feature, finiteOnly);
        } catch (BadValue e) {
            if (feature.isPresent() && feature.get().sensitive()) {
                throw new BadValue(withheld(feature.get(), expected(type, feature)));
            }
            throw e;
        }
    }

    /**
     * What is said of a bad value of a sensitive feature: what was expected, never the value, which an error answer, a log line or a
     * failure record would otherwise carry.
     */
    static String withheld(FeatureSpec feature, String expected) {
        StringBuilder text = new StringBuilder("the value is not valid (not shown: feature '" + feature.name() + "' is sensitive); expected ")
                .append(expected);
        feature.min().ifPresent(min -> text.append(", at least ").append(format(min)));
        feature.max().ifPresent(max -> text.append(", at most ").append(format(max)));
        if (!feature.allowed().isEmpty()) {
            text.append(", one of its ").append(feature.allowed().size()).append(" allowed values");
        }
        return text.toString();
    }

    private static Object convertPresent(JsonNode node, DataType type, Optional<FeatureSpec> feature, boolean finiteOnly) throws BadValue {
        Object value = switch (type) {
            case BOOL -> bool(node, feature);
            case BYTES -> {
                if (!node.isTextual()) {
                    throw new BadValue("expected a string, got " + show(node));
                }
                yield node.textValue();
            }
            case FP16, FP32, FP64 -> number(node, type, feature, finiteOnly);
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64 -> integer(node, type, feature);
        };
        if (feature.isPresent()) {
            check(value, feature.get());
        }
        return value;
    }

    private static Object bool(JsonNode node, Optional<FeatureSpec> feature) throws BadValue {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        throw new BadValue("expected true or false, got " + show(node));
    }

    private static Object number(JsonNode node, DataType type, Optional<FeatureSpec> feature, boolean finiteOnly) throws BadValue {
        if (node.isBoolean() && feature.map(spec -> spec.type().equals("boolean")).orElse(false)) {
            return node.booleanValue() ? 1.0 : 0.0;
        }
        if (!node.isNumber()) {
            throw new BadValue("expected " + expected(type, feature) + ", got " + show(node));
        }
        double value = node.doubleValue();
        if (finiteOnly && !Double.isFinite(value)) {
            throw new BadValue(value + " is not allowed; expected a finite number");
        }
        if (type == DataType.FP32 && Double.isFinite(value) && Math.abs(value) > Float.MAX_VALUE) {
            throw new BadValue(node.asText() + " does not fit a 32-bit float");
        }
        return value;
    }

    private static Object integer(JsonNode node, DataType type, Optional<FeatureSpec> feature) throws BadValue {
        if (node.isBoolean() && feature.map(spec -> spec.type().equals("boolean")).orElse(false)) {
            return node.booleanValue() ? 1L : 0L;
        }
        if (!node.isNumber()) {
            throw new BadValue("expected " + expected(type, feature) + ", got " + show(node));
        }
        BigInteger value;
        if (node.isIntegralNumber()) {
            value = node.bigIntegerValue();
        } else if (!node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
            // a double NaN or infinity has no decimal value (Jackson's decimalValue() throws NumberFormatException)
            throw new BadValue("expected an integer, got " + node.asText());
        } else {
            BigDecimal decimal = node.decimalValue();
            try {
                value = decimal.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw new BadValue("expected an integer, got " + node.asText());
            }
        }
        BigInteger min = switch (type) {
            case INT8 -> BigInteger.valueOf(Byte.MIN_VALUE);
            case INT16 -> BigInteger.valueOf(Short.MIN_VALUE);
            case INT32 -> BigInteger.valueOf(Integer.MIN_VALUE);
            case INT64 -> BigInteger.valueOf(Long.MIN_VALUE);
            default -> BigInteger.ZERO;
        };
        BigInteger max = switch (type) {
            case INT8 -> BigInteger.valueOf(Byte.MAX_VALUE);
            case INT16 -> BigInteger.valueOf(Short.MAX_VALUE);
            case INT32 -> BigInteger.valueOf(Integer.MAX_VALUE);
            case INT64 -> BigInteger.valueOf(Long.MAX_VALUE);
            case UINT8 -> BigInteger.valueOf(255);
            case UINT16 -> BigInteger.valueOf(65_535);
            case UINT32 -> BigInteger.valueOf(4_294_967_295L);
            default -> UNSIGNED_64;
        };
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new BadValue(value + " is out of range for " + type + " (" + min + " to " + max + ")");
        }
        return value.longValue();
    }

    /** Checks a converted value against the feature's type, range and allowed values. */
    static void check(Object value, FeatureSpec feature) throws BadValue {
        if (value instanceof String text) {
            if (!feature.allowed().isEmpty() && !feature.allowed().contains(text)) {
                throw new BadValue(feature.sensitive() ? withheld(feature, "a string")
                        : "'" + text + "' is not one of the allowed values " + feature.allowed());
            }
            return;
        }
        if (value instanceof Number number) {
            String problem = problem(number.doubleValue(), feature);
            if (problem != null) {
                throw new BadValue(problem);
            }
        }
    }

    /** What is wrong with a number as a value of the feature, or null when nothing is; without the number for a sensitive feature. */
    static String problem(double x, FeatureSpec feature) {
        String problem = shownProblem(x, feature);
        return problem == null || !feature.sensitive() ? problem : withheld(feature, feature.type().equals("integer") ? "an integer"
                : "a number");
    }

    private static String shownProblem(double x, FeatureSpec feature) {
        if (Double.isNaN(x)) {
            return "NaN is not allowed; expected a number";
        }
        if (feature.type().equals("integer") && x != Math.rint(x)) {
            return "expected an integer, got " + x;
        }
        if (feature.min().isPresent() && x < feature.min().get()) {
            return format(x) + " is below the minimum " + format(feature.min().get());
        }
        if (feature.max().isPresent() && x > feature.max().get()) {
            return format(x) + " is above the maximum " + format(feature.max().get());
        }
        return null;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static String expected(DataType type, Optional<FeatureSpec> feature) {
        if (feature.isPresent() && feature.get().type().equals("boolean")) {
            return "true or false";
        }
        return switch (type) {
            case BOOL -> "true or false";
            case BYTES -> "a string";
            case FP16, FP32, FP64 -> "a number";
            default -> "an integer (" + type.name().toLowerCase(Locale.ROOT) + ")";
        };
    }

    static String show(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        }
        if (node.isContainerNode()) {
            return node.isArray() ? "an array" : "an object";
        }
        return node.toString();
    }
}
