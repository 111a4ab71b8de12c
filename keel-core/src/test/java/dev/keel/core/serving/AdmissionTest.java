package dev.keel.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    @Test
    void beyondTheSlotsAndTheQueue_aRequestIsRefusedAtOnceNamingTheLimits() {
        Admission admission = new Admission("endpoint 'busy'", 1, 0, 1_000);
        admission.enter(System.nanoTime() + 1_000_000_000L);

        assertThatThrownBy(() -> admission.enter(System.nanoTime() + 1_000_000_000L))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
                    assertThat(e.getMessage()).contains("endpoint 'busy'", "all 1 slots and 0 queue places");
                });

        admission.exit();
        admission.enter(System.nanoTime() + 1_000_000_000L);
        admission.exit();
    }

    @Test
    void aQueuedRequestWhoseDeadlineHasPassed_isRefusedAndLeavesItsPlace() {
        Admission admission = new Admission("model 'churn'", 1, 1, 5);
        admission.enter(System.nanoTime() + 1_000_000_000L);

        assertThatThrownBy(() -> admission.enter(System.nanoTime())).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.getMessage()).contains("no scoring slot became free within 5 ms"));
        assertThatThrownBy(() -> admission.enter(System.nanoTime())).as("the queue place was given back")
                .hasMessageContaining("no scoring slot");
    }
}
