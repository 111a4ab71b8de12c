package dev.keel.core.training.external;

import static dev.keel.core.training.external.TestingScripts.GENEROUS;
import static dev.keel.core.training.external.TestingScripts.GOOD_METRICS;
import static dev.keel.core.training.external.TestingScripts.MINIMAL_ONNX_PRINTF;
import static dev.keel.core.training.external.TestingScripts.command;
import static dev.keel.core.training.external.TestingScripts.smallData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.training.external.TrainerFailure.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a run leaves behind is hostile: each unfit model or metrics file is refused with the kind and a sentence saying why. */
class CommandTrainerOutputsTest {
    @TempDir
    Path temp;

    static Stream<Arguments> unfitModels() {
        return Stream.of(
                Arguments.of("a symbolic link to /etc/passwd", "ln -s /etc/passwd \"$KEEL_MODEL_OUT\"", "is a symbolic link"),
                Arguments.of("a directory", "mkdir \"$KEEL_MODEL_OUT\"", "is a directory"),
                Arguments.of("a FIFO", "mkfifo \"$KEEL_MODEL_OUT\"", "not a regular file"),
                Arguments.of("empty", ": > \"$KEEL_MODEL_OUT\"", "is empty"),
                Arguments.of("larger than the cap (sparse)", "truncate -s 600M \"$KEEL_MODEL_OUT\"", "at most " + CommandTrainer.MAX_MODEL_BYTES),
                Arguments.of("text", "echo 'this is not a model' > \"$KEEL_MODEL_OUT\"", "is not an ONNX model"),
                Arguments.of("a cut-off ONNX file", "printf '\\x08\\x08\\x3a\\x10abc' > \"$KEEL_MODEL_OUT\"", "claims more bytes than the file has"));
    }

    @ParameterizedTest(name = "model file {0}")
    @MethodSource("unfitModels")
    void train_unfitModelFile_isBadModelFile(String description, String writeModel, String messagePart) {
        assertFailure(writeModel + "\n" + GOOD_METRICS, Kind.BAD_MODEL_FILE, messagePart);
    }

    static Stream<Arguments> unfitMetrics() {
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i <= RunOutputs.MAX_METRICS; i++) {
            many.append(i == 0 ? "" : ", ").append("\"m").append(i).append("\": ").append(i);
        }
        many.append('}');
        return Stream.of(
                Arguments.of("missing", "true", "wrote no metrics.json"),
                Arguments.of("NaN", "echo '{\"accuracy\": NaN}'", "not valid JSON"),
                Arguments.of("Infinity by overflow", "echo '{\"accuracy\": 1e999}'", "must be a finite number"),
                Arguments.of("an array", "echo '[0.9, 0.8]'", "found array"),
                Arguments.of("a number", "echo '0.9'", "found number"),
                Arguments.of("too many entries", "echo '" + many + "'", "has 101 metrics; at most 100"),
                Arguments.of("an upper-case name", "echo '{\"Accuracy\": 0.9}'", "metric name 'Accuracy' is not allowed"),
                Arguments.of("an empty name", "echo '{\"\": 0.9}'", "metric name '' is not allowed"),
                Arguments.of("a name of 65 characters", "echo '{\"" + "a".repeat(65) + "\": 0.9}'", "is not allowed"),
                Arguments.of("a string value", "echo '{\"accuracy\": \"0.9\"}'", "must be a finite number; found \"0.9\""),
                Arguments.of("a nested object", "echo '{\"accuracy\": {\"value\": 0.9}}'", "must be a finite number"),
                Arguments.of("a duplicate name", "echo '{\"auc\": 0.9, \"auc\": 0.1}'", "not valid JSON"),
                Arguments.of("trailing text", "echo '{\"auc\": 0.9} {}'", "not valid JSON"),
                Arguments.of("larger than 1 MiB", "printf '{\"auc\": 0.9%01048576d}' 0", "at most 1048576"),
                Arguments.of("a symbolic link", "echo '{\"auc\": 0.9}' > real.json; ln -s real.json", "is a symbolic link"));
    }

    @ParameterizedTest(name = "metrics {0}")
    @MethodSource("unfitMetrics")
    void train_unfitMetricsFile_isBadMetrics(String description, String writeMetrics, String messagePart) {
        String body = MINIMAL_ONNX_PRINTF + "\n" + (writeMetrics.endsWith("ln -s real.json") ? writeMetrics + " \"$KEEL_METRICS_OUT\""
                : writeMetrics.equals("true") ? "true" : writeMetrics + " > \"$KEEL_METRICS_OUT\"");
        assertFailure(body, Kind.BAD_METRICS, messagePart);
    }

    @ParameterizedTest(name = "metrics {0}")
    @MethodSource("fitMetrics")
    void train_fitMetricsFile_isRead(String description, String json, Map<String, Double> expected) throws Exception {
        Path script = new TestingScripts(Files.createDirectories(temp.resolve("scripts")))
                .bash("ok.sh", MINIMAL_ONNX_PRINTF + "\necho '" + json + "' > \"$KEEL_METRICS_OUT\"");

        assertThat(new CommandTrainer(command(script, GENEROUS), temp.resolve("work")).train(smallData(), Map.of()).metrics()).isEqualTo(expected);
    }

    static Stream<Arguments> fitMetrics() {
        return Stream.of(
                Arguments.of("empty", "{}", Map.of()),
                Arguments.of("integers and exponents", "{\"rows\": 120, \"log_loss\": 2.5e-1, \"f1.macro\": -0.0}",
                        Map.of("rows", 120.0, "log_loss", 0.25, "f1.macro", -0.0)),
                Arguments.of("names of 64 characters", "{\"" + "a".repeat(64) + "\": 1}", Map.of("a".repeat(64), 1.0)));
    }

    private void assertFailure(String body, Kind kind, String messagePart) {
        Path script;
        try {
            script = new TestingScripts(Files.createDirectories(temp.resolve("scripts"))).bash("run.sh", body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThatThrownBy(() -> new CommandTrainer(command(script, GENEROUS), temp.resolve("work")).train(smallData(), Map.of()))
                .isInstanceOfSatisfying(TrainerFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(kind);
                    assertThat(failure.getMessage()).contains(messagePart);
                });
    }
}
