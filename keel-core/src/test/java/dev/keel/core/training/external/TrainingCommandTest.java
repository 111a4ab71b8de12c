package dev.keel.core.training.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainingCommandTest {
    private static final List<String> PYTHON = List.of("/usr/bin/python3", "/opt/train.py");

    @ParameterizedTest
    @ValueSource(strings = {"a", "sklearn-forest", "0-r2", "a23456789012345678901234567890123456789012345678901234567890123"})
    void constructor_acceptsNames(String name) {
        assertThat(new TrainingCommand(name, PYTHON, Duration.ofMinutes(10), 0, 1024).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-forest", "Forest", "forest_2", "forest 2", "../x", "a234567890123456789012345678901234567890123456789012345678901234"})
    void constructor_refusesNames(String name) {
        assertThatThrownBy(() -> new TrainingCommand(name, PYTHON, Duration.ofMinutes(10), 0, 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + name + "'").hasMessageContaining("[a-z0-9]");
    }

    @Test
    void constructor_refusesAnEmptyCommandAndAnEmptyProgram() {
        assertThatThrownBy(() -> new TrainingCommand("x", List.of(), Duration.ofMinutes(1), 0, 1024)).hasMessageContaining("empty command");
        assertThatThrownBy(() -> new TrainingCommand("x", List.of(" "), Duration.ofMinutes(1), 0, 1024)).hasMessageContaining("program");
    }

    @Test
    void constructor_refusesARelativeProgramPathButTakesABareName() {
        assertThatThrownBy(() -> new TrainingCommand("x", List.of("examples/retraining/train_forest.py"), Duration.ofMinutes(1), 0, 1024))
                .hasMessageContaining("relative path").hasMessageContaining("absolute");
        assertThat(new TrainingCommand("x", List.of("python3", "/opt/train.py"), Duration.ofMinutes(1), 0, 1024).command())
                .containsExactly("python3", "/opt/train.py");
    }

    @Test
    void constructor_refusesNulCharacters() {
        assertThatThrownBy(() -> new TrainingCommand("x", List.of("/bin/echo", "a\0b"), Duration.ofMinutes(1), 0, 1024))
                .hasMessageContaining("argument 1 contains a NUL");
    }

    @Test
    void constructor_timeoutMustBePositiveAndAtMostADay() {
        assertThat(new TrainingCommand("x", PYTHON, Duration.ofHours(24), 0, 1).timeout()).isEqualTo(Duration.ofHours(24));
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofHours(24).plusNanos(1))) {
            assertThatThrownBy(() -> new TrainingCommand("x", PYTHON, bad, 0, 1024)).hasMessageContaining("timeout").hasMessageContaining(bad.toString());
        }
    }

    @Test
    void constructor_limits() {
        assertThatThrownBy(() -> new TrainingCommand("x", PYTHON, Duration.ofMinutes(1), -1, 1024)).hasMessageContaining("memory limit");
        assertThatThrownBy(() -> new TrainingCommand("x", PYTHON, Duration.ofMinutes(1), 0, 0)).hasMessageContaining("log limit");
    }

    @Test
    void constructor_copiesTheCommand() {
        List<String> command = new ArrayList<>(PYTHON);
        TrainingCommand declared = new TrainingCommand("x", command, Duration.ofMinutes(1), 0, 1024);
        command.add("--extra");

        assertThat(declared.command()).isEqualTo(PYTHON);
    }
}
