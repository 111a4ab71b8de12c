package dev.keel.core.training.eval;

import dev.keel.core.error.KeelException;
import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Scores a model on a holdout in batches and measures it: quality metrics overall and per slice, scoring latency per row and
 * the artifact's size. The first batch is scored once untimed before the timed pass, so that one-off warm-up does not count.
 */
public final class Evaluator {
    static final int MAX_BATCH_SIZE = 1 << 16;
    static final double PROBABILITY_TOLERANCE = 1e-4;
    static final double SUM_TOLERANCE = 1e-3;

    private final int batchSize;

    public Evaluator(int batchSize) {
        KeelException.requireArgument(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE, "batch size must be between 1 and %d; got %d",
            MAX_BATCH_SIZE, batchSize);
        this.batchSize = batchSize;
    }

    /**
     * Scores the model on the holdout and computes its metrics. {@code classes} is the model's probability column order
     * (empty for REGRESSION); {@code positive} is the positive class for BINARY and is ignored (may be null) otherwise.
     *
     * @throws EvaluationException when the signature does not fit, scoring fails or the outputs are unusable
     */
    public Evaluation evaluate(LoadedModel model, long artifactBytes, Holdout holdout, Task task, List<String> classes, String positive) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(holdout, "holdout");
        Objects.requireNonNull(task, "task");
        KeelException.requireArgument(artifactBytes >= 0, "artifactBytes must be >= 0; got %d", artifactBytes);
        Scored.checkTargets(task, holdout.labels(), List.copyOf(classes), positive);
        ModelContract contract = ModelContract.check(model.signature(), task, holdout.featureNames().size(), classes.size());
        int rows = holdout.rows();
        int step = contract.batchDimension() > 0 ? (int) Math.min(contract.batchDimension(), MAX_BATCH_SIZE) : batchSize;
        double[][] scores = new double[rows][];
        int batches = (rows + step - 1) / step;
        double[] perRowMillis = new double[batches];
        score(model, contract, holdout, 0, step);
        for (int batch = 0; batch < batches; batch++) {
            int from = batch * step;
            long start = System.nanoTime();
            double[][] batchScores = score(model, contract, holdout, from, step);
            long elapsed = System.nanoTime() - start;
            int scoredRows = contract.batchDimension() > 0 ? step : batchScores.length;
            perRowMillis[batch] = elapsed / 1e6 / scoredRows;
            System.arraycopy(batchScores, 0, scores, from, batchScores.length);
        }
        Arrays.sort(perRowMillis);
        Scored scored = Scored.of(task, holdout.labels(), scores, classes, positive);
        return Evaluation.of(scored, holdout.slices(), Percentiles.linear(perRowMillis, 0.50), Percentiles.linear(perRowMillis, 0.99),
            artifactBytes);
    }

    /** Scores rows [from, from + step) of the holdout; a fixed batch dimension is filled by repeating the last row. */
    private static double[][] score(LoadedModel model, ModelContract contract, Holdout holdout, int from, int step) {
        int rows = Math.min(step, holdout.rows() - from);
        int tensorRows = contract.batchDimension() > 0 ? step : rows;
        int width = holdout.featureNames().size();
        double[] doubles = contract.inputType() == DataType.FP64 ? new double[tensorRows * width] : null;
        float[] floats = doubles == null ? new float[tensorRows * width] : null;
        for (int i = 0; i < tensorRows; i++) {
            double[] row = holdout.features().get(from + Math.min(i, rows - 1));
            if (doubles != null) {
                System.arraycopy(row, 0, doubles, i * width, width);
            } else {
                for (int j = 0; j < width; j++) {
                    floats[i * width + j] = (float) row[j];
                }
            }
        }
        Object data = doubles != null ? doubles : floats;
        Tensor input = new Tensor(contract.inputType(), new long[] {tensorRows, width}, data);
        Map<String, Tensor> outputs;
        String range = String.format(Locale.ROOT, "rows %d to %d", from, from + rows - 1);
        try {
            outputs = model.predict(Map.of(contract.input(), input));
        } catch (RuntimeException e) {
            throw new EvaluationException(EvaluationException.Kind.SCORING_FAILED, "the model failed to score " + range + " of the holdout: "
                + e.getMessage(), e);
        }
        Tensor output = outputs == null ? null : outputs.get(contract.output());
        if (output == null) {
            throw badOutput("the model returned no output '" + contract.output() + "' for " + range + "; it returned "
                + (outputs == null ? "nothing" : outputs.keySet()));
        }
        return read(output, contract, tensorRows, from, rows, range);
    }

    private static double[][] read(Tensor output, ModelContract contract, int tensorRows, int from, int rows, String range) {
        String name = "output '" + contract.output() + "'";
        if (output.type() != DataType.FP32 && output.type() != DataType.FP64) {
            throw badOutput(name + " for " + range + " is " + output.type() + "; expected FP32 or FP64");
        }
        long[] shape = output.shape();
        int width = contract.width();
        boolean classification = contract.task() != Task.REGRESSION;
        boolean fits = shape.length == 2 && shape[0] == tensorRows && shape[1] == width
            || !classification && shape.length == 1 && shape[0] == tensorRows;
        if (!fits) {
            String expected = classification ? "[" + tensorRows + ", " + width + "]" : "[" + tensorRows + "] or [" + tensorRows + ", 1]";
            throw badOutput(name + " for " + range + " has shape " + Arrays.toString(shape) + "; expected " + expected);
        }
        double[][] scores = new double[rows][width];
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int k = 0; k < width; k++) {
                double value = output.doubleAt(i * width + k);
                if (!Double.isFinite(value)) {
                    throw badOutput(String.format(Locale.ROOT, "%s holds %s at row %d, column %d; expected finite numbers", name, value, from + i, k));
                }
                if (classification && (value < -PROBABILITY_TOLERANCE || value > 1 + PROBABILITY_TOLERANCE)) {
                    throw badOutput(String.format(Locale.ROOT, "%s holds %s at row %d, column %d; expected a probability in [0, 1]", name, value,
                        from + i, k));
                }
                scores[i][k] = value;
                sum += value;
            }
            if (classification && Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw badOutput(String.format(Locale.ROOT, "the probabilities of row %d sum to %s; expected 1 (within %s)", from + i, Numbers.format(sum, 4),
                    SUM_TOLERANCE));
            }
        }
        return scores;
    }

    private static EvaluationException badOutput(String message) {
        return new EvaluationException(EvaluationException.Kind.BAD_OUTPUT, message);
    }
}
