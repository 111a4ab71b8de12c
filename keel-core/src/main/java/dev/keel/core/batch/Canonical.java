package dev.keel.core.batch;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Watermark values as canonical text (see {@link ScoringInputs.Watermark}): integers and decimals as Java prints them, dates as
 * ISO-8601, time stamps as ISO-8601 instants in UTC (a time stamp without a zone is read as UTC), strings as they are.
 */
final class Canonical {
    private Canonical() {
    }

    /** The canonical text of a value read from an input; the value is one the input's cursor gives, or a JDBC value. */
    static String text(Object value) {
        return switch (value) {
            case Long number -> number.toString();
            case Integer number -> number.toString();
            case Short number -> number.toString();
            case Byte number -> number.toString();
            case BigInteger number -> number.toString();
            case BigDecimal number -> number.toPlainString();
            case Double number -> number.toString();
            case Float number -> Double.toString(number.doubleValue());
            case LocalDate date -> date.toString();
            case LocalDateTime time -> time.toInstant(ZoneOffset.UTC).toString();
            case OffsetDateTime time -> time.toInstant().toString();
            case Instant time -> time.toString();
            default -> value.toString();
        };
    }

    /** Microseconds since the epoch of a canonical time stamp. */
    static long epochMicros(String text) {
        Instant instant = instant(text);
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** The instant of canonical time stamp text. */
    static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new dev.keel.core.error.KeelException(dev.keel.core.error.ErrorCode.INVALID_REQUEST, "watermark bound '" + text
                    + "' is not an ISO-8601 time stamp in UTC such as 2024-05-01T10:15:30Z");
        }
    }

    /** The instant of a number of microseconds since the epoch. */
    static Instant fromEpochMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
