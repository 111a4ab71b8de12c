package dev.keel.runtime.onnx;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import ai.onnxruntime.ValueInfo;
import dev.keel.spi.DataType;
import dev.keel.spi.ModelException;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads a {@link ModelSignature} from an ONNX Runtime session. */
final class Signatures {
    static final String LABELS_SUFFIX = ":labels";
    static final String LABELS_KIND = "labels";

    private Signatures() {
    }

    static ModelSignature read(OrtSession session) throws OrtException {
        List<TensorSpec> inputs = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> entry : session.getInputInfo().entrySet()) {
            inputs.add(spec("input", entry.getKey(), entry.getValue().getInfo()));
        }
        List<TensorSpec> outputs = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> entry : session.getOutputInfo().entrySet()) {
            TensorSpec spec = spec("output", entry.getKey(), entry.getValue().getInfo());
            outputs.add(spec);
            if (!spec.kind().equals("tensor")) {
                outputs.add(new TensorSpec(entry.getKey() + LABELS_SUFFIX, labelType(entry.getKey(), entry.getValue().getInfo()),
                        List.of(-1L), LABELS_KIND));
            }
        }
        return new ModelSignature(inputs, outputs);
    }

    /** The symbolic dimension names of each tensor input (empty strings for unnamed dimensions). */
    static Map<String, List<String>> dimensionNames(OrtSession session) throws OrtException {
        return dimensionNames(session.getInputInfo());
    }

    /** The symbolic dimension names of each tensor output (empty strings for unnamed dimensions). */
    static Map<String, List<String>> outputDimensionNames(OrtSession session) throws OrtException {
        return dimensionNames(session.getOutputInfo());
    }

    private static Map<String, List<String>> dimensionNames(Map<String, NodeInfo> infos) {
        Map<String, List<String>> names = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> entry : infos.entrySet()) {
            if (entry.getValue().getInfo() instanceof TensorInfo tensor) {
                names.put(entry.getKey(), Arrays.stream(tensor.getDimensionNames()).map(name -> name == null ? "" : name).toList());
            }
        }
        return names;
    }

    private static TensorSpec spec(String role, String name, ValueInfo info) {
        return switch (info) {
            case TensorInfo tensor -> new TensorSpec(name, dataType(role, name, tensor.onnxType),
                    Arrays.stream(tensor.getShape()).map(dimension -> dimension < 0 ? -1 : dimension).boxed().toList(), "tensor");
            case SequenceInfo sequence when sequence.isSequenceOfMaps() -> new TensorSpec(name,
                    mapValueType(role, name, sequence.mapInfo), List.of(-1L, -1L), "sequence<" + mapKind(sequence.mapInfo) + ">");
            case MapInfo map -> new TensorSpec(name, mapValueType(role, name, map), List.of(1L, -1L), mapKind(map));
            default -> throw new ModelException(role + " '" + name + "' is a " + info
                    + "; Keel reads tensors, maps and sequences of maps only", true);
        };
    }

    private static DataType labelType(String name, ValueInfo info) {
        MapInfo map = info instanceof SequenceInfo sequence ? sequence.mapInfo : (MapInfo) info;
        return switch (map.keyType) {
            case STRING -> DataType.BYTES;
            case INT64 -> DataType.INT64;
            default -> throw new ModelException("output '" + name + "' is a map keyed by " + map.keyType
                    + "; Keel reads maps keyed by int64 or string only", true);
        };
    }

    private static DataType mapValueType(String role, String name, MapInfo map) {
        return switch (map.valueType) {
            case FLOAT -> DataType.FP32;
            case DOUBLE -> DataType.FP64;
            case INT64 -> DataType.INT64;
            case STRING -> DataType.BYTES;
            default -> throw new ModelException(role + " '" + name + "' is a map of " + map.valueType
                    + "; Keel reads maps of float, double, int64 or string only", true);
        };
    }

    private static String mapKind(MapInfo map) {
        return "map<" + javaTypeName(map.keyType) + "," + javaTypeName(map.valueType) + ">";
    }

    private static String javaTypeName(OnnxJavaType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    static DataType dataType(String role, String name, OnnxTensorType type) {
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
            default -> throw new ModelException(role + " '" + name + "' has element type "
                    + type.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "").toLowerCase(Locale.ROOT)
                    + ", which Keel does not support; supported: bool, (u)int8-64, float16, float, double, string", true);
        };
    }
}
