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
 * Writes a trained model as one ONNX graph: {@code features [N, F]} (raw values in the caller's column order) →
 * standardise → reorder to Tribuo's feature ids → Tribuo's linear layer and softmax → {@code probabilities [N, C]}.
 *
 * <p>Tribuo numbers features by its own feature map (sorted by name), not by the caller's column order, so the graph
 * gathers the columns into Tribuo's order. The proto carries no timestamps: the same model gives the same bytes.
 */
final class OnnxExport {
    static final String INPUT = "features";
    static final String OUTPUT = "probabilities";
    static final String DOMAIN = "dev.keel.trainer.tribuo";
    static final int IR_VERSION = 6;

    private OnnxExport() {
    }

    static byte[] export(LinearSGDModel model, List<String> featureNames, Standardisation scaling, List<String> labels) {
        ImmutableFeatureMap featureMap = model.getFeatureIDMap();
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

        ONNXContext onnx = new ONNXContext();
        onnx.setName("keel_logistic_regression");
        ONNXPlaceholder input = onnx.floatInput(INPUT, width);
        ONNXPlaceholder output = onnx.floatOutput(OUTPUT, labels.size());
        ONNXNode centred = input.apply(ONNXOperators.SUB, onnx.array("keel_feature_mean", toFloats(scaling.mean())));
        ONNXNode scaled = centred.apply(ONNXOperators.DIV, onnx.array("keel_feature_scale", toFloats(scaling.scale())));
        ONNXNode reordered = scaled.apply(ONNXOperators.GATHER, onnx.array("keel_tribuo_feature_order", callerColumnOfTribuoId),
                Map.of("axis", 1));
        model.writeONNXGraph(reordered).assignTo(output);

        OnnxMl.ModelProto proto = OnnxMl.ModelProto.newBuilder()
                .setGraph(onnx.buildGraph())
                .setDomain(DOMAIN)
                .setProducerName("keel-trainer-tribuo")
                .setProducerVersion("tribuo-" + Tribuo.VERSION)
                .setModelVersion(1)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setIrVersion(IR_VERSION)
                .setDocString("logistic regression; input " + INPUT + " columns " + featureNames + "; output " + OUTPUT
                        + " columns " + labels)
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
