package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MonitorWindowTest {
    @Test
    void parse_countOrDurationPastALong_isInvalidSpecNotNumberFormatException() {
        for (String window : new String[] {"99999999999 predictions", "99999999999999999999s", "9999999999999999d"}) {
            assertThatThrownBy(() -> MonitorWindow.parse(window))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC);
                        assertThat(e.getMessage()).contains("monitor field 'window'").contains(window.substring(0, 10));
                    });
        }
    }

    @Test
    void parse_windowLongerThanTenYears_isRefusedNamingTheLimit() {
        assertThat(MonitorWindow.parse("3660d")).isEqualTo(new MonitorWindow.Time(Duration.ofDays(3660)));

        assertThatThrownBy(() -> MonitorWindow.parse("3661d"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.getMessage()).contains("at most 3660 days"));
        assertThatThrownBy(() -> MonitorWindow.parse("9223372036854775807s"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC));
    }
}
