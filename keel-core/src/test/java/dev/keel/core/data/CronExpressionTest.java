package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
    private static final ZonedDateTime START = ZonedDateTime.of(2026, 11, 26, 10, 17, 30, 0, ZoneOffset.UTC);

    @Test
    void next_everyFifteenMinutes_firesAtTheNextQuarter() {
        assertThat(CronExpression.parse("*/15 * * * *").next(START)).contains(START.withMinute(30).withSecond(0));
    }

    @Test
    void next_daily_firesAtMidnightTomorrow() {
        assertThat(CronExpression.parse("@daily").next(START))
                .contains(ZonedDateTime.of(2026, 11, 27, 0, 0, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void next_weekdayNames_skipToMonday() {
        // 2026-11-26 is a Thursday; the next Monday is 2026-11-30.
        assertThat(CronExpression.parse("30 2 * * MON").next(START))
                .contains(ZonedDateTime.of(2026, 11, 30, 2, 30, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void next_bothDayFieldsRestricted_matchesEither() {
        // Day 1 of the month or any Friday: Friday 2026-11-27 comes before 2026-12-01.
        assertThat(CronExpression.parse("0 6 1 * FRI").next(START))
                .contains(ZonedDateTime.of(2026, 11, 27, 6, 0, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void next_februaryThirtieth_neverFires() {
        assertThat(CronExpression.parse("0 0 30 2 *").next(START)).isEmpty();
    }

    @Test
    void next_rangesAndListsInMonths_jumpToNextAllowedMonth() {
        assertThat(CronExpression.parse("0 9 1 JAN,MAR-APR *").next(START))
                .contains(ZonedDateTime.of(2027, 1, 1, 9, 0, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void parse_rejectsOutOfRangeValuesNamingTheField() {
        assertThatThrownBy(() -> CronExpression.parse("61 * * * *")).hasMessageContaining("minute").hasMessageContaining("61");
        assertThatThrownBy(() -> CronExpression.parse("* * *")).hasMessageContaining("3 fields");
        assertThatThrownBy(() -> CronExpression.parse("0 0 * FOO *")).hasMessageContaining("month").hasMessageContaining("FOO");
    }
}
