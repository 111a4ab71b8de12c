package dev.keel.core.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    private static final List<String> CLASSES = List.of("good", "bad");

    /** 10 rows; feature a runs from -2.5 to 2, labels bad when a > 0 except row 7, region north for the first 4 rows. */
    private static Holdout holdout() {
        List<double[]> features = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> region = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            double a = -2.5 + 0.5 * i;
            features.add(new double[] {a, i});
            labels.add(a > 0 && i != 7 ? "bad" : "good");
            region.add(i < 4 ? "north" : "south");
        }
        return new Holdout(List.of("a", "b"), features, labels, Map.of("region", region));
    }

    private static void assertKind(ThrowableAssert.ThrowingCallable call, EvaluationException.Kind kind, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.kind()).isEqualTo(kind))
            .hasMessage(message);
    }

    @Test
    void evaluate_scoresInBatches_andComputesTheMetricsOfTheModelsProbabilities() {
        TestingModel model = TestingModel.logistic(2);

        Evaluation evaluation = new Evaluator(3).evaluate(model, 12_345, holdout(), Task.BINARY, CLASSES, "bad");

        assertThat(model.batchRows()).as("a warm-up batch, then 3 + 3 + 3 + 1 rows").containsExactly(3, 3, 3, 3, 1);
        double[][] expected = new double[10][];
        for (int i = 0; i < 10; i++) {
            float p = (float) (1 / (1 + Math.exp(-(-2.5 + 0.5 * i))));
            expected[i] = new double[] {1 - p, p};
        }
        assertThat(evaluation.metrics()).isEqualTo(Metrics.compute(Task.BINARY, holdout().labels(), expected, CLASSES, "bad"));
        assertThat(evaluation.metrics().keySet()).containsExactly("rows", "accuracy", "precision", "recall", "f1", "auc", "logloss");
        assertThat(evaluation.metrics()).containsEntry("rows", 10.0).containsEntry("accuracy", 0.9);
        assertThat(evaluation.rows()).isEqualTo(10);
        assertThat(evaluation.modelBytes()).isEqualTo(12_345);
        assertThat(evaluation.latencyP50Millis()).isNotNegative();
        assertThat(evaluation.latencyP99Millis()).isGreaterThanOrEqualTo(evaluation.latencyP50Millis());
        assertThat(evaluation.scored().predicted()).containsExactly("good", "good", "good", "good", "good", "good", "bad", "bad", "bad", "bad");
    }

    @Test
    void evaluate_computesTheMetricsOfEachSliceValue() {
        Evaluation evaluation = new Evaluator(4).evaluate(TestingModel.logistic(2), 1, holdout(), Task.BINARY, CLASSES, "bad");

        Map<String, Map<String, Double>> region = evaluation.slices().get("region");
        assertThat(region.keySet()).containsExactly("north", "south");
        assertThat(region.get("north")).containsEntry("rows", 4.0).containsEntry("accuracy", 1.0).doesNotContainKey("auc");
        assertThat(region.get("south")).containsEntry("rows", 6.0).containsKey("auc");
    }

    @Test
    void aFixedBatchDimension_isFilledByRepeatingTheLastRow() {
        TestingModel logistic = TestingModel.logistic(2);
        TestingModel fixed = new TestingModel(new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, 4, 2)),
            logistic.signature().outputs()), TestingModel::logisticOutputs);

        Evaluation evaluation = new Evaluator(100).evaluate(fixed, 1, holdout(), Task.BINARY, CLASSES, "bad");

        assertThat(fixed.batchRows()).containsExactly(4, 4, 4, 4);
        assertThat(evaluation.metrics()).isEqualTo(new Evaluator(3).evaluate(TestingModel.logistic(2), 1, holdout(), Task.BINARY, CLASSES,
            "bad").metrics());
    }

    @Test
    void aDoubleInput_isFedTheHoldoutsDoubles() {
        TestingModel model = new TestingModel(new ModelSignature(List.of(new TensorSpec("features", DataType.FP64, -1, -1)),
            TestingModel.logistic(2).signature().outputs()), TestingModel::logisticOutputs);

        Evaluation evaluation = new Evaluator(3).evaluate(model, 1, holdout(), Task.BINARY, CLASSES, "bad");

        assertThat(evaluation.metrics()).isEqualTo(new Evaluator(3).evaluate(TestingModel.logistic(2), 1, holdout(), Task.BINARY, CLASSES,
            "bad").metrics());
    }

    @Test
    void multiclass_usesTheFirstMostProbableClass_andReportsMacroMetrics() {
        List<String> classes = List.of("low", "mid", "high");
        TestingModel model = TestingModel.returning(2, new TensorSpec("probabilities", DataType.FP32, -1, 3), rows -> {
            float[] data = new float[rows.length * 3];
            for (int i = 0; i < rows.length; i++) {
                float a = rows[i][0];
                float[] row = a < -1 ? new float[] {0.8f, 0.1f, 0.1f} : a < 1 ? new float[] {0.4f, 0.4f, 0.2f} : new float[] {0.1f, 0.2f, 0.7f};
                System.arraycopy(row, 0, data, 3 * i, 3);
            }
            return new Tensor(DataType.FP32, new long[] {rows.length, 3}, data);
        });
        List<String> labels = List.of("low", "low", "low", "mid", "mid", "mid", "high", "high", "high", "high");
        Holdout holdout = new Holdout(holdout().featureNames(), holdout().features(), labels);

        Evaluation evaluation = new Evaluator(4).evaluate(model, 1, holdout, Task.MULTICLASS, classes, null);

        assertThat(evaluation.scored().predicted()).containsExactly("low", "low", "low", "low", "low", "low", "low", "high", "high", "high");
        assertThat(evaluation.metrics().keySet()).containsExactly("rows", "accuracy", "precision", "recall", "f1", "auc", "logloss");
        assertThat(evaluation.metrics()).containsEntry("accuracy", 0.6).containsEntry("recall", (1 + 0 + 0.75) / 3);
    }

    @Test
    void multipleInputs_areASignatureMismatch() {
        TestingModel model = new TestingModel(new ModelSignature(List.of(new TensorSpec("a", DataType.FP32, -1, 1),
            new TensorSpec("b", DataType.FP32, -1, 1)), List.of(new TensorSpec("probabilities", DataType.FP32, -1, 2))), rows -> Map.of());

        assertKind(() -> new Evaluator(8).evaluate(model, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.SIGNATURE_MISMATCH,
            "expected exactly one rank-2 float input [N, 2] (one column per holdout feature); the model declares 2 inputs: "
                + "['a' FP32 [N, 1], 'b' FP32 [N, 1]]");
    }

    @Test
    void aWrongInputWidth_isASignatureMismatch() {
        assertKind(() -> new Evaluator(8).evaluate(TestingModel.logistic(5), 1, holdout(), Task.BINARY, CLASSES, "bad"),
            EvaluationException.Kind.SIGNATURE_MISMATCH, "the holdout has 2 features but the model's input 'features' FP32 [N, 5] takes 5; "
                + "expected exactly one rank-2 float input [N, 2] (one column per holdout feature)");
    }

    @Test
    void anIntegerOrRank1Input_isASignatureMismatch() {
        TestingModel ints = new TestingModel(new ModelSignature(List.of(new TensorSpec("x", DataType.INT64, -1, 2)),
            List.of(new TensorSpec("probabilities", DataType.FP32, -1, 2))), rows -> Map.of());
        TestingModel flat = new TestingModel(new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, -1)),
            List.of(new TensorSpec("probabilities", DataType.FP32, -1, 2))), rows -> Map.of());

        assertKind(() -> new Evaluator(8).evaluate(ints, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.SIGNATURE_MISMATCH,
            "expected exactly one rank-2 float input [N, 2] (one column per holdout feature); the model declares 'x' INT64 [N, 2]");
        assertThatThrownBy(() -> new Evaluator(8).evaluate(flat, 1, holdout(), Task.BINARY, CLASSES, "bad"))
            .hasMessageEndingWith("the model declares 'x' FP32 [N]");
    }

    @Test
    void probabilitiesOfTheWrongWidth_areASignatureMismatch() {
        TestingModel model = TestingModel.returning(2, new TensorSpec("probabilities", DataType.FP32, -1, 3), rows -> null);

        assertKind(() -> new Evaluator(8).evaluate(model, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.SIGNATURE_MISMATCH,
            "expected an output 'probabilities' float [N, 2] (one column per class), or a single float rank-2 output of width 2; "
                + "the model declares 'probabilities' FP32 [N, 3]");
    }

    @Test
    void withoutAProbabilitiesOutput_aSingleFloatMatrixIsAccepted_butNotTwo() {
        TensorSpec scores = new TensorSpec("scores", DataType.FP32, -1, 2);
        TestingModel single = TestingModel.returning(2, scores, rows -> uniform(rows.length, 2));
        TestingModel two = new TestingModel(new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, -1, 2)),
            List.of(scores, new TensorSpec("other", DataType.FP32, -1, 2))), rows -> Map.of());

        assertThat(new Evaluator(8).evaluate(single, 1, holdout(), Task.BINARY, CLASSES, "bad").metrics()).containsEntry("auc", 0.5);
        assertKind(() -> new Evaluator(8).evaluate(two, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.SIGNATURE_MISMATCH,
            "expected an output 'probabilities' float [N, 2] (one column per class), or a single float rank-2 output of width 2; "
                + "the model declares outputs ['scores' FP32 [N, 2], 'other' FP32 [N, 2]]");
    }

    @Test
    void regression_acceptsAPredictionVectorOrColumn_andRefusesOtherOutputs() {
        Holdout holdout = new Holdout(List.of("a"), List.of(new double[] {1}, new double[] {2}, new double[] {3}), List.of("2", "4", "6.5"));
        TestingModel vector = TestingModel.returning(1, new TensorSpec("prediction", DataType.FP32, -1), rows -> doubled(rows, false));
        TestingModel column = TestingModel.returning(1, new TensorSpec("y", DataType.FP64, -1, 1), rows -> doubled(rows, true));
        TestingModel wide = TestingModel.returning(1, new TensorSpec("prediction", DataType.FP32, -1, 2), rows -> null);

        Map<String, Double> metrics = new Evaluator(2).evaluate(vector, 1, holdout, Task.REGRESSION, List.of(), null).metrics();
        assertThat(metrics).containsExactlyEntriesOf(Metrics.compute(Task.REGRESSION, holdout.labels(), new double[][] {{2}, {4}, {6}}, List.of(),
            null));
        assertThat(metrics).containsEntry("mae", 0.5 / 3);
        assertThat(new Evaluator(2).evaluate(column, 1, holdout, Task.REGRESSION, List.of(), null).metrics()).isEqualTo(metrics);
        assertKind(() -> new Evaluator(2).evaluate(wide, 1, holdout, Task.REGRESSION, List.of(), null), EvaluationException.Kind.SIGNATURE_MISMATCH,
            "expected an output 'prediction' float [N] or [N, 1], or a single float output of that shape; the model declares 'prediction' FP32 [N, 2]");
    }

    @Test
    void nonFiniteOutputs_areBadOutput() {
        TestingModel model = TestingModel.returning(2, new TensorSpec("probabilities", DataType.FP32, -1, 2), rows -> {
            Tensor tensor = uniform(rows.length, 2);
            float[] data = (float[]) tensor.data();
            if (rows.length == 2) {
                data[3] = Float.NaN;
            }
            return tensor;
        });

        assertKind(() -> new Evaluator(4).evaluate(model, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.BAD_OUTPUT,
            "output 'probabilities' holds NaN at row 9, column 1; expected finite numbers");
    }

    @Test
    void probabilitiesOutsideTheUnitInterval_orNotSummingToOne_areBadOutput() {
        TestingModel large = TestingModel.returning(2, new TensorSpec("probabilities", DataType.FP32, -1, 2),
            rows -> filled(rows.length, new float[] {-0.5f, 1.5f}));
        TestingModel unnormalized = TestingModel.returning(2, new TensorSpec("probabilities", DataType.FP32, -1, 2),
            rows -> filled(rows.length, new float[] {0.5f, 0.4f}));

        assertKind(() -> new Evaluator(4).evaluate(large, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.BAD_OUTPUT,
            "output 'probabilities' holds -0.5 at row 0, column 0; expected a probability in [0, 1]");
        assertKind(() -> new Evaluator(4).evaluate(unnormalized, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.BAD_OUTPUT,
            "the probabilities of row 0 sum to 0.9000; expected 1 (within 0.001)");
    }

    @Test
    void anOutputOfTheWrongShapeOrMissing_isBadOutput() {
        TestingModel wrongRows = TestingModel.returning(2, new TensorSpec("probabilities", DataType.FP32, -1, 2), rows -> uniform(rows.length + 1, 2));
        TestingModel missing = new TestingModel(TestingModel.logistic(2).signature(), rows -> Map.of());

        assertKind(() -> new Evaluator(4).evaluate(wrongRows, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.BAD_OUTPUT,
            "output 'probabilities' for rows 0 to 3 has shape [5, 2]; expected [4, 2]");
        assertKind(() -> new Evaluator(4).evaluate(missing, 1, holdout(), Task.BINARY, CLASSES, "bad"), EvaluationException.Kind.BAD_OUTPUT,
            "the model returned no output 'probabilities' for rows 0 to 3; it returned []");
    }

    @Test
    void aRuntimeFailure_isScoringFailed() {
        TestingModel failing = new TestingModel(TestingModel.logistic(2).signature(), rows -> {
            throw new ModelException("Reshape: cannot reshape", true);
        });

        assertThatThrownBy(() -> new Evaluator(4).evaluate(failing, 1, holdout(), Task.BINARY, CLASSES, "bad"))
            .isInstanceOfSatisfying(EvaluationException.class, e -> {
                assertThat(e.kind()).isEqualTo(EvaluationException.Kind.SCORING_FAILED);
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MODEL);
            })
            .hasMessage("the model failed to score rows 0 to 3 of the holdout: Reshape: cannot reshape")
            .hasCauseInstanceOf(ModelException.class);
    }

    @Test
    void labelsOutsideTheClasses_orAMissingPositiveClass_areRefusedBeforeScoring() {
        TestingModel model = TestingModel.logistic(2);

        assertThatThrownBy(() -> new Evaluator(4).evaluate(model, 1, holdout(), Task.BINARY, List.of("good", "poor"), "poor"))
            .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
            .hasMessage("label 'bad' of row 6 is not one of the classes [good, poor]");
        assertThatThrownBy(() -> new Evaluator(4).evaluate(model, 1, holdout(), Task.BINARY, CLASSES, "ugly"))
            .hasMessage("the positive class 'ugly' is not one of the classes [good, bad]");
        assertThatThrownBy(() -> new Evaluator(4).evaluate(model, 1, holdout(), Task.REGRESSION, List.of(), null))
            .hasMessage("label 'good' of row 0 is not a number; a regression label is a decimal string");
        assertThat(model.batchRows()).isEmpty();
    }

    @Test
    void holdout_refusesRowsOfTheWrongWidthAndSlicesOfTheWrongLength() {
        assertThatThrownBy(() -> new Holdout(List.of("a", "b"), List.of(new double[] {1}), List.of("x")))
            .hasMessage("feature row 0 has 1 values; expected 2 (one per feature name)");
        assertThatThrownBy(() -> new Holdout(List.of("a"), List.of(new double[] {1}), List.of("x", "y")))
            .hasMessage("the holdout has 1 feature rows and 2 labels; expected the same number");
        assertThatThrownBy(() -> new Holdout(List.of("a"), List.of(new double[] {1}), List.of("x"), Map.of("region", List.of())))
            .hasMessage("slice column 'region' has 0 values; expected 1 (one per row)");
        assertThat(new Holdout(List.of("a"), List.of(new double[] {Double.NaN}), List.of("x")).rows()).as("NaN features are the model's business")
            .isEqualTo(1);
    }

    @Test
    void batchSize_mustBePositive() {
        assertThatThrownBy(() -> new Evaluator(0)).hasMessage("batch size must be between 1 and 65536; got 0");
    }

    private static Tensor uniform(int rows, int width) {
        float[] data = new float[rows * width];
        Arrays.fill(data, 1f / width);
        return new Tensor(DataType.FP32, new long[] {rows, width}, data);
    }

    private static Tensor filled(int rows, float[] row) {
        float[] data = new float[rows * row.length];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(row, 0, data, i * row.length, row.length);
        }
        return new Tensor(DataType.FP32, new long[] {rows, row.length}, data);
    }

    private static Tensor doubled(float[][] rows, boolean column) {
        double[] doubles = new double[rows.length];
        float[] floats = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            doubles[i] = 2 * rows[i][0];
            floats[i] = 2 * rows[i][0];
        }
        return column ? new Tensor(DataType.FP64, new long[] {rows.length, 1}, doubles) : new Tensor(DataType.FP32, new long[] {rows.length}, floats);
    }
}
