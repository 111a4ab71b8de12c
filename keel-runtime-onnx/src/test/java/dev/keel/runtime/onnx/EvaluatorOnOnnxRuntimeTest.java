package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.core.training.eval.BootstrapRule;
import dev.keel.core.training.eval.ComparisonGate;
import dev.keel.core.training.eval.Evaluation;
import dev.keel.core.training.eval.EvaluationException;
import dev.keel.core.training.eval.Evaluator;
import dev.keel.core.training.eval.GateVerdict;
import dev.keel.core.training.eval.Holdout;
import dev.keel.core.training.eval.Rule;
import dev.keel.core.training.eval.Task;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

/** The evaluation library on real ONNX models in ONNX Runtime: the German credit forest and the malformed fixtures. */
class EvaluatorOnOnnxRuntimeTest {
    private static final Path EVAL_CASES = Path.of("..", "build", "fixtures", "eval", "eval_cases.json").toAbsolutePath().normalize();
    private static final List<String> CLASSES = List.of("0", "1");
    /** float32 probabilities against scikit-learn's float64 ones. */
    private static final double PROBABILITY_TOLERANCE = 1e-5;
    /** The true class of each reference row (the CSV's last column, which Fixtures.CreditRow does not keep). */
    private static final List<Long> TRUTH = readTruth();

    private final OnnxModelRuntime runtime = new OnnxModelRuntime();
    private final Evaluator evaluator = new Evaluator(64);

    /** The 300 held-out credit rows, labelled with the true class, sliced by foreign_worker. */
    private static Holdout creditHoldout() {
        List<String> names = featureNames();
        int foreign = names.indexOf("foreign_worker=yes");
        List<double[]> features = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> foreignWorker = new ArrayList<>();
        List<Fixtures.CreditRow> reference = Fixtures.creditReference();
        for (int r = 0; r < reference.size(); r++) {
            Fixtures.CreditRow row = reference.get(r);
            double[] values = new double[row.features().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.features()[i];
            }
            features.add(values);
            labels.add(Long.toString(TRUTH.get(r)));
            foreignWorker.add(values[foreign] == 1 ? "yes" : "no");
        }
        return new Holdout(names, features, labels, Map.of("foreign_worker", foreignWorker));
    }

