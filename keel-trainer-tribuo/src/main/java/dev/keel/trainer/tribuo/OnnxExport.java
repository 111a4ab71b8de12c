package dev.keel.trainer.tribuo;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Map;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Tribuo;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/**
 * Writes a trained linear model as one ONNX graph: {@code features [N, F]} (raw values in the caller's column order) →
 * standardise → reorder to Tribuo's feature ids → Tribuo's linear layer, then softmax → {@code probabilities [N, C]} for
 * logistic regression, or the target's scale and mean → {@code prediction [N, 1]} for linear regression.
 *
 * <p>Tribuo numbers features by its own feature map (sorted by name), not by the caller's column order, so the graph
 * gathers the columns into Tribuo's order. The proto carries no timestamps: the same model gives the same bytes.
 */
final class OnnxExport {
    static final String INPUT = "features";
    static final String OUTPUT = "probabilities";
    static final String PREDICTION = "prediction";
    static final String DOMAIN = "dev.keel.trainer.tribuo";
    static final int IR_VERSION = 6;

    private OnnxExport() {
    }

    static byte[] export(LinearSGDModel model, List<String> featureNames, Standardisation scaling, List<String> labels) {
        return export(model, featureNames, scaling, labels, labels);
    }

    /**
     * As {@link #export(LinearSGDModel, List, Standardisation, List)}, with the probability columns in {@code order} (a permutation
     * of Tribuo's {@code labels}): a last Gather puts them there.
     */
    static byte[] export(LinearSGDModel model, List<String> featureNames, Standardisation scaling, List<String> labels, List<String> order) {
        ONNXContext onnx = new ONNXContext();
        onnx.setName("keel_logistic_regression");
        ONNXNode reordered = standardisedInTribuoOrder(onnx, model.getFeatureIDMap(), featureNames, scaling);
        ONNXPlaceholder output = onnx.floatOutput(OUTPUT, labels.size());
        ONNXNode scores = model.writeONNXGraph(reordered);
        if (!order.equals(labels)) {
            long[] tribuoIdOfColumn = new long[order.size()];
            for (int column = 0; column < order.size(); column++) {
                tribuoIdOfColumn[column] = labels.indexOf(order.get(column));
            }
            scores = scores.apply(ONNXOperators.GATHER, onnx.array("keel_class_order", tribuoIdOfColumn), Map.of("axis", 1));
        }
        scores.assignTo(output);
        return model(onnx, "logistic regression; input " + INPUT + " columns " + featureNames + "; output " + OUTPUT + " columns "
                + order);
    }

    /** Linear regression trained on the standardised target: the graph maps Tribuo's output back with {@code target}. */
    static byte[] exportRegression(org.tribuo.regression.sgd.linear.LinearSGDModel model, List<String> featureNames, Standardisation scaling,
                                   Standardisation target) {
        ONNXContext onnx = new ONNXContext();
        onnx.setName("keel_linear_regression");
        ONNXNode reordered = standardisedInTribuoOrder(onnx, model.getFeatureIDMap(), featureNames, scaling);
        ONNXPlaceholder output = onnx.floatOutput(PREDICTION, 1);
        model.writeONNXGraph(reordered)
                .apply(ONNXOperators.MUL, onnx.array("keel_target_scale", toFloats(target.scale())))
                .apply(ONNXOperators.ADD, onnx.array("keel_target_mean", toFloats(target.mean())))
                .assignTo(output);
        return model(onnx, "linear regression; input " + INPUT + " columns " + featureNames + "; output " + PREDICTION + " [N, 1]");
    }

    private static ONNXNode standardisedInTribuoOrder(ONNXContext onnx, ImmutableFeatureMap featureMap, List<String> featureNames,
                                                      Standardisation scaling) {
        int width = featureNames.size();
        if (featureMap.size() != width) {
            throw new IllegalStateException("the trained model knows " + featureMap.size() + " features but the data has " + width);
        }
        long[] callerColumnOfTribuoId = new long[width];
        for (int column = 0; column < width; column++) {
            int id = featureMap.getID(featureNames.get(column));
            if (id < 0) {
                throw new IllegalStateException("the trained model does not know feature '" + featureNames.get(column) + "'");
            }
            callerColumnOfTribuoId[id] = column;
        }
        ONNXPlaceholder input = onnx.floatInput(INPUT, width);
        ONNXNode centred = input.apply(ONNXOperators.SUB, onnx.array("keel_feature_mean", toFloats(scaling.mean())));
        ONNXNode scaled = centred.apply(ONNXOperators.DIV, onnx.array("keel_feature_scale", toFloats(scaling.scale())));
        return scaled.apply(ONNXOperators.GATHER, onnx.array("keel_tribuo_feature_order", callerColumnOfTribuoId), Map.of("axis", 1));
    }

    private static byte[] model(ONNXContext onnx, String description) {
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.newBuilder()
                .setGraph(onnx.buildGraph())
                .setDomain(DOMAIN)
                .setProducerName("keel-trainer-tribuo")
                .setProducerVersion("tribuo-" + Tribuo.VERSION)
                .setModelVersion(1)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setIrVersion(IR_VERSION)
                .setDocString(description)
                .build();
        return proto.toByteArray();
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
