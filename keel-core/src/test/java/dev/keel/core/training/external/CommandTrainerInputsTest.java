package dev.keel.core.training.external;

import static dev.keel.core.training.external.TestingScripts.GENEROUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.spi.Trainer.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a run starts with, read back by an independent reader: Python's csv and json modules, in a script that copies
 * what it parsed out of the run directory.
 */
class CommandTrainerInputsTest {
    private static final double[] AWKWARD = {0.1, 1.0 / 3, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e-310, 123456789.123456789, -2.5e-8,
        Math.PI, 1e22, 9007199254740993.0, Math.nextUp(1.0)};

    @TempDir
    Path temp;
    private Path out;
    private Path script;

    @BeforeEach
    void setUp() throws Exception {
        TestingScripts scripts = new TestingScripts(Files.createDirectory(temp.resolve("scripts")));
        out = temp.resolve("parsed.json");
        script = scripts.python("read.py", """
                import csv, json, os
                with open(os.environ["KEEL_INPUT"], encoding="utf-8") as handle:
                    spec = json.load(handle)
                with open(os.environ["KEEL_TRAIN_CSV"], encoding="utf-8", newline="") as handle:
                    rows = list(csv.reader(handle, strict=True))
                header, body = rows[0], rows[1:]
                values = [[repr(float(v)) for v in row[:-1]] for row in body]
                with open("%s", "w", encoding="utf-8") as handle:
                    json.dump({"spec": spec, "header": header, "values": values, "labels": [row[-1] for row in body],
                               "raw_csv_starts": open(os.environ["KEEL_TRAIN_CSV"], "rb").read(60).decode("latin-1")}, handle)
                """.formatted(out));
    }

    @Test
    void train_csv_roundTripsDoublesExactlyAndQuotesNamesAndLabels() throws Exception {
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < AWKWARD.length; i++) {
            rows.add(new double[] {AWKWARD[i], -AWKWARD[AWKWARD.length - 1 - i], i});
            labels.add(i % 2 == 0 ? "good, really" : "said \"bad\"\non two lines");
        }
        TrainingData data = new TrainingData(List.of("income, monthly", "the \"score\"", "plain"), rows, labels, 0.2, 7);

        JsonNode parsed = run(data, Map.of("n_estimators", "5", "max_depth", "3"));

        assertThat(texts(parsed.get("header"))).containsExactly("income, monthly", "the \"score\"", "plain", "label");
        assertThat(texts(parsed.get("labels"))).isEqualTo(labels);
        for (int row = 0; row < rows.size(); row++) {
            List<String> values = texts(parsed.get("values").get(row));
            for (int column = 0; column < 3; column++) {
                double back = Double.parseDouble(values.get(column));
                assertThat(Double.doubleToRawLongBits(back)).as("row %d column %d: %s", row, column, values.get(column))
                        .isEqualTo(Double.doubleToRawLongBits(rows.get(row)[column]));
            }
        }
        assertThat(parsed.get("raw_csv_starts").asText()).startsWith("\"income, monthly\",\"the \"\"score\"\"\",plain,label\r\n");
    }

    @Test
    void train_input_namesFeaturesSortedLabelsParametersAndFiles() throws Exception {
        TrainingData data = new TrainingData(List.of("b", "a"), List.of(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6}),
                List.of("zebra", "ant", "zebra"), 0.25, -9);

        JsonNode spec = run(data, Map.of("n_estimators", "50", "criterion", "gini")).get("spec");

        assertThat(texts(spec.get("features"))).containsExactly("b", "a");
        assertThat(texts(spec.get("labels"))).containsExactly("ant", "zebra");
        assertThat(spec.get("target").asText()).isEqualTo("label");
        assertThat(spec.get("parameters").properties()).extracting(Map.Entry::getKey).containsExactly("criterion", "n_estimators");
        assertThat(spec.get("parameters").get("n_estimators").asText()).isEqualTo("50");
        assertThat(spec.get("seed").asLong()).isEqualTo(-9);
        assertThat(spec.get("test_fraction").asDouble()).isEqualTo(0.25);
        assertThat(spec.get("train_csv").asText()).isEqualTo("train.csv");
        assertThat(spec.get("model_out").asText()).isEqualTo("model.onnx");
        assertThat(spec.get("metrics_out").asText()).isEqualTo("metrics.json");
    }

    @Test
    void train_regressionWithNumericLabels_announcesNoLabels() throws Exception {
        TrainingData data = new TrainingData(List.of("x"), List.of(new double[] {1}, new double[] {2}), List.of("1.5", "-3"), 0, 1);

        assertThat(run(data, Map.of("task", "regression")).get("spec").get("labels")).isEmpty();
    }

    @Test
    void train_regressionWithTextLabels_isRefused() {
        TrainingData data = new TrainingData(List.of("x"), List.of(new double[] {1}, new double[] {2}), List.of("1.5", "high"), 0, 1);

        assertThatThrownBy(() -> trainer().train(data, Map.of("task", "regression")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'high'");
    }

    @Test
    void train_duplicateFeatureNames_areRefused() {
        TrainingData data = new TrainingData(List.of("x", "x"), List.of(new double[] {1, 2}), List.of("a"), 0, 1);

        assertThatThrownBy(() -> trainer().train(data, Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x' appears twice");
    }

    @Test
    void train_rowOfWrongWidth_isRefused() {
        TrainingData data = new TrainingData(List.of("x", "y"), List.of(new double[] {1, 2}, new double[] {3}), List.of("a", "b"), 0, 1);

        assertThatThrownBy(() -> trainer().train(data, Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 features");
    }

    private CommandTrainer trainer() {
        return new CommandTrainer(new TrainingCommand("reader", List.of(script.toString()), GENEROUS, 0, 1 << 20), temp.resolve("work"));
    }

    /** Runs the reading script (which writes no model, so the run ends as NO_MODEL) and returns what it parsed. */
    private JsonNode run(TrainingData data, Map<String, String> parameters) throws Exception {
        assertThatThrownBy(() -> trainer().train(data, parameters))
                .isInstanceOfSatisfying(TrainerFailure.class, failure -> assertThat(failure.kind())
                        .as("log: %s", failure.logTail()).isEqualTo(TrainerFailure.Kind.NO_MODEL));
        return Json.MAPPER.readTree(Files.readString(out));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
