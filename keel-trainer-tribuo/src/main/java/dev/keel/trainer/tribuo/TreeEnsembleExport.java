package dev.keel.trainer.tribuo;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.util.onnx.ONNXOperators;

/**
 * Writes an ensemble of Tribuo classification trees as one ONNX graph: {@code features [N, F]} (raw values in the caller's
 * column order) → one {@code ai.onnx.ml TreeEnsembleClassifier} → {@code probabilities [N, C]}, the mean of the trees'
 * leaf class distributions, one column per label in the order given.
 *
 * <p>Tribuo 4.3 cannot export trees, so the node is written here. Tribuo sends a row to the {@code greaterThan} child
 * when {@code value > split} (a feature absent from a sparse row counts as 0), which is the {@code BRANCH_LEQ} node with
 * the two children swapped: true means {@code value <= threshold}. ONNX compares float32, so each threshold is the double
 * split rounded toward −∞ to a float: for every float32 input {@code x}, {@code x <= threshold} exactly when
 * {@code x <= split}. Every leaf carries a weight for every class, the class's probability divided by the number of trees,
 * so the summed weights are the mean distribution and {@code post_transform} is {@code NONE}.
 *
 * <p>The node's label output {@code label} (int64 [N]) stays inside the graph: ONNX Runtime's binary tree classifier
 * gets it wrong when both classes have weights, and the probabilities are all a caller needs. The proto carries no
 * timestamps: the same model gives the same bytes.
 */
final class TreeEnsembleExport {
    static final String INPUT = "features";
    static final String OUTPUT = "probabilities";
    static final String LABEL_OUTPUT = "label";
    static final String ML_DOMAIN = "ai.onnx.ml";
    static final int ML_OPSET = 1;
    private static final String BATCH = "batch";

    private TreeEnsembleExport() {
    }

