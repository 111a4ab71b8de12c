package dev.keel.trainer.tribuo;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.keel.spi.Trainer.TrainingData;
import java.util.List;
import java.util.Map;

/** Scores exported models in a real ONNX Runtime session. */
final class TestingOnnx {
    private TestingOnnx() {
    }

    static OrtSession session(byte[] onnx) throws OrtException {
        return OrtEnvironment.getEnvironment().createSession(onnx, new OrtSession.SessionOptions());
    }

    /** The float matrix of one output for the given rows of input {@code features}. */
    static float[][] score(byte[] onnx, String output, float[][] rows) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = session(onnx);
             OnnxTensor input = OnnxTensor.createTensor(environment, rows);
             OrtSession.Result result = session.run(Map.of("features", input))) {
            return (float[][]) result.get(output).orElseThrow().getValue();
        }
    }

    static TensorInfo tensorInfo(NodeInfo node) {
        return (TensorInfo) node.getInfo();
    }

    /** Every row of the data as float32, the type the exported models take. */
    static float[][] floatRows(TrainingData data) {
        List<double[]> features = data.features();
        float[][] rows = new float[features.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = toFloats(features.get(i));
        }
        return rows;
    }

    static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    static double[] widen(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }
}
