package dev.keel.core.training.external;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.Trainer.TrainedModel;
import dev.keel.spi.Trainer.TrainingData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example script examples/retraining/train_forest.py, run for real by Debian's Python on scikit-learn's copy of the
 * Wisconsin breast cancer data (569 rows, 30 numeric features). Skipped when /usr/bin/python3 lacks scikit-learn or onnx,
 * except under CI ({@code CI=true}), where that fails the test.
 */
class TrainForestExampleTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("..", "examples", "retraining", "train_forest.py").toAbsolutePath().normalize();
    private static final Path BREAST_CANCER = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv");

    @TempDir
    Path temp;

    @Test
    void trainForest_onBreastCancer_writesAnOnnxForestAndItsHeldOutMetrics() throws Exception {
        requireFixture(Files.isExecutable(PYTHON) && pythonHas("sklearn, onnx, numpy"),
                "/usr/bin/python3 with scikit-learn, numpy and onnx is needed (Debian: apt-get install python3-sklearn python3-onnx)");
        requireFixture(Files.isRegularFile(BREAST_CANCER), BREAST_CANCER + " is absent (Debian: apt-get install python3-sklearn)");
        TrainingData data = breastCancer();
        TrainingCommand command = new TrainingCommand("sklearn-forest", List.of(PYTHON.toString(), SCRIPT.toString()), Duration.ofMinutes(5),
                2L << 30, 1 << 20);
        List<String> log = new CopyOnWriteArrayList<>();

        TrainedModel model = new CommandTrainer(command, temp.resolve("work")).train(data, Map.of("n_estimators", "25"), log::add);

        assertThat(model.format()).isEqualTo("onnx");
        assertThat(RunOutputs.onnxProblem(model.artifact())).isNull();
        assertThat(new String(model.artifact(), StandardCharsets.ISO_8859_1)).contains("TreeEnsembleClassifier").contains("ai.onnx.ml")
                .contains("features").contains("probabilities");
        assertThat(model.labels()).containsExactly("benign", "malignant");
        assertThat(model.metrics()).containsOnlyKeys("accuracy", "auc", "logloss");
        assertThat(model.metrics().get("accuracy")).isBetween(0.9, 1.0);
        assertThat(model.metrics().get("auc")).isBetween(0.95, 1.0);
        assertThat(model.metrics().get("logloss")).isPositive();
        assertThat(model.parameters()).isEqualTo(Map.of("n_estimators", "25"));
        assertThat(log).anyMatch(line -> line.startsWith("out: training 25 trees on 426 rows, 30 features, 2 classes; 143 rows held out"));
    }

    @Test
    void trainForest_sameSeed_sameModel() throws Exception {
        requireFixture(Files.isExecutable(PYTHON) && pythonHas("sklearn, onnx, numpy"), "/usr/bin/python3 with scikit-learn, numpy and onnx");
        requireFixture(Files.isRegularFile(BREAST_CANCER), BREAST_CANCER + " is absent");
        TrainingCommand command = new TrainingCommand("sklearn-forest", List.of(PYTHON.toString(), SCRIPT.toString()), Duration.ofMinutes(5),
                0, 1 << 20);
        CommandTrainer trainer = new CommandTrainer(command, temp.resolve("work"));

        TrainedModel first = trainer.train(breastCancer(), Map.of("n_estimators", "5"));
        TrainedModel second = trainer.train(breastCancer(), Map.of("n_estimators", "5"));

        assertThat(second.artifact()).isEqualTo(first.artifact());
        assertThat(second.metrics()).isEqualTo(first.metrics());
    }

    /** The breast cancer rows; sklearn's file has a count line, then 30 features and the target (0 malignant, 1 benign). */
    private static TrainingData breastCancer() throws IOException {
        List<String> lines = Files.readAllLines(BREAST_CANCER);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            names.add("feature_" + i);
        }
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            double[] row = new double[30];
            for (int i = 0; i < 30; i++) {
                row[i] = Double.parseDouble(cells[i]);
            }
            rows.add(row);
            labels.add(cells[30].equals("0") ? "malignant" : "benign");
        }
        assertThat(rows).as("rows of " + BREAST_CANCER).hasSize(569);
        return new TrainingData(names, rows, labels, 0.25, 7);
    }

    private static boolean pythonHas(String modules) throws IOException, InterruptedException {
        Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import " + modules).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0;
    }

    /** Skips on a developer's machine when an optional fixture is absent; fails under CI=true, so a green CI run has run it. */
    private static void requireFixture(boolean present, String message) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: fixtures may not be skipped)");
        }
        Assumptions.abort(message);
    }
}
