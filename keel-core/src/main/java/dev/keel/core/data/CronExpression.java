package dev.keel.core.data;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A standard five-field cron expression (minute, hour, day of month, month, day of week) with lists, ranges, steps,
 * month and day names, and the macros {@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly}, {@code @yearly}.
 * As in cron, when both day fields are restricted a day matches either.
 */
public final class CronExpression {
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
            "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronExpression(String text, String[] fields) {
        this.text = text;
        this.minutes = field(fields[0], "minute", 0, 59, List.of());
        this.hours = field(fields[1], "hour", 0, 23, List.of());
        this.daysOfMonth = field(fields[2], "day of month", 1, 31, List.of());
        this.months = field(fields[3], "month", 1, 12, MONTHS);
        BitSet dow = field(fields[4], "day of week", 0, 7, DAYS);
        if (dow.get(7)) {
            dow.set(0);
        }
        this.daysOfWeek = dow;
        this.dayOfMonthRestricted = !fields[2].equals("*") && !fields[2].equals("?");
        this.dayOfWeekRestricted = !fields[4].equals("*") && !fields[4].equals("?");
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException naming the field and the value when the expression is invalid
     */
    public static CronExpression parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String trimmed = expression.trim();
        String expanded = MACROS.getOrDefault(trimmed.toLowerCase(Locale.ROOT), trimmed);
        String[] fields = expanded.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("cron expression '" + expression + "' has " + fields.length
                    + " fields; expected 5 (minute hour day-of-month month day-of-week) or a macro such as @daily");
        }
        return new CronExpression(trimmed, fields);
    }

    /** The expression as written. */
    public String text() {
        return text;
    }

    /** The first time strictly after {@code after} that matches, to the minute; empty if none within five years. */
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        ZonedDateTime time = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = after.plusYears(5);
        while (time.isBefore(limit)) {
            if (!months.get(time.getMonthValue())) {
                time = time.plusMonths(1).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
            } else if (!dayMatches(time)) {
                time = time.plusDays(1).truncatedTo(ChronoUnit.DAYS);
            } else if (!hours.get(time.getHour())) {
                time = time.plusHours(1).truncatedTo(ChronoUnit.HOURS);
            } else if (!minutes.get(time.getMinute())) {
                time = time.plusMinutes(1);
            } else {
                return Optional.of(time);
            }
        }
        return Optional.empty();
    }

    private boolean dayMatches(ZonedDateTime time) {
        boolean dom = daysOfMonth.get(time.getDayOfMonth());
        boolean dow = daysOfWeek.get(time.getDayOfWeek().getValue() % 7);
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    private static BitSet field(String text, String name, int min, int max, List<String> names) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",")) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, text, 1, max, List.of());
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", 2);
                from = number(ends[0], name, text, min, max, names);
                to = number(ends[1], name, text, min, max, names);
                if (from > to) {
                    throw new IllegalArgumentException("cron " + name + " range '" + range + "' runs backwards");
                }
            } else {
                from = number(range, name, text, min, max, names);
                to = slash >= 0 ? max : from;
            }
            for (int value = from; value <= to; value += step) {
                bits.set(value);
            }
        }
        return bits;
    }

    private static int number(String token, String name, String field, int min, int max, List<String> names) {
        int index = names.indexOf(token.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return index + (names.size() == 12 ? 1 : 0);
        }
        try {
            int value = Integer.parseInt(token);
            if (value < min || value > max) {
                throw new IllegalArgumentException("cron " + name + " value " + value + " in '" + field + "' is outside "
                        + min + "-" + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cron " + name + " field '" + field + "' has '" + token + "'; expected a number "
                    + min + "-" + max + (names.isEmpty() ? "" : " or a name such as " + names.get(0)), e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CronExpression cron && cron.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