    private static List<Long> readTruth() {
        try {
            List<String> lines = Files.readAllLines(Fixtures.MODELS.resolve("credit_rf_reference.csv"));
            List<Long> truth = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                truth.add(Long.parseLong(line.substring(line.lastIndexOf(',') + 1)));
            }
            return truth;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> featureNames() {
        try {
            return Files.readAllLines(Fixtures.MODELS.resolve("credit_rf_features.txt")).stream().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode sklearnCreditMetrics() {
        Fixtures.require("../eval/eval_cases.json", "run /usr/bin/python3 build/fixtures/eval/make_eval_fixtures.py");
        try {
            for (JsonNode node : new ObjectMapper().readTree(EVAL_CASES.toFile()).get("cases")) {
                if (node.get("name").asText().equals("credit/forest_reference")) {
                    return node.get("expected");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("eval_cases.json has no case credit/forest_reference");
    }

    private Evaluation evaluate(String model, Holdout holdout, Task task, List<String> classes, String positive) {
        byte[] artifact = Fixtures.model(model);
        try (LoadedModel loaded = runtime.load(artifact, RuntimeOptions.defaults())) {
            return evaluator.evaluate(loaded, artifact.length, holdout, task, classes, positive);
        }
    }

    private static void assertKind(ThrowableAssert.ThrowingCallable call, EvaluationException.Kind kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void creditForest_metricsOnTheReferenceRows_equalScikitLearns() {
        JsonNode expected = sklearnCreditMetrics();

        Evaluation evaluation = evaluate("credit_rf.onnx", creditHoldout(), Task.BINARY, CLASSES, "1");

        assertThat(evaluation.rows()).isEqualTo(300);
        assertThat(evaluation.metrics().keySet()).containsExactly("rows", "accuracy", "precision", "recall", "f1", "auc", "logloss");
        for (String label : List.of("rows", "accuracy", "precision", "recall", "f1")) {
            assertThat(evaluation.metrics().get(label)).as(label).isCloseTo(expected.get(label).asDouble(), within(1e-12));
        }
        assertThat(evaluation.metrics().get("auc")).isCloseTo(expected.get("auc").asDouble(), within(PROBABILITY_TOLERANCE));
        assertThat(evaluation.metrics().get("logloss")).isCloseTo(expected.get("logloss").asDouble(), within(PROBABILITY_TOLERANCE));
        List<String> sklearnLabels = Fixtures.creditReference().stream().map(row -> Long.toString(row.label())).toList();
        assertThat(evaluation.scored().predicted()).isEqualTo(sklearnLabels);
        assertThat(evaluation.modelBytes()).isEqualTo(Fixtures.model("credit_rf.onnx").length);
        assertThat(evaluation.latencyP99Millis()).isGreaterThanOrEqualTo(evaluation.latencyP50Millis()).isPositive();
        Map<String, Map<String, Double>> slices = evaluation.slices().get("foreign_worker");
        assertThat(slices.keySet()).containsExactly("no", "yes");
        assertThat(slices.get("no").get("rows") + slices.get("yes").get("rows")).isEqualTo(300.0);
    }

    @Test
    void creditForestWithZipMap_evaluatesLikeThePlainForest() {
        Holdout holdout = creditHoldout();

        Evaluation plain = evaluate("credit_rf.onnx", holdout, Task.BINARY, CLASSES, "1");
        Evaluation zipMap = evaluate("credit_rf_zipmap.onnx", holdout, Task.BINARY, CLASSES, "1");

        assertThat(zipMap.metrics()).isEqualTo(plain.metrics());
        assertThat(zipMap.slices()).isEqualTo(plain.slices());
    }

    @Test
    void theGate_comparesTwoRealModelsOnTheSameHoldout() {
        Holdout holdout = creditHoldout();
        Evaluation champion = evaluate("credit_rf.onnx", holdout, Task.BINARY, CLASSES, "1");
        Evaluation challenger = evaluate("credit_rf_zipmap.onnx", holdout, Task.BINARY, CLASSES, "1");
        ComparisonGate gate = new ComparisonGate(List.of(Rule.parse("auc >= 0.75"), Rule.parse("auc >= champion.auc - 0.01"),
            Rule.parse("logloss <= champion.logloss * 1.02")), 200, List.of(), OptionalDouble.empty(), OptionalLong.of(10_000_000),
            Optional.of(new BootstrapRule("auc", 1000, 0.95, 11, 0.0)));

        GateVerdict verdict = gate.judge(challenger, Optional.of(champion));
        GateVerdict stricter = new ComparisonGate(List.of(), 200, List.of(), OptionalDouble.empty(), OptionalLong.empty(),
            Optional.of(new BootstrapRule("auc", 1000, 0.95, 11, 0.001))).judge(challenger, Optional.of(champion));

        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
        assertThat(verdict.checks()).hasSize(7);
        assertThat(stricter.passed()).as("an identical model is not better by 0.001").isFalse();
    }

    @Test
    void aModelWithSeveralInputs_isASignatureMismatch() {
        Holdout holdout = new Holdout(List.of("a", "b", "c"), List.of(new double[] {1, 2, 3}), List.of("1.0"));

        assertThatThrownBy(() -> evaluate("multi_input.onnx", holdout, Task.REGRESSION, List.of(), null))
            .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(EvaluationException.Kind.SIGNATURE_MISMATCH))
            .hasMessageStartingWith("expected exactly one rank-2 float input [N, 3] (one column per holdout feature); the model declares 4 inputs: ")
            .hasMessageContaining("'tag' BYTES [N]");
    }

    @Test
    void aModelWithScalarInputs_isASignatureMismatch() {
        Holdout holdout = new Holdout(List.of("x"), List.of(new double[] {1}), List.of("2.0"));

        assertKind(() -> evaluate("scalar.onnx", holdout, Task.REGRESSION, List.of(), null), EvaluationException.Kind.SIGNATURE_MISMATCH);
    }

    @Test
    void aHoldoutOfTheWrongWidth_isASignatureMismatch() {
        Holdout full = creditHoldout();
        List<double[]> narrow = full.features().stream().map(row -> java.util.Arrays.copyOf(row, 62)).toList();
        Holdout holdout = new Holdout(full.featureNames().subList(0, 62), narrow, full.labels());

        assertThatThrownBy(() -> evaluate("credit_rf.onnx", holdout, Task.BINARY, CLASSES, "1"))
            .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(EvaluationException.Kind.SIGNATURE_MISMATCH))
            .hasMessage("the holdout has 62 features but the model's input 'features' FP32 [N, 63] takes 63; expected exactly one rank-2 float "
                + "input [N, 62] (one column per holdout feature)");
    }

    @Test
    void aClassifierEvaluatedAsRegression_isASignatureMismatch() {
        assertThatThrownBy(() -> evaluate("credit_rf.onnx", regressionLabels(creditHoldout()), Task.REGRESSION, List.of(), null))
            .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(EvaluationException.Kind.SIGNATURE_MISMATCH))
            .hasMessage("expected an output 'prediction' float [N] or [N, 1], or a single float output of that shape; the model declares outputs "
                + "['label' INT64 [N], 'probabilities' FP32 [N, 2]]");
    }

    @Test
    void moreClassesThanTheModelHas_isASignatureMismatch() {
        Holdout holdout = creditHoldout();

        assertThatThrownBy(() -> evaluate("credit_rf.onnx", holdout, Task.MULTICLASS, List.of("0", "1", "2"), null))
            .hasMessageEndingWith("the model declares 'probabilities' FP32 [N, 2]");
    }

    @Test
    void aModelThatFailsInsideOnnxRuntime_isScoringFailed() {
        Holdout holdout = new Holdout(List.of("a", "b", "c"), List.of(new double[] {1, 2, 3}, new double[] {4, 5, 6}), List.of("x", "y"));

        assertThatThrownBy(() -> evaluate("reshape_fails.onnx", holdout, Task.BINARY, List.of("x", "y"), "y"))
            .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(EvaluationException.Kind.SCORING_FAILED))
            .hasMessageStartingWith("the model failed to score rows 0 to 1 of the holdout: ");
    }

    @Test
    void outputsThatAreNotProbabilities_areBadOutput() {
        Holdout holdout = new Holdout(List.of("a", "b", "c"), List.of(new double[] {0.5, 0.25, 0.25}, new double[] {4, 5, 6}),
            List.of("p", "q"));

        assertThatThrownBy(() -> evaluate("flatten.onnx", holdout, Task.MULTICLASS, List.of("p", "q", "r"), null))
            .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(EvaluationException.Kind.BAD_OUTPUT))
            .hasMessage("the probabilities of row 0 sum to 2.0000; expected 1 (within 0.001)");
    }

    private static Holdout regressionLabels(Holdout holdout) {
        return new Holdout(holdout.featureNames(), holdout.features(), holdout.labels().stream().map(label -> label + ".0").toList());
    }
}
