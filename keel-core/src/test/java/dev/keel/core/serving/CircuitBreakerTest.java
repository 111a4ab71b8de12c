package dev.keel.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.testing.TestingClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private final TestingClock clock = new TestingClock();
    private final CircuitBreaker breaker = new CircuitBreaker(new BreakerSettings(3, 0.5, 10, Duration.ofSeconds(30)), clock);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.failed("error: boom " + i);
        }
    }

    private void succeed(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.succeeded();
        }
    }

    @Test
    void consecutiveFailures_openItAndItRefusesUntilTheCoolDownHasPassed() {
        fail(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);

        fail(1);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.view()).containsEntry("state", "open").containsEntry("lastFailure", "error: boom 0").containsEntry("timesOpened", 1L);
    }

    @Test
    void aSuccessBetweenFailures_resetsTheRun() {
        fail(2);
        succeed(1);
        fail(2);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void failureRateOverTheWindow_opensItWithoutARun() {
        for (int i = 0; i < 4; i++) {
            succeed(1);
            fail(1);
        }
        succeed(1);
        assertThat(breaker.state()).as("9 calls: the window is not full yet").isEqualTo(CircuitBreaker.State.CLOSED);

        fail(1);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void failureRateBelowTheThreshold_keepsItClosedAsOldOutcomesLeaveTheWindow() {
        for (int i = 0; i < 30; i++) {
            if (i % 3 == 0) {
                fail(1);
            } else {
                succeed(1);
            }
        }

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.view()).containsEntry("recentCalls", 10);
    }

    @Test
    void afterTheCoolDown_oneProbeGoesThroughAndItsSuccessClosesIt() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire()).as("the probe").isTrue();
        assertThat(breaker.tryAcquire()).as("a second call while the probe runs").isFalse();
        breaker.succeeded();

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void aFailedProbe_opensItForAnotherCoolDown() {
        fail(3);
        clock.advance(Duration.ofSeconds(31));
        assertThat(breaker.tryAcquire()).isTrue();

        breaker.failed("timeout: too slow");

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.view()).containsEntry("timesOpened", 2L);
    }

    @Test
    void aProbeThatEndsWithoutAnOutcome_letsTheNextCallProbe() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        assertThat(breaker.tryAcquire()).isTrue();

        breaker.released();

        assertThat(breaker.tryAcquire()).isTrue();
    }
}
