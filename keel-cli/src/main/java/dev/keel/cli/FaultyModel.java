package dev.keel.cli;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a model that fails at run time on some inputs only, for the demo's fault: its first input's column {@code column}
 * is used as an index into a lookup table of {@code bound} ones (the product leaves every answer as it was), so every row
 * whose value there is {@code bound} or more makes ONNX Runtime fail the request ("indices element out of data bounds"),
 * while rows below it, and the promotion's smoke row, score as before.
 */
final class FaultyModel {
    private static final String CHECKED = "keel_demo_checked";

    private FaultyModel() {
    }

    static byte[] failingAtOrAbove(byte[] onnx, int column, int bound) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        OnnxMl.GraphProto graph = model.getGraph();
        String input = graph.getInput(0).getName();
        OnnxMl.GraphProto.Builder rewired = graph.toBuilder().clearNode();
        rewired.addInitializer(longs("keel_demo_start", column)).addInitializer(longs("keel_demo_end", column + 1))
                .addInitializer(longs("keel_demo_axis", 1));
        OnnxMl.TensorProto.Builder table = OnnxMl.TensorProto.newBuilder().setName("keel_demo_table").addDims(bound)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        for (int i = 0; i < bound; i++) {
            table.addFloatData(1f);
        }
        rewired.addInitializer(table);
        List<OnnxMl.NodeProto> added = new ArrayList<>();
        added.add(node("Slice", List.of(input, "keel_demo_start", "keel_demo_end", "keel_demo_axis"), "keel_demo_column"));
        added.add(node("Cast", List.of("keel_demo_column"), "keel_demo_index").toBuilder().addAttribute(OnnxMl.AttributeProto.newBuilder()
                .setName("to").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(OnnxMl.TensorProto.DataType.INT64.getNumber())).build());
        added.add(node("Gather", List.of("keel_demo_table", "keel_demo_index"), "keel_demo_ones"));
        added.add(node("Mul", List.of(input, "keel_demo_ones"), CHECKED));
        rewired.addAllNode(added);
        for (OnnxMl.NodeProto original : graph.getNodeList()) {
            OnnxMl.NodeProto.Builder node = original.toBuilder().clearInput();
            for (String name : original.getInputList()) {
                node.addInput(name.equals(input) ? CHECKED : name);
            }
            rewired.addNode(node);
        }
        return model.toBuilder().setGraph(rewired).build().toByteArray();
    }

    private static OnnxMl.NodeProto node(String op, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output).build();
    }

    private static OnnxMl.TensorProto longs(String name, long value) {
        return OnnxMl.TensorProto.newBuilder().setName(name).addDims(1).setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .addInt64Data(value).build();
    }
}
