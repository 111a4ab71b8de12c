package dev.keel.server.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The byte writer of common v2 answers writes exactly what Jackson's generator writes, and leaves everything else to it. */
class V2AnswerTest {
    private static void sameAsGenerator(String name, String id, Map<String, Tensor> outputs, List<String> requested) {
        byte[] fast = V2Answer.write(name, 7, id, outputs, requested);
        byte[] generated = V2Routes.generated(name, 7, id, Optional.empty(), Optional.empty(), outputs, requested);
        assertThat(fast).as("written here").isNotNull();
        assertThat(new String(fast, StandardCharsets.UTF_8)).isEqualTo(new String(generated, StandardCharsets.UTF_8));
    }

    @Test
    void numbersOfEveryKind_areWrittenAsTheGeneratorWritesThem() {
        java.util.Random random = new java.util.Random(7);
        float[] floats = new float[2_000];
        double[] doubles = new double[2_000];
        long[] longs = new long[2_000];
        int[] ints = new int[2_000];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = Float.intBitsToFloat(random.nextInt());
            doubles[i] = Double.longBitsToDouble(random.nextLong());
            longs[i] = random.nextLong();
            ints[i] = random.nextInt();
        }
        floats[0] = Float.NaN;
        floats[1] = Float.NEGATIVE_INFINITY;
        floats[2] = -0.0f;
        floats[3] = 0.92809695f;
        doubles[0] = Double.POSITIVE_INFINITY;
        doubles[1] = Double.MIN_VALUE;
        longs[0] = Long.MIN_VALUE;
        ints[0] = Integer.MIN_VALUE;
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        outputs.put("label", new Tensor(DataType.INT64, new long[] {2_000}, longs));
        outputs.put("probabilities", new Tensor(DataType.FP32, new long[] {1_000, 2}, floats));
        outputs.put("scores", new Tensor(DataType.FP64, new long[] {2_000}, doubles));
        outputs.put("counts", new Tensor(DataType.INT32, new long[] {2, 1_000}, ints));
        outputs.put("scalar", new Tensor(DataType.FP32, new long[0], new float[] {1.5f}));

        sameAsGenerator("credit", "ee810600-de5c-412b-87b7-b8b87675f1b1", outputs, List.of());
        sameAsGenerator("credit", "r-1", outputs, List.of("scores", "label"));
    }

    @Test
    void namesAndIdsWithCharactersToEscape_areWrittenAsTheGeneratorWritesThem() {
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        outputs.put("quote\"back\\slash", new Tensor(DataType.FP32, new long[] {1}, new float[] {1}));
        outputs.put("tab\tnew\nline\u0001\u001f", new Tensor(DataType.INT64, new long[] {1}, new long[] {2}));
        outputs.put("café ☕ 𝄞", new Tensor(DataType.INT32, new long[] {1}, new int[] {3}));

        sameAsGenerator("model \"x\"", "id\r\nwith\bcontrol\fcharacters and é", outputs, List.of());
    }

    @Test
    void otherDatatypes_areLeftToTheGenerator() {
        assertThat(V2Answer.write("m", 1, "id", Map.of("tag", new Tensor(DataType.BYTES, new long[] {1}, new String[] {"a"})), List.of()))
                .isNull();
        assertThat(V2Answer.write("m", 1, "id", Map.of("flag", new Tensor(DataType.BOOL, new long[] {1}, new boolean[] {true})), List.of()))
                .isNull();
        assertThat(V2Answer.write("m", 1, "id", Map.of("half", new Tensor(DataType.FP16, new long[] {1}, new short[] {1})), List.of()))
                .isNull();
    }
}
