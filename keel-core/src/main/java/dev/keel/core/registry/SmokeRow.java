package dev.keel.core.registry;

import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One plausible input row for a version, built from its signature and feature schema: every value is 0 moved into the
 * feature's declared range (its minimum when 0 is below it, its maximum when above), a string is its first allowed value or
 * empty. Dynamic dimensions become 1, so the row is a batch of one.
 */
final class SmokeRow {
    private SmokeRow() {
    }

    static Map<String, Tensor> of(ModelVersion version) {
        List<TensorSpec> inputs = version.signature().inputs();
        List<FeatureSpec> features = version.features();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        boolean columns = !features.isEmpty() && inputs.size() == 1 && inputs.getFirst().rank() == 2
                && features.stream().noneMatch(feature -> feature.name().equals(inputs.getFirst().name()));
        for (TensorSpec input : inputs) {
            long[] shape = input.shape().stream().mapToLong(dimension -> dimension < 0 ? 1 : dimension).toArray();
            if (columns) {
                shape[1] = features.size();
            }
            int size = (int) Tensor.elementCount(shape);
            Object data = java.lang.reflect.Array.newInstance(Tensor.arrayClass(input.type()).getComponentType(), size);
            Optional<FeatureSpec> named = features.stream().filter(feature -> feature.name().equals(input.name())).findFirst();
            for (int i = 0; i < size; i++) {
                Optional<FeatureSpec> feature = columns ? Optional.of(features.get(i % features.size())) : named;
                store(data, input.type(), i, feature);
            }
            tensors.put(input.name(), new Tensor(input.type(), shape, data));
        }
        return tensors;
    }

    private static void store(Object data, DataType type, int index, Optional<FeatureSpec> feature) {
        double value = 0;
        if (feature.isPresent()) {
            value = Math.max(value, feature.get().min().orElse(value));
            value = Math.min(value, feature.get().max().orElse(value));
        }
        switch (type) {
            case BOOL -> ((boolean[]) data)[index] = false;
            case INT8, UINT8 -> ((byte[]) data)[index] = (byte) Math.ceil(value);
            case INT16, UINT16 -> ((short[]) data)[index] = (short) Math.ceil(value);
            case FP16 -> ((short[]) data)[index] = Float.floatToFloat16((float) value);
            case INT32, UINT32 -> ((int[]) data)[index] = (int) Math.ceil(value);
            case INT64, UINT64 -> ((long[]) data)[index] = (long) Math.ceil(value);
            case FP32 -> ((float[]) data)[index] = (float) value;
            case FP64 -> ((double[]) data)[index] = value;
            case BYTES -> ((String[]) data)[index] = feature.flatMap(spec -> spec.allowed().stream().findFirst()).orElse("");
        }
    }
}
