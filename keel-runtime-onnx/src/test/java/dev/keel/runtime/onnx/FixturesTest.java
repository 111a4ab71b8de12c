package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** An absent optional fixture skips a test on a developer's machine and fails it under CI. */
class FixturesTest {
    @Test
    void anAbsentFixture_skipsLocally_andFailsUnderCi() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));

        assertThatThrownBy(() -> Fixtures.require("no-such-model.onnx", "it never exists"))
                .isInstanceOf(ci ? AssertionFailedError.class : TestAbortedException.class)
                .hasMessageContaining("no-such-model.onnx is absent; it never exists");
    }
}
