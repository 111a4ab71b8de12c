package dev.keel.core.training.eval;

import dev.keel.spi.DataType;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The input and output of a model that an evaluation uses, checked against the task and the holdout.
 *
 * @param batchDimension the input's declared first dimension, -1 when dynamic
 * @param width C for classification, 1 for regression
 */
record ModelContract(Task task, String input, DataType inputType, long batchDimension, String output, int width) {
    static final String PROBABILITIES = "probabilities";
    static final String PREDICTION = "prediction";

    static ModelContract check(ModelSignature signature, Task task, int features, int classes) {
        List<TensorSpec> inputs = signature.inputs();
        String expectedInput = "exactly one rank-2 float input [N, " + features + "] (one column per holdout feature)";
        if (inputs.size() != 1) {
            throw mismatch("expected " + expectedInput + "; the model declares " + inputs.size() + " inputs: " + describe(inputs));
        }
        TensorSpec input = inputs.getFirst();
        if (!input.kind().equals("tensor") || (input.type() != DataType.FP32 && input.type() != DataType.FP64) || input.rank() != 2) {
            throw mismatch("expected " + expectedInput + "; the model declares " + describe(input));
        }
        long declaredWidth = input.shape().get(1);
        if (declaredWidth != -1 && declaredWidth != features) {
            throw mismatch("the holdout has " + features + " features but the model's input " + describe(input) + " takes " + declaredWidth
                + "; expected " + expectedInput);
        }
        long batch = input.shape().getFirst();
        return switch (task) {
            case BINARY, MULTICLASS -> {
                TensorSpec output = classificationOutput(signature.outputs(), classes);
                yield new ModelContract(task, input.name(), input.type(), batch, output.name(), classes);
            }
            case REGRESSION -> new ModelContract(task, input.name(), input.type(), batch, regressionOutput(signature.outputs()).name(), 1);
        };
    }

    private static TensorSpec classificationOutput(List<TensorSpec> outputs, int classes) {
        String expected = "expected an output 'probabilities' float [N, " + classes + "] (one column per class), or a single float rank-2 "
            + "output of width " + classes;
        for (TensorSpec output : outputs) {
            if (output.name().equals(PROBABILITIES)) {
                if (output.kind().startsWith("sequence<map<") && isFloat(output.type())) {
                    return output;
                }
                if (!isProbabilities(output, classes)) {
                    throw mismatch(expected + "; the model declares " + describe(output));
                }
                return output;
            }
        }
        List<TensorSpec> candidates = outputs.stream().filter(output -> output.kind().equals("tensor") && isFloat(output.type())
            && output.rank() == 2).toList();
        if (candidates.size() == 1 && isProbabilities(candidates.getFirst(), classes)) {
            return candidates.getFirst();
        }
        throw mismatch(expected + "; the model declares outputs " + describe(outputs));
    }

    private static boolean isProbabilities(TensorSpec output, int classes) {
        return output.kind().equals("tensor") && isFloat(output.type()) && output.rank() == 2
            && (output.shape().get(1) == -1 || output.shape().get(1) == classes);
    }

    private static TensorSpec regressionOutput(List<TensorSpec> outputs) {
        String expected = "expected an output 'prediction' float [N] or [N, 1], or a single float output of that shape";
        for (TensorSpec output : outputs) {
            if (output.name().equals(PREDICTION)) {
                if (!isPrediction(output)) {
                    throw mismatch(expected + "; the model declares " + describe(output));
                }
                return output;
            }
        }
        List<TensorSpec> floats = outputs.stream().filter(output -> output.kind().equals("tensor") && isFloat(output.type())).toList();
        if (floats.size() == 1 && isPrediction(floats.getFirst())) {
            return floats.getFirst();
        }
        throw mismatch(expected + "; the model declares outputs " + describe(outputs));
    }

    private static boolean isPrediction(TensorSpec output) {
        return output.kind().equals("tensor") && isFloat(output.type())
            && (output.rank() == 1 || output.rank() == 2 && (output.shape().get(1) == 1 || output.shape().get(1) == -1));
    }

    private static boolean isFloat(DataType type) {
        return type == DataType.FP32 || type == DataType.FP64;
    }

    static String describe(List<TensorSpec> specs) {
        if (specs.isEmpty()) {
            return "none";
        }
        return specs.stream().map(ModelContract::describe).collect(Collectors.joining(", ", "[", "]"));
    }

    static String describe(TensorSpec spec) {
        List<String> dimensions = new ArrayList<>();
        for (int i = 0; i < spec.rank(); i++) {
            long dimension = spec.shape().get(i);
            dimensions.add(dimension != -1 ? Long.toString(dimension) : i == 0 ? "N" : "?");
        }
        String kind = spec.kind().equals("tensor") ? "" : " (" + spec.kind() + ")";
        return String.format(Locale.ROOT, "'%s' %s %s%s", spec.name(), spec.type(), dimensions, kind);
    }

    private static EvaluationException mismatch(String message) {
        return new EvaluationException(EvaluationException.Kind.SIGNATURE_MISMATCH, message);
    }
}
