package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelException;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DataTypeRoundTripTest {
    private static final long[] SHAPE = {2, 2};
    private final OnnxModelRuntime runtime = new OnnxModelRuntime();

    @ParameterizedTest
    @EnumSource(DataType.class)
    void inspect_mapsEveryElementType(DataType type) {
        var signature = runtime.inspect(Fixtures.model(fileOf(type)));

        assertThat(signature.inputs()).containsExactly(new TensorSpec("x", type, -1, 2));
        assertThat(signature.outputs()).containsExactly(new TensorSpec("y", type, -1, 2));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"UINT16", "UINT32", "UINT64"}, mode = EnumSource.Mode.EXCLUDE)
    void predict_returnsEveryElementTypeUnchanged(DataType type) {
        Tensor input = new Tensor(type, SHAPE, sample(type));
        try (LoadedModel model = runtime.load(Fixtures.model(fileOf(type)), RuntimeOptions.defaults())) {
            Map<String, Tensor> outputs = model.predict(Map.of("x", input));

            assertThat(outputs).containsOnlyKeys("y");
            assertThat(outputs.get("y")).isEqualTo(input);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"UINT16", "UINT32", "UINT64"})
    void predict_explainsThatWideUnsignedInputsCannotBeCreated(DataType type) {
        try (LoadedModel model = runtime.load(Fixtures.model(fileOf(type)), RuntimeOptions.defaults())) {
            assertThatThrownBy(() -> model.predict(Map.of("x", new Tensor(type, SHAPE, sample(type)))))
                    .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.badInput()).isFalse())
                    .hasMessageContaining("input 'x' is " + type);
        }
    }

    private static String fileOf(DataType type) {
        String name = switch (type) {
            case FP16 -> "float16";
            case FP32 -> "float";
            case FP64 -> "double";
            case BYTES -> "string";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
        return "types/identity_" + name + ".onnx";
    }

    static Object sample(DataType type) {
        return switch (type) {
            case BOOL -> new boolean[] {true, false, false, true};
            case INT8 -> new byte[] {Byte.MIN_VALUE, -1, 0, Byte.MAX_VALUE};
            case UINT8 -> new byte[] {(byte) 255, 0, 1, (byte) 128};
            case INT16, UINT16 -> new short[] {Short.MIN_VALUE, -1, 0, Short.MAX_VALUE};
            case FP16 -> new short[] {0x3C00, (short) 0xC000, 0x7BFF, 0x0001};
            case INT32, UINT32 -> new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE};
            case INT64, UINT64 -> new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
            case FP32 -> new float[] {-1.5f, 0f, Float.MIN_VALUE, Float.MAX_VALUE};
            case FP64 -> new double[] {-1.5, 0, Double.MIN_VALUE, Math.PI};
            case BYTES -> new String[] {"good", "", "Zürich €", "two words"};
        };
    }
}
