package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The data a monitor looks at each time: the predictions of the last period, or the last N predictions. */
public sealed interface MonitorWindow permits MonitorWindow.Time, MonitorWindow.Count {
    Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    Pattern COUNT = Pattern.compile("(\\d+)\\s*(predictions?|rows?)");
    /** The longest time window: ten years, far past any retention, and far from the overflow of an instant's arithmetic. */
    Duration MAX_TIME = Duration.ofDays(3660);

    /** The predictions made in the last {@code length}. */
    record Time(Duration length) implements MonitorWindow {
        public Time {
            if (length.isZero() || length.isNegative()) {
                throw new KeelException(ErrorCode.INVALID_SPEC, "monitor window is " + length + "; expected a positive duration");
            }
            if (length.compareTo(MAX_TIME) > 0) {
                throw new KeelException(ErrorCode.INVALID_SPEC, "monitor window is " + length.toDays() + " days; expected at most "
                        + MAX_TIME.toDays() + " days");
            }
        }

        @Override
        public String text() {
            long seconds = length.toSeconds();
            if (seconds % 86_400 == 0) {
                return seconds / 86_400 + "d";
            }
            if (seconds % 3600 == 0) {
                return seconds / 3600 + "h";
            }
            return seconds % 60 == 0 ? seconds / 60 + "m" : length.toMillis() + "ms";
        }
    }

    /** The last {@code size} predictions. */
    record Count(int size) implements MonitorWindow {
        public Count {
            if (size < 1) {
                throw new KeelException(ErrorCode.INVALID_SPEC, "monitor window is " + size + " predictions; expected at least 1");
            }
        }

        @Override
        public String text() {
            return size + " predictions";
        }
    }

    /** The window as written in a spec: {@code 1h}, {@code 30m}, {@code 7d} or {@code 500 predictions}. */
    String text();

    static MonitorWindow parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher count = COUNT.matcher(value);
        Matcher duration = DURATION.matcher(value);
        try {
            if (count.matches()) {
                return new Count(Integer.parseInt(count.group(1)));
            }
            if (duration.matches()) {
                long amount = Long.parseLong(duration.group(1));
                return new Time(switch (duration.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                });
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new KeelException(ErrorCode.INVALID_SPEC, "monitor field 'window' is '" + (value.length() > 60 ? value.substring(0, 60) + "..." : value)
                    + "'; expected a duration that fits in a long count of seconds, or a count of at most " + Integer.MAX_VALUE + " predictions");
        }
        throw new KeelException(ErrorCode.INVALID_SPEC, "monitor field 'window' is '" + text
                + "'; expected a duration such as 1h, 30m, 7d or a count such as '500 predictions'");
    }
}