    static byte[] export(EnsembleModel<Label> ensemble, List<String> featureNames, List<String> labels) {
        Map<String, Integer> callerColumn = new HashMap<>();
        for (int column = 0; column < featureNames.size(); column++) {
            callerColumn.put(featureNames.get(column), column);
        }
        Map<String, Integer> classId = new HashMap<>();
        for (int id = 0; id < labels.size(); id++) {
            classId.put(labels.get(id), id);
        }
        Nodes nodes = new Nodes(callerColumn, classId, labels.size(), 1.0 / ensemble.getNumModels());
        List<Model<Label>> members = ensemble.getModels();
        for (int tree = 0; tree < members.size(); tree++) {
            if (!(members.get(tree) instanceof TreeModel<Label> member)) {
                throw new IllegalStateException("ensemble member " + tree + " is a " + members.get(tree).getClass().getName()
                        + ", expected a TreeModel");
            }
            nodes.addTree(tree, member.getRoot(), member.getFeatureIDMap());
        }

        long[] classLabels = new long[labels.size()];
        for (int id = 0; id < classLabels.length; id++) {
            classLabels[id] = id;
        }
        OnnxMl.NodeProto classifier = OnnxMl.NodeProto.newBuilder()
                .setName("keel_tree_ensemble")
                .setOpType("TreeEnsembleClassifier")
                .setDomain(ML_DOMAIN)
                .addInput(INPUT)
                .addOutput(LABEL_OUTPUT)
                .addOutput(OUTPUT)
                .addAttribute(ints("nodes_treeids", nodes.treeIds))
                .addAttribute(ints("nodes_nodeids", nodes.nodeIds))
                .addAttribute(ints("nodes_featureids", nodes.featureIds))
                .addAttribute(floats("nodes_values", nodes.thresholds))
                .addAttribute(strings("nodes_modes", nodes.modes))
                .addAttribute(ints("nodes_truenodeids", nodes.trueIds))
                .addAttribute(ints("nodes_falsenodeids", nodes.falseIds))
                .addAttribute(ints("class_treeids", nodes.classTreeIds))
                .addAttribute(ints("class_nodeids", nodes.classNodeIds))
                .addAttribute(ints("class_ids", nodes.classIds))
                .addAttribute(floats("class_weights", nodes.classWeights))
                .addAttribute(ints("classlabels_int64s", classLabels))
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("post_transform")
                        .setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(utf8("NONE")))
                .build();

        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .setName("keel_random_forest")
                .addNode(classifier)
                .addInput(floatMatrix(INPUT, featureNames.size()))
                .addOutput(floatMatrix(OUTPUT, labels.size()))
                .build();
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.newBuilder()
                .setGraph(graph)
                .setDomain(OnnxExport.DOMAIN)
                .setProducerName("keel-trainer-tribuo")
                .setProducerVersion("tribuo-" + Tribuo.VERSION)
                .setModelVersion(1)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(ML_DOMAIN).setVersion(ML_OPSET))
                .setIrVersion(OnnxExport.IR_VERSION)
                .setDocString("random forest of " + members.size() + " trees; input " + INPUT + " columns " + featureNames + "; output "
                        + OUTPUT + " columns " + labels)
                .build();
        return proto.toByteArray();
    }

    /** The largest float32 not above {@code split}. */
    static float thresholdBelow(double split) {
        float threshold = (float) split;
        return threshold > split ? Math.nextDown(threshold) : threshold;
    }

    /** The node attribute lists, filled tree by tree with node ids in depth-first order. */
    private static final class Nodes {
        private final Map<String, Integer> callerColumn;
        private final Map<String, Integer> classId;
        private final int classCount;
        private final double treeWeight;
        private final List<Long> treeIds = new ArrayList<>();
        private final List<Long> nodeIds = new ArrayList<>();
        private final List<Long> featureIds = new ArrayList<>();
        private final List<Float> thresholds = new ArrayList<>();
        private final List<String> modes = new ArrayList<>();
        private final List<Long> trueIds = new ArrayList<>();
        private final List<Long> falseIds = new ArrayList<>();
        private final List<Long> classTreeIds = new ArrayList<>();
        private final List<Long> classNodeIds = new ArrayList<>();
        private final List<Long> classIds = new ArrayList<>();
        private final List<Float> classWeights = new ArrayList<>();
        private long nextNodeId;

        Nodes(Map<String, Integer> callerColumn, Map<String, Integer> classId, int classCount, double treeWeight) {
            this.callerColumn = callerColumn;
            this.classId = classId;
            this.classCount = classCount;
            this.treeWeight = treeWeight;
        }

        void addTree(int tree, Node<Label> root, ImmutableFeatureMap featureMap) {
            nextNodeId = 0;
            add(tree, root, featureMap);
        }

        private long add(int tree, Node<Label> node, ImmutableFeatureMap featureMap) {
            long id = nextNodeId++;
            int slot = treeIds.size();
            treeIds.add((long) tree);
            nodeIds.add(id);
            if (node instanceof SplitNode<Label> split) {
                String name = featureMap.get(split.getFeatureID()).getName();
                Integer column = callerColumn.get(name);
                if (column == null) {
                    throw new IllegalStateException("tree " + tree + " splits on feature '" + name + "', which the data does not have");
                }
                featureIds.add((long) column);
                thresholds.add(thresholdBelow(split.splitValue()));
                modes.add("BRANCH_LEQ");
                trueIds.add(0L);
                falseIds.add(0L);
                long lessOrEqual = add(tree, split.getLessThanOrEqual(), featureMap);
                long greater = add(tree, split.getGreaterThan(), featureMap);
                trueIds.set(slot, lessOrEqual);
                falseIds.set(slot, greater);
            } else if (node instanceof LeafNode<Label> leaf) {
                featureIds.add(0L);
                thresholds.add(0f);
                modes.add("LEAF");
                trueIds.add(0L);
                falseIds.add(0L);
                double[] distribution = new double[classCount];
                for (Map.Entry<String, Label> entry : leaf.getDistribution().entrySet()) {
                    Integer label = classId.get(entry.getKey());
                    if (label == null) {
                        throw new IllegalStateException("tree " + tree + " has a leaf for label '" + entry.getKey() + "', expected one of "
                                + classId.keySet());
                    }
                    distribution[label] = entry.getValue().getScore();
                }
                for (int label = 0; label < classCount; label++) {
                    classTreeIds.add((long) tree);
                    classNodeIds.add(id);
                    classIds.add((long) label);
                    classWeights.add((float) (distribution[label] * treeWeight));
                }
            } else {
                throw new IllegalStateException("tree " + tree + " has a node of type " + node.getClass().getName()
                        + ", expected a SplitNode or a LeafNode");
            }
            return id;
        }
    }

    private static OnnxMl.ValueInfoProto floatMatrix(String name, int columns) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
                .build();
        OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape))
                .build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private static OnnxMl.AttributeProto ints(String name, List<Long> values) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS).addAllInts(values).build();
    }

    private static OnnxMl.AttributeProto ints(String name, long[] values) {
        OnnxMl.AttributeProto.Builder attribute = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    private static OnnxMl.AttributeProto floats(String name, List<Float> values) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOATS).addAllFloats(values)
                .build();
    }

    private static OnnxMl.AttributeProto strings(String name, List<String> values) {
        OnnxMl.AttributeProto.Builder attribute = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.STRINGS);
        for (String value : values) {
            attribute.addStrings(utf8(value));
        }
        return attribute.build();
    }

    private static ByteString utf8(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }
}
